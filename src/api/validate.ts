// The admission rules a job must pass: the CRD's schema and CEL rules, evaluated offline exactly as the
// API server evaluates them (schema.ts), plus the reference's warnings, which CEL cannot express.
import type { FieldError } from './errors.ts';
import { validateSchema } from './schema.ts';
import { KINDS } from './kinds.ts';
import type { Job, ReplicaSpec } from './types.ts';

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

/**
 * A job whose every replica type has 0 replicas starts no pod at all, yet is admitted (the reference
 * admits it too, and scaling to zero is legal), so it only warns.
 */
function noPodWarnings(job: Job): string[] {
  const info = KINDS[job.kind];
  const specs = Object.entries((job.spec?.[info.replicaSpecsField] ?? {}) as Record<string, ReplicaSpec>);
  const count = ([type, spec]: [string, ReplicaSpec]) => spec?.replicas ?? info.defaultReplicas?.[type] ?? 1;
  if (specs.length === 0 || specs.some((entry) => count(entry) > 0)) return [];
  return [`spec.${info.replicaSpecsField}: every replica type has 0 replicas, so the job starts no pods`];
}

/** `old` is the stored job when validating an update, so that immutability rules apply. */
export function validateJob(job: Job, old?: Job): ValidationResult {
  const { errors, warnings } = validateSchema(job.kind, job, old);
  return { errors, warnings: [...warnings, ...referenceWarnings(job), ...noPodWarnings(job)] };
}
