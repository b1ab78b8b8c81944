// runPolicy.activeDeadlineSeconds, counted from startTime (PastActiveDeadline in the reference's
// pkg/controller.v1/common/job.go, release-1.9).
import { runPolicy } from '../../api/job.ts';
import type { Job, JobStatus } from '../../api/types.ts';

function deadline(job: Job, status: JobStatus): number | undefined {
  const seconds = runPolicy(job).activeDeadlineSeconds;
  if (seconds === undefined || !status.startTime) return undefined;
  return Date.parse(status.startTime) + seconds * 1000;
}

export function pastActiveDeadline(job: Job, status: JobStatus, now: Date): boolean {
  const end = deadline(job, status);
  return end !== undefined && now.getTime() >= end;
}

/**
 * Milliseconds until the deadline passes. The reference only notices a deadline at the next unrelated
 * event; a timer makes the job fail on time.
 */
export function untilDeadline(job: Job, status: JobStatus, now: Date): number | undefined {
  const end = deadline(job, status);
  return end === undefined ? undefined : Math.max(0, end - now.getTime());
}
