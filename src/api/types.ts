// The generic view of a job that the framework-independent code works with. Every kind has the same
// runPolicy, replica specs and status; only the name of the replica map differs (kinds.ts).
import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { JobStatus, RunPolicy } from '../../generated/kubeflow.org/v1/index.ts';
import type { KindName } from './kinds.ts';

// The shapes shared by all six kinds come from the CRDs (npm run generate); only the generic job
// envelope below is written by hand, because each kind names its replica map differently.
export type {
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

/** Fields of every kind's spec; the kind-specific ones (replica map, elasticPolicy, ...) are read by key. */
export interface JobSpec {
  runPolicy?: RunPolicy;
  [field: string]: unknown;
}

export interface Job {
  apiVersion: string;
  kind: KindName;
  metadata: V1ObjectMeta & { name: string };
  spec: JobSpec;
  status?: JobStatus;
}

/** A Kubernetes object as plain JSON, the unit that render produces and the reconciler applies. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: V1ObjectMeta & { name: string };
  [field: string]: unknown;
}
