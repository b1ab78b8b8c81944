// Job conditions (the reference's pkg/util/status.go): one condition per type, the newest transition last,
// so that the State column (the last condition's type) shows where the job is; ReplicaFailure, which is
// not a state, is kept out of the last place.
import type { KindName } from '../api/kinds.ts';
import type { ConditionType, JobCondition, JobStatus } from '../api/types.ts';

export function findCondition(status: JobStatus, type: ConditionType): JobCondition | undefined {
  return status.conditions?.find((condition) => condition.type === type);
}

export function hasCondition(status: JobStatus, type: ConditionType): boolean {
  return findCondition(status, type)?.status === 'True';
}

export const isSucceeded = (status: JobStatus) => hasCondition(status, 'Succeeded');
export const isFailed = (status: JobStatus) => hasCondition(status, 'Failed');
export const isFinished = (status: JobStatus) => isSucceeded(status) || isFailed(status);

/** The reason the reference writes: the kind followed by what happened, e.g. `PyTorchJobRunning`. */
export function reasonFor(kind: KindName, what: string): string {
  return `${kind}${what}`;
}

/**
 * Sets a condition the way the reference does, with one deliberate difference: once a job has finished
 * (Succeeded or Failed), nothing changes any more. The reference freezes only after Failed, so a TFJob
 * whose chief succeeded while workers failed ends with both Succeeded and Failed true.
 * - the same type, status and reason already present: nothing changes (not even times);
 * - the same type and status with another reason keeps its lastTransitionTime;
 * - Running and Restarting exclude each other; Succeeded and Failed turn Running to False;
 * - the new condition goes last.
 */
export function setCondition(
  status: JobStatus,
  type: ConditionType,
  conditionStatus: JobCondition['status'],
  reason: string,
  message: string,
  now: string,
): boolean {
  if (isFinished(status)) return false;
  const existing = findCondition(status, type);
  if (existing && existing.status === conditionStatus && existing.reason === reason) return false;
  const lastTransitionTime = existing?.status === conditionStatus ? existing.lastTransitionTime : now;
  const excluded: ConditionType | undefined =
    type === 'Running' ? 'Restarting' : type === 'Restarting' ? 'Running' : undefined;
  const kept = (status.conditions ?? [])
    .filter((condition) => condition.type !== type && condition.type !== excluded)
    .map((condition) =>
      (type === 'Succeeded' || type === 'Failed') && condition.type === 'Running'
        ? { ...condition, status: 'False' as const }
        : condition,
    );
  status.conditions = [
    ...kept,
    { type, status: conditionStatus, reason, message, lastUpdateTime: now, lastTransitionTime },
  ];
  return true;
}

export interface ReplicaFailure {
  /** `FailedCreate` or `FailedDelete`, as ReplicaSet's controller writes them. */
  reason: 'FailedCreate' | 'FailedDelete';
  /** The API server's message, naming the object. */
  message: string;
}

/**
 * Sets (or, with `failure` undefined, removes) the ReplicaFailure condition: an object of the job that
 * the API server refuses to create or delete (ReplicaSet's convention). It tells nothing of where the
 * job is, so it never goes last: the State column and the jobs-by-state gauge read the last condition.
 * Unlike the state conditions it still changes once the job has finished, because a clean-up the API
 * server refuses is worth showing. A new message updates it; its lastTransitionTime stays that of the
 * first refusal.
 */
export function setReplicaFailure(
  status: JobStatus,
  failure: ReplicaFailure | undefined,
  now: string,
): boolean {
  const existing = findCondition(status, 'ReplicaFailure');
  const others = (status.conditions ?? []).filter((condition) => condition.type !== 'ReplicaFailure');
  if (!failure) {
    if (!existing) return false;
    status.conditions = others;
    return true;
  }
  if (existing?.reason === failure.reason && existing.message === failure.message) return false;
  const condition: JobCondition = {
    type: 'ReplicaFailure',
    status: 'True',
    reason: failure.reason,
    message: failure.message,
    lastUpdateTime: now,
    lastTransitionTime: existing?.lastTransitionTime ?? now,
  };
  status.conditions = [...others.slice(0, -1), condition, ...others.slice(-1)];
  return true;
}
