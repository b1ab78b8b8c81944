// Reading a job's state the way `kubectl get` shows it, and its progress per replica type.
import { KINDS } from '../api/kinds.ts';
import type { ConditionType, JobCondition, ReplicaSpec } from '../api/types.ts';
import { kindOf, type TrainingJob } from './types.ts';

/** Pod counts of one replica type: how many are wanted and how many run, succeeded and failed. */
export interface ReplicaProgress {
  type: string;
  /** `replicas` of the type's spec (1 when unset). */
  total: number;
  active: number;
  succeeded: number;
  failed: number;
}

/** The job's condition of this type, whatever its status. */
export function conditionOf(job: TrainingJob, type: ConditionType): JobCondition | undefined {
  return job.status?.conditions?.find((condition) => condition.type === type);
}

/** Whether the job's condition of this type is True. */
export function hasCondition(job: TrainingJob, type: ConditionType): boolean {
  return conditionOf(job, type)?.status === 'True';
}

export const isFinished = (job: TrainingJob) => hasCondition(job, 'Succeeded') || hasCondition(job, 'Failed');

/**
 * The State column of `kubectl get`: the newest True condition (ReplicaFailure aside, which is no state);
 * `Pending` while the operator has not seen the job.
 */
export function jobState(job: TrainingJob): string {
  const conditions = (job.status?.conditions ?? []).filter(
    (condition) => condition.status === 'True' && condition.type !== 'ReplicaFailure',
  );
  return conditions.at(-1)?.type ?? 'Pending';
}

/** The job's replica map: `spec.pytorchReplicaSpecs`, `spec.tfReplicaSpecs`, ... */
export function replicaSpecsOf(job: TrainingJob): Record<string, ReplicaSpec> {
  const field = KINDS[kindOf(job)].replicaSpecsField;
  return ((job.spec as unknown as Record<string, unknown>)[field] ?? {}) as Record<string, ReplicaSpec>;
}

/** Replica types in the kind's canonical order, then any other alphabetically. */
export function replicaTypesOf(job: TrainingJob): string[] {
  const specs = replicaSpecsOf(job);
  const canonical = KINDS[kindOf(job)].replicaTypes.filter((type) => type in specs);
  return [
    ...canonical,
    ...Object.keys(specs)
      .filter((type) => !canonical.includes(type))
      .sort(),
  ];
}

/** Per replica type, from `spec` (wanted) and `status.replicaStatuses` (observed by the operator). */
export function replicaProgress(job: TrainingJob): ReplicaProgress[] {
  const specs = replicaSpecsOf(job);
  return replicaTypesOf(job).map((type) => {
    const observed = job.status?.replicaStatuses?.[type] ?? {};
    return {
      type,
      total: specs[type].replicas ?? 1,
      active: observed.active ?? 0,
      succeeded: observed.succeeded ?? 0,
      failed: observed.failed ?? 0,
    };
  });
}

/** `Worker: 2/3 running, 1 succeeded, 0 failed`. */
export function formatReplicaProgress(progress: ReplicaProgress): string {
  return (
    `${progress.type}: ${progress.active}/${progress.total} running, ` +
    `${progress.succeeded} succeeded, ${progress.failed} failed`
  );
}
