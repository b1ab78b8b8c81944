// The admission rules a job must pass: the CRD's schema and CEL rules, evaluated offline exactly as the
// API server evaluates them (schema.ts), plus the reference's warnings, which CEL cannot express, and what
// a dry run lets through but keeps a job from running (runnable.ts).
import type { FieldError } from './errors.ts';
import { runnabilityProblems } from './runnable.ts';
import { validateSchema } from './schema.ts';
import type { Job } from './types.ts';

export interface ValidationResult {
  errors: FieldError[];
  warnings: string[];
}

function referenceWarnings(job: Job): string[] {
  const elastic = job.spec?.elasticPolicy as { nProcPerNode?: number } | undefined;
  if (job.kind === 'PyTorchJob' && elastic?.nProcPerNode !== undefined) {
    return ['spec.elasticPolicy.nProcPerNode is deprecated, use spec.nprocPerNode instead'];
  }
  return [];
}

/** `old` is the stored job when validating an update, so that immutability rules apply. */
export function validateJob(job: Job, old?: Job): ValidationResult {
  const { errors, warnings } = validateSchema(job.kind, job, old);
  const runnable = runnabilityProblems(job);
  return {
    errors: [...errors, ...runnable.errors],
    warnings: [...warnings, ...referenceWarnings(job), ...runnable.warnings],
  };
}
