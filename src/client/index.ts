// The TypeScript client for kubeflow.org/v1 jobs: `import { TrainingClient } from 'training-operator/client'`.
export {
  TrainingClient,
  type DeleteJobOptions,
  type JobProgress,
  type ListJobsOptions,
  type LogsOptions,
  type PodFilter,
  type TrainingClientOptions,
  type WaitOptions,
} from './training-client.ts';
export type { JobOfKind, JobRef, TrainingJob } from './types.ts';
export {
  ConflictError,
  InvalidError,
  JobFailedError,
  NotFoundError,
  TrainingClientError,
  WaitTimeoutError,
  type FieldCause,
} from './errors.ts';
export { logPrefix, type LogLine } from './logs.ts';
export { resolveKind } from './kinds.ts';
export {
  conditionOf,
  formatReplicaProgress,
  hasCondition,
  isFinished,
  jobState,
  replicaProgress,
  replicaTypesOf,
  type ReplicaProgress,
} from './status.ts';
export type { KindName } from '../api/kinds.ts';
export type { ConditionType, JobCondition } from '../api/types.ts';
