// `training-operator validate -f FILE`: every rule the API server will apply, offline.
import type { FieldValidation } from '../api/schema.ts';
import { validateJob } from '../api/validate.ts';
import { errorLine, jobRef, readJobs } from './input.ts';

export interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

/**
 * Prints one line per error (`<Kind>/<name>: <path>: <message>`) and warnings on stderr; returns the exit
 * code (0 valid, 1 invalid). `fieldValidation` is kubectl's `--validate`, Strict by default as there.
 */
export function validateCommand(
  files: string[],
  output: Output,
  fieldValidation: FieldValidation = 'Strict',
): number {
  let invalid = false;
  for (const { job, duplicateFields } of readJobs(files)) {
    const { errors, warnings, stored } = validateJob(job, undefined, { fieldValidation, duplicateFields });
    for (const warning of warnings) output.err(`${jobRef(stored)}: warning: ${warning}`);
    for (const error of errors) output.out(errorLine(stored, error));
    invalid ||= errors.length > 0;
  }
  return invalid ? 1 : 0;
}
