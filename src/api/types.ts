// The job types the framework-independent code works with, all generated from the CRDs (npm run
// generate): every kind has the same runPolicy, replica specs and status; only the name of the replica
// map differs (kinds.ts).
import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { KubeflowJob } from '../../generated/kubeflow.org/v1/index.ts';
import type { KindName } from './kinds.ts';

export type {
  KubeflowJob,
  JobCondition,
  JobStatus,
  ReplicaSpec,
  ReplicaStatus,
  RunPolicy,
  SchedulingPolicy,
} from '../../generated/kubeflow.org/v1/index.ts';

/** The reference's conditions, plus ReplicaSet's ReplicaFailure: objects the API server refuses. */
export type ConditionType =
  'Created' | 'Running' | 'Restarting' | 'Succeeded' | 'Suspended' | 'Failed' | 'ReplicaFailure';

/**
 * A job as the operator handles it: one of the six generated kinds (`kind` tells them apart), with the
 * name every stored job has. `Job<PyTorchJob>` is a PyTorchJob; `Job` is any of them.
 */
export type Job<J extends KubeflowJob = KubeflowJob> = J extends KubeflowJob
  ? J & { metadata: V1ObjectMeta & { name: string } }
  : never;

/** The job type of one kind: `JobOfKind<'MPIJob'>` is `Job<MPIJob>`. */
export type JobOfKind<K extends KindName> = Job<Extract<KubeflowJob, { kind: K }>>;

/** A Kubernetes object as plain JSON, the unit that render produces and the reconciler applies. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: V1ObjectMeta & { name: string };
  [field: string]: unknown;
}
