// runPolicy.ttlSecondsAfterFinished: a finished job is deleted that long after completionTime
// (CleanupJob in the reference's pkg/controller.v1/common/job.go, release-1.9).
import { runPolicy } from '../../api/job.ts';
import type { Job, JobStatus } from '../../api/types.ts';

export type TtlOutcome = { expired: true } | { expired: false; afterMs?: number };

export function ttlOutcome(job: Job, status: JobStatus, now: Date): TtlOutcome {
  const ttl = runPolicy(job).ttlSecondsAfterFinished;
  if (ttl === undefined || runPolicy(job).suspend || !status.completionTime) return { expired: false };
  const remaining = Date.parse(status.completionTime) + ttl * 1000 - now.getTime();
  return remaining <= 0 ? { expired: true } : { expired: false, afterMs: remaining };
}
