// The admission rules a job must pass: the CRD's schema and CEL rules, evaluated offline exactly as the
// API server evaluates them (schema.ts), plus the reference's warnings, which CEL cannot express (each
// framework's own), and what a dry run lets through but keeps a job from running (runnable.ts).
import { frameworkFor } from '../frameworks/registry.ts';
import type { FieldError } from './errors.ts';
import { runnabilityProblems } from './runnable.ts';
import { type SchemaOptions, validateSchema } from './schema.ts';
import type { Job } from './types.ts';

export interface ValidationResult {
  errors: FieldError[];
  warnings: string[];
  /**
   * The job as the API server stores it on create (unknown fields pruned, nulls dropped, schema defaults
   * applied, status dropped, name generated): what the operator reads. Meaningful when there are no errors.
   */
  stored: Job;
}

/**
 * `old` is the stored job when validating an update, so that immutability rules apply. `options` are the
 * request's field validation (the API server's default, Warn, unless given) and its repeated keys.
 */
export function validateJob(job: Job, old?: Job, options?: SchemaOptions): ValidationResult {
  const { errors, warnings, stored } = validateSchema(job.kind, job, old, options);
  const result = (stored as Job | undefined) ?? job;
  const runnable = runnabilityProblems(result);
  return {
    errors: [...errors, ...runnable.errors],
    warnings: [...warnings, ...(frameworkFor(result.kind).warnings?.(result) ?? []), ...runnable.warnings],
    stored: result,
  };
}
