// What a framework's status rules read and write (UpdateJobStatus of each controller in the reference's
// pkg/controller.v1/<framework>/*_controller.go, release-1.9).
import type { V1Pod } from '@kubernetes/client-node';
import type { ConditionType, Job, JobStatus, ReplicaStatus } from '../api/types.ts';
import { reasonFor, setCondition } from './conditions.ts';

export interface JobEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** The reference's per-job counters (training_operator_jobs_*_total). */
export type JobMetric = 'created' | 'deleted' | 'successful' | 'failed' | 'restarted';

export interface StatusContext {
  /** The job with defaults applied. */
  job: Job;
  /** The status being computed; rules change it in place. */
  status: JobStatus;
  /** Replica counts of this reconcile, by replica type. */
  counts: Record<string, Required<Pick<ReplicaStatus, 'active' | 'succeeded' | 'failed'>>>;
  /** The job's pods as observed. */
  pods: V1Pod[];
  now: string;
  events: JobEvent[];
  metrics: JobMetric[];
}

/** Sets a True condition; events and metrics follow real transitions only, so re-evaluation repeats nothing. */
function mark(
  context: StatusContext,
  type: ConditionType,
  message: string,
  event?: { type: JobEvent['type']; metric: JobMetric },
): boolean {
  const reason = reasonFor(context.job.kind, type);
  if (!setCondition(context.status, type, 'True', reason, message, context.now)) return false;
  if (event) {
    context.events.push({ type: event.type, reason, message });
    context.metrics.push(event.metric);
  }
  return true;
}

export function markRunning(context: StatusContext, message: string): void {
  mark(context, 'Running', message);
}

export function markSucceeded(context: StatusContext, message: string): void {
  if (mark(context, 'Succeeded', message, { type: 'Normal', metric: 'successful' })) {
    context.status.completionTime ??= context.now;
  }
}

export function markFailed(
  context: StatusContext,
  message: string,
  eventType: JobEvent['type'] = 'Normal',
): void {
  if (mark(context, 'Failed', message, { type: eventType, metric: 'failed' })) {
    context.status.completionTime ??= context.now;
  }
}

export function markRestarting(context: StatusContext, message: string): void {
  mark(context, 'Restarting', message, { type: 'Warning', metric: 'restarted' });
}

/** `replicas − succeeded`: how many replicas of a type still have to finish. */
export function expected(context: StatusContext, replicaType: string, replicas: number): number {
  return replicas - (context.counts[replicaType]?.succeeded ?? 0);
}
