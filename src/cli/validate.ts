// `training-operator validate -f FILE`: every rule the API server will apply, offline.
import { validateJob } from '../api/validate.ts';
import { jobRef, readJobs } from './input.ts';

export interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** `<path>: `, or nothing for an error about the whole request (its size). */
export const fieldPrefix = (path: string) => (path ? `${path}: ` : '');

/** Prints `<Kind>/<name>: <path>: <message>` per error; returns the exit code (0 valid, 1 invalid). */
export function validateCommand(files: string[], output: Output): number {
  let invalid = false;
  for (const job of readJobs(files)) {
    const { errors, warnings } = validateJob(job);
    for (const warning of warnings) output.err(`${jobRef(job)}: warning: ${warning}`);
    for (const error of errors) output.out(`${jobRef(job)}: ${fieldPrefix(error.path)}${error.message}`);
    invalid ||= errors.length > 0;
  }
  return invalid ? 1 : 0;
}
