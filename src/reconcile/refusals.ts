// What the API server's refusals do to a job. The Kubeflow operator returns at the first refused create
// before writing any status (pkg/controller.v1/common/job.go, ReconcileJobs), so such a job shows no
// state at all. Here the status is written whatever was refused, with ReplicaSet's ReplicaFailure
// condition naming the refused object, and a refusal decides what comes next:
// - permanent (400, 422: the object as rendered from the job is invalid, and will be every time): the
//   job fails, and the next reconcile deletes its pods and services (reconcile.ts, finishedJob);
// - otherwise (403 from a ResourceQuota, a LimitRange, RBAC or a policy webhook; 404 of a missing
//   CRD): the objects already made stay, and the job tries again after about as long as it has been
//   refused, between 1 and 30 seconds, so that a raised quota is noticed within 30 s while a job stuck
//   for hours costs one request per 30 s.
import { isDeepStrictEqual } from 'node:util';
import type { Job, JobStatus } from '../api/types.ts';
import { findCondition, isFinished, setReplicaFailure } from '../status/conditions.ts';
import { type JobEvent, type JobMetric, markFailed } from '../status/context.ts';
import { earliest, type Plan, timestamp } from './plan.ts';
import { isLeftAlone } from './reconcile.ts';

export interface Refusal {
  verb: 'create' | 'delete';
  kind: string;
  name: string;
  /** The HTTP status code of the answer. */
  code: number;
  /** The API server's message, naming the object: `pods "x-worker-0" is forbidden: exceeded quota: ...`. */
  message: string;
}

const MIN_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

/** Bad request or invalid object: asking again with the same job is refused alike. */
function isPermanent(refusal: Refusal): boolean {
  return refusal.verb === 'create' && (refusal.code === 400 || refusal.code === 422);
}

export interface RefusalOutcome {
  /** The status to write (the one given when nothing changes). */
  status: JobStatus;
  events: JobEvent[];
  metrics: JobMetric[];
  /** Reconcile again after this long: the refused objects may be accepted later. */
  retryAfterMs?: number;
}

/**
 * The status after one reconcile's requests, given the refusals among them, in the plan's order.
 * Without any, ReplicaFailure goes: every object the job needs exists, or was deleted as asked. A
 * finished job keeps a FailedCreate, though: it is why the job never ran whole.
 */
export function afterRefusals(job: Job, status: JobStatus, refusals: Refusal[], now: Date): RefusalOutcome {
  const next = structuredClone(status);
  const outcome: RefusalOutcome = { status: next, events: [], metrics: [] };
  const time = timestamp(now);
  const permanent = refusals.find(isPermanent);
  const named = permanent ?? refusals[0];
  if (!named) {
    const kept = isFinished(next) && findCondition(next, 'ReplicaFailure')?.reason === 'FailedCreate';
    if (!kept) setReplicaFailure(next, undefined, time);
    return outcome;
  }
  const reason = named.verb === 'create' ? 'FailedCreate' : 'FailedDelete';
  setReplicaFailure(next, { reason, message: named.message }, time);
  if (permanent && !isFinished(next)) {
    const { events, metrics } = outcome;
    const message = `${job.kind} ${job.metadata.name} has failed because the API server refuses its ${permanent.kind} ${permanent.name} as invalid.`;
    markFailed({ job, status: next, counts: {}, pods: [], now: time, events, metrics }, message, 'Warning');
  } else {
    outcome.retryAfterMs = retryAfterMs(next, now);
  }
  return outcome;
}

/** As long as the job has been refused so far (so about doubling), within MIN_RETRY_MS and MAX_RETRY_MS. */
export function retryAfterMs(status: JobStatus, now: Date): number {
  const since = findCondition(status, 'ReplicaFailure')?.lastTransitionTime;
  const refusedFor = since ? now.getTime() - Date.parse(since) : 0;
  return Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, refusedFor));
}

/** Folds what the refusals (or their absence) change into the plan: its status, events, metrics and requeue. */
export function amendPlan(job: Job, plan: Plan, refusals: Refusal[], now: Date): void {
  if (isLeftAlone(job)) return;
  const stored = job.status ?? {};
  const outcome = afterRefusals(job, plan.status ?? stored, refusals, now);
  plan.status = isDeepStrictEqual(outcome.status, stored) ? undefined : outcome.status;
  plan.events.push(...outcome.events);
  plan.metrics.push(...outcome.metrics);
  plan.requeueAfterMs = earliest(plan.requeueAfterMs, outcome.retryAfterMs);
}
