// The generic view of a job that the framework-independent code works with. Every kind has the same
// runPolicy, replica specs and status; only the name of the replica map differs (kinds.ts).
import type { V1ObjectMeta, V1PodTemplateSpec } from '@kubernetes/client-node';
import type { CleanPodPolicy, KindName, RestartPolicy } from './kinds.ts';

export interface ReplicaSpec {
  replicas?: number;
  restartPolicy?: RestartPolicy;
  template?: V1PodTemplateSpec;
}

export interface SchedulingPolicy {
  minAvailable?: number;
  queue?: string;
  minResources?: Record<string, string | number>;
  priorityClass?: string;
  scheduleTimeoutSeconds?: number;
}

export interface RunPolicy {
  cleanPodPolicy?: CleanPodPolicy;
  ttlSecondsAfterFinished?: number;
  activeDeadlineSeconds?: number;
  backoffLimit?: number;
  schedulingPolicy?: SchedulingPolicy;
  suspend?: boolean;
  managedBy?: string;
}

export type ConditionType = 'Created' | 'Running' | 'Restarting' | 'Succeeded' | 'Suspended' | 'Failed';

export interface JobCondition {
  type: ConditionType;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export interface ReplicaStatus {
  active?: number;
  succeeded?: number;
  failed?: number;
  selector?: string;
}

export interface JobStatus {
  conditions?: JobCondition[];
  replicaStatuses?: Record<string, ReplicaStatus>;
  startTime?: string;
  completionTime?: string;
  lastReconcileTime?: string;
}

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
