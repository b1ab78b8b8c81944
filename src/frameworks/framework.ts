// The one interface every framework answers; generic code never asks which framework it holds.
import type { V1EnvVar, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import type { Construct } from 'constructs';
import type { KindInfo } from '../api/kinds.ts';
import type { Verb } from '../kube/request-counter.ts';
import type { Job, KubeflowJob } from '../api/types.ts';
import type { StatusContext } from '../status/context.ts';

/** Operator settings that change what is rendered (the manager's flags; the CLI's options). */
export interface RenderOptions {
  /** `--gang-scheduler-name`: `volcano`, or any other name for scheduler-plugins; unset = no gang scheduling. */
  gangSchedulerName?: string;
  /** Framework settings by flag name (Framework.settings); one not given takes its default. */
  settings?: Readonly<Record<string, string | number>>;
}

/** No gang scheduling, and every framework setting at its default. */
export const DEFAULT_RENDER_OPTIONS: RenderOptions = {};

/**
 * A framework's own setting: a `run` flag (with its TRAINING_OPERATOR_<FLAG> twin), also a `synth` flag
 * where `synth` says so, and its default (a string setting may have none).
 */
export type Setting = ({ type: 'string'; default?: string } | { type: 'number'; default: number }) & {
  describe: string;
  /** An environment variable that, where set, is the `run` flag's default (as the reference reads it). */
  env?: string;
  synth?: boolean;
};

/** The type of a setting's value: a number, a string, or a string that may be unset. */
type SettingValue<T extends Setting> = T extends { type: 'number' }
  ? number
  : T extends { default: string }
    ? string
    : string | undefined;

/** The value of one of a framework's settings: the one given under its flag name, else its default. */
export function settingOf<S extends Record<string, Setting>, F extends keyof S & string>(
  options: RenderOptions,
  settings: S,
  flag: F,
): SettingValue<S[F]> {
  return (options.settings?.[flag] ?? settings[flag].default) as SettingValue<S[F]>;
}

/** A kind of object a framework creates besides pods and services. */
export interface OwnedKind {
  apiVersion: string;
  kind: string;
  /** Whether a live object that differs from the desired one is patched back; else it is only created and deleted. */
  patched: boolean;
  /** Whether suspending the job deletes it, like the job's pods (an autoscaler would scale a suspended job). */
  deletedOnSuspend?: boolean;
}

/** One rule of a Role, as the Kubernetes RBAC API spells it. */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: Verb[];
  resourceNames?: string[];
}

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
  /**
   * Framework-specific defaults, applied in memory after the shared replica defaults and before the
   * run-policy defaults (src/api/defaults.ts), so that a legacy field can still fill the run policy.
   */
  defaults?(job: Job<J>): void;
  /** Whether a pod gets `training.kubeflow.org/job-role: master`. */
  isMasterRole(job: Job<J>, replicaType: string, index: number): boolean;
  /** Env, init containers and volumes the framework adds to a replica's pod spec (a copy of its template). */
  configurePod(context: PodContext<J>, pod: V1PodSpec): void;
  /** Whether each pod gets a headless service of the same name (all but MPI). */
  createsServices: boolean;
  /** The kinds addConstructs creates, for the caches, the diff and the operator's RBAC. */
  owns?: readonly OwnedKind[];
  /**
   * The rules of the Roles addConstructs creates, without their per-job resourceNames: RBAC lets the
   * operator create a Role only when it holds every permission the Role grants.
   */
  grants?: readonly PolicyRule[];
  /** The framework's settings by flag name; their flag names are the operator's `run` flags. */
  settings?: Readonly<Record<string, Setting>>;
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
