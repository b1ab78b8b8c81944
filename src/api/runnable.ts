// What keeps an admitted job from ever running, beyond the API server's own checks: a server-side dry
// run accepts these jobs, a real create or the operator then fails, so `validate` reports them.
import type { FieldError } from './errors.ts';
import { replicaSpecs } from './job.ts';
import { KINDS } from './kinds.ts';
import { MAX_REQUEST_BODY_BYTES, requestBodyBytes } from './schema/request.ts';
import type { Job, ReplicaSpec } from './types.ts';

/** The largest message the API server's etcd client sends (go.etcd.io/etcd/client/v3, 2 MiB). */
export const MAX_STORED_BYTES = 2 * 1024 * 1024;
/** etcd's default --max-request-bytes (1.5 MiB); clusters may raise it up to the client's limit. */
export const ETCD_DEFAULT_MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;

export interface Problems {
  errors: FieldError[];
  warnings: string[];
}

const DRY_RUN_NOTE = 'a server-side dry run does not check this';

/**
 * The job as stored is its JSON plus a few hundred bytes of server metadata, so the JSON size is a lower
 * bound: a job reported here can never be created; one just below may still be refused.
 */
function storageProblems(job: Job): Problems {
  const size = requestBodyBytes(job);
  if (size > MAX_REQUEST_BODY_BYTES) return { errors: [], warnings: [] };
  if (size > MAX_STORED_BYTES) {
    const message =
      `too large to store: ${size} bytes as JSON, and the API server sends etcd at most ` +
      `${MAX_STORED_BYTES} bytes per object (${DRY_RUN_NOTE})`;
    return { errors: [{ path: '', message }], warnings: [] };
  }
  if (size > ETCD_DEFAULT_MAX_REQUEST_BYTES) {
    const warning =
      `${size} bytes as JSON: etcd refuses objects over ${ETCD_DEFAULT_MAX_REQUEST_BYTES} bytes unless its ` +
      `--max-request-bytes is raised (${DRY_RUN_NOTE})`;
    return { errors: [], warnings: [warning] };
  }
  return { errors: [], warnings: [] };
}

/**
 * A job whose every replica type has 0 replicas starts no pod at all, yet is admitted (the reference
 * admits it too, and scaling to zero is legal), so it only warns.
 */
function noPodWarnings(job: Job): string[] {
  const info = KINDS[job.kind];
  const specs = Object.entries(job.spec ? replicaSpecs(job) : {});
  const count = ([type, spec]: [string, ReplicaSpec]) => spec?.replicas ?? info.defaultReplicas?.[type] ?? 1;
  if (specs.length === 0 || specs.some((entry) => count(entry) > 0)) return [];
  return [`spec.${info.replicaSpecsField}: every replica type has 0 replicas, so the job starts no pods`];
}

export function runnabilityProblems(job: Job): Problems {
  const storage = storageProblems(job);
  return { errors: storage.errors, warnings: [...storage.warnings, ...noPodWarnings(job)] };
}
