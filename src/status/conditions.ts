// Job conditions (the reference's pkg/util/status.go): one condition per type, the newest transition last,
// so that the State column (the last condition's type) shows where the job is.
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
