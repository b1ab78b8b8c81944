// The one interface every framework answers; generic code never asks which framework it holds.
import type { V1EnvVar, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import type { Construct } from 'constructs';
import type { KindInfo } from '../api/kinds.ts';
import type { Job, KubeflowJob } from '../api/types.ts';
import type { StatusContext } from '../status/context.ts';

/** Operator settings that change what is rendered (the manager's flags; the CLI's options). */
export interface RenderOptions {
  /** `--gang-scheduler-name`: `volcano`, or any other name for scheduler-plugins; unset = no gang scheduling. */
  gangSchedulerName?: string;
  /** Image and tries of the PyTorch worker's wait-for-master init container. */
  pytorchInitContainerImage: string;
  pytorchInitContainerMaxTries: number;
  /** Image of the MPI launcher's kubectl-delivery init container. */
  mpiKubectlDeliveryImage: string;
  /** Cluster domain appended to TF_CONFIG hosts (the reference reads CUSTOM_CLUSTER_DOMAIN). */
  clusterDomain?: string;
}

export const DEFAULT_RENDER_OPTIONS: RenderOptions = {
  pytorchInitContainerImage: 'alpine:3.10',
  pytorchInitContainerMaxTries: 100,
  mpiKubectlDeliveryImage: 'ghcr.io/kubeflow/training-v1/kubectl-delivery:latest',
};

/** Objects the operator observed in the cluster that change the desired state (MPI's host discovery). */
export interface Observed {
  pods: V1Pod[];
}

export interface PodContext<J extends KubeflowJob = KubeflowJob> {
  /** The job with every default applied. */
  job: Job<J>;
  replicaType: string;
  index: number;
  options: RenderOptions;
}

/**
 * What one kind's framework adds to the generic job machinery. `J` is the kind's generated job type, so a
 * framework reads its own fields (elasticPolicy, slotsPerWorker, ...) typed; the registry hands each
 * framework only jobs of its kind.
 */
export interface Framework<J extends KubeflowJob = KubeflowJob> {
  info: KindInfo<J['kind']>;
  /**
   * Warnings the reference's admission webhook gives that the CRD's rules cannot express. The job may be
   * one the schema refused, so any field may be missing.
   */
  warnings?(job: Job<J>): string[];
  /** Framework-specific defaults, applied in memory after the shared ones (src/api/defaults.ts). */
  defaults?(job: Job<J>): void;
  /** Whether a pod gets `training.kubeflow.org/job-role: master`. */
  isMasterRole(job: Job<J>, replicaType: string, index: number): boolean;
  /** Env, init containers and volumes the framework adds to a replica's pod spec (a copy of its template). */
  configurePod(context: PodContext<J>, pod: V1PodSpec): void;
  /** Whether each pod gets a headless service of the same name (all but MPI). */
  createsServices: boolean;
  /** Pod name; the default is `<job>-<type>-<index>`. */
  podName?(job: Job<J>, replicaType: string, index: number): string;
  /** Whether pods of this type carry the replica-index label (MPI's launcher does not). */
  labelsReplicaIndex?(replicaType: string): boolean;
  /** The framework's success and failure rules: conditions from this reconcile's replica counts. */
  updateStatus(context: StatusContext & { job: Job<J> }): void;
  /**
   * Constructs the framework adds to the job's chart (src/render/chart.ts) besides the replicas' pods
   * and services and the PodGroup: MPI's config and launcher access, PyTorch's elastic HPA.
   */
  addConstructs?(chart: Construct, job: Job<J>, options: RenderOptions, observed: Observed): void;
  /**
   * What render reads of the observed objects, as plain data (MPI: the running workers); render is
   * repeated only when it, the job or the options change (src/render/memo.ts). Unset: nothing.
   */
  observedInputs?(observed: Observed): unknown;
}

/** Appends env vars to a container, after the user's own, as the reference does (no de-duplication). */
export function appendEnv(container: { env?: V1EnvVar[] }, vars: V1EnvVar[]): void {
  container.env = [...(container.env ?? []), ...vars];
}

export function envVar(name: string, value: string | number): V1EnvVar {
  return { name, value: String(value) };
}
