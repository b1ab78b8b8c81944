// The six kubeflow.org/v1 job kinds and the constants that distinguish them (the reference's
// pkg/apis/kubeflow.org/v1/*_types.go at release-1.9).
import type { KubeflowJobsByKind, ReplicaSpec } from '../../generated/kubeflow.org/v1/index.ts';

export const GROUP = 'kubeflow.org';
export const VERSION = 'v1';
export const API_VERSION = `${GROUP}/${VERSION}`;

export const KIND_NAMES = ['PyTorchJob', 'TFJob', 'XGBoostJob', 'MPIJob', 'PaddleJob', 'JAXJob'] as const;
export type KindName = (typeof KIND_NAMES)[number];

/** The generated spec type of one kind. */
export type SpecOf<K extends KindName> = KubeflowJobsByKind[K]['spec'];

export interface KindInfo<K extends KindName = KindName> {
  kind: K;
  plural: string;
  singular: string;
  listKind: string;
  /** The spec field that holds the replica map, e.g. `pytorchReplicaSpecs`. */
  replicaSpecsField: string;
  /** That field of a spec, read through the kind's generated type. */
  replicaSpecsOf(spec: SpecOf<K>): Record<string, ReplicaSpec> | undefined;
  /** Replica types in their canonical spelling, in the order defaulting normalises them. */
  replicaTypes: readonly string[];
  /** The container whose ports become service ports and whose exit code decides restarts. */
  defaultContainer: string;
  /** The port appended by defaulting; MPIJob has none. */
  defaultPort?: { name: string; port: number };
  defaultRestartPolicy: RestartPolicy;
  /** Replica counts other than 1 that defaulting gives a type whose `replicas` is unset. */
  defaultReplicas?: Readonly<Record<string, number>>;
  /** Value of the `training.kubeflow.org/operator-name` label. */
  controllerName: string;
  /** Value of the `framework` metrics label. */
  framework: string;
  /** Whether the CRD has a scale subresource over the Worker replicas. */
  scalesWorkers: boolean;
}

/** The CRD's enum (scripts/crd/source.ts), through the generated types. */
export type RestartPolicy = NonNullable<ReplicaSpec['restartPolicy']>;
export type CleanPodPolicy = 'All' | 'Running' | 'None';

export const KINDS: { [K in KindName]: KindInfo<K> } = {
  PyTorchJob: {
    kind: 'PyTorchJob',
    plural: 'pytorchjobs',
    singular: 'pytorchjob',
    listKind: 'PyTorchJobList',
    replicaSpecsField: 'pytorchReplicaSpecs',
    replicaSpecsOf: (spec) => spec.pytorchReplicaSpecs,
    replicaTypes: ['Master', 'Worker'],
    defaultContainer: 'pytorch',
    defaultPort: { name: 'pytorchjob-port', port: 23456 },
    defaultRestartPolicy: 'OnFailure',
    controllerName: 'pytorchjob-controller',
    framework: 'pytorch',
    scalesWorkers: true,
  },
  TFJob: {
    kind: 'TFJob',
    plural: 'tfjobs',
    singular: 'tfjob',
    listKind: 'TFJobList',
    replicaSpecsField: 'tfReplicaSpecs',
    replicaSpecsOf: (spec) => spec.tfReplicaSpecs,
    replicaTypes: ['PS', 'Worker', 'Chief', 'Master', 'Evaluator'],
    defaultContainer: 'tensorflow',
    defaultPort: { name: 'tfjob-port', port: 2222 },
    defaultRestartPolicy: 'Never',
    controllerName: 'tfjob-controller',
    framework: 'tensorflow',
    scalesWorkers: false,
  },
  XGBoostJob: {
    kind: 'XGBoostJob',
    plural: 'xgboostjobs',
    singular: 'xgboostjob',
    listKind: 'XGBoostJobList',
    replicaSpecsField: 'xgbReplicaSpecs',
    replicaSpecsOf: (spec) => spec.xgbReplicaSpecs,
    replicaTypes: ['Master', 'Worker'],
    defaultContainer: 'xgboost',
    defaultPort: { name: 'xgboostjob-port', port: 9999 },
    defaultRestartPolicy: 'Never',
    controllerName: 'xgboostjob-controller',
    framework: 'xgboost',
    scalesWorkers: false,
  },
  MPIJob: {
    kind: 'MPIJob',
    plural: 'mpijobs',
    singular: 'mpijob',
    listKind: 'MPIJobList',
    replicaSpecsField: 'mpiReplicaSpecs',
    replicaSpecsOf: (spec) => spec.mpiReplicaSpecs,
    replicaTypes: ['Launcher', 'Worker'],
    defaultContainer: 'mpi',
    defaultRestartPolicy: 'Never',
    defaultReplicas: { Worker: 0 },
    controllerName: 'mpijob-controller',
    framework: 'mpi',
    scalesWorkers: false,
  },
  PaddleJob: {
    kind: 'PaddleJob',
    plural: 'paddlejobs',
    singular: 'paddlejob',
    listKind: 'PaddleJobList',
    replicaSpecsField: 'paddleReplicaSpecs',
    replicaSpecsOf: (spec) => spec.paddleReplicaSpecs,
    replicaTypes: ['Master', 'Worker'],
    defaultContainer: 'paddle',
    defaultPort: { name: 'master', port: 36543 },
    defaultRestartPolicy: 'OnFailure',
    controllerName: 'paddlejob-controller',
    framework: 'paddle',
    scalesWorkers: true,
  },
  JAXJob: {
    kind: 'JAXJob',
    plural: 'jaxjobs',
    singular: 'jaxjob',
    listKind: 'JAXJobList',
    replicaSpecsField: 'jaxReplicaSpecs',
    replicaSpecsOf: (spec) => spec.jaxReplicaSpecs,
    replicaTypes: ['Worker'],
    defaultContainer: 'jax',
    defaultPort: { name: 'jaxjob-port', port: 6666 },
    defaultRestartPolicy: 'Never',
    controllerName: 'jaxjob-controller',
    framework: 'jax',
    scalesWorkers: true,
  },
};

export function isKindName(value: unknown): value is KindName {
  return typeof value === 'string' && (KIND_NAMES as readonly string[]).includes(value);
}

/** Labels every object the operator creates carries (pkg/apis/kubeflow.org/v1/common_types.go). */
export const LABELS = {
  operatorName: 'training.kubeflow.org/operator-name',
  jobName: 'training.kubeflow.org/job-name',
  replicaType: 'training.kubeflow.org/replica-type',
  replicaIndex: 'training.kubeflow.org/replica-index',
  jobRole: 'training.kubeflow.org/job-role',
} as const;

/** runPolicy.managedBy values: ours, and Kueue's MultiKueue. */
export const MANAGED_BY_OPERATOR = 'kubeflow.org/training-operator';
export const MANAGED_BY_MULTIKUEUE = 'kueue.x-k8s.io/multikueue';
