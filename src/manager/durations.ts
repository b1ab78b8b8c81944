// The durations the reference does not measure: creation → every replica running, creation → finished.
import { totalReplicas } from '../api/job.ts';
import type { Job } from '../api/types.ts';
import type { Plan } from '../reconcile/plan.ts';
import { isFinished } from '../status/conditions.ts';
import type { OperatorMetrics } from '../telemetry/metrics.ts';

function activeReplicas(job: Job): number {
  return Object.values(job.status?.replicaStatuses ?? {}).reduce(
    (sum, replica) => sum + (replica.active ?? 0),
    0,
  );
}

function secondsSinceCreation(job: Job, until: string | undefined): number | undefined {
  const created = job.metadata.creationTimestamp;
  if (!created || !until) return undefined;
  return (Date.parse(until) - new Date(created).getTime()) / 1000;
}

/** Observed once per job, on the status write that first shows the moment. */
export function recordJobDurations(metrics: OperatorMetrics, job: Job, plan: Plan): void {
  if (!plan.status) return;
  const after = { ...job, status: plan.status };
  const now = new Date().toISOString();
  const total = totalReplicas(job);
  if (activeReplicas(job) < total && activeReplicas(after) >= total) {
    const seconds = secondsSinceCreation(job, now);
    if (seconds !== undefined) metrics.observeAllRunning(job.kind, seconds);
  }
  if (!isFinished(job.status ?? {}) && isFinished(plan.status)) {
    const seconds = secondsSinceCreation(job, plan.status.completionTime);
    if (seconds !== undefined) metrics.observeCompletion(job.kind, seconds);
  }
}
