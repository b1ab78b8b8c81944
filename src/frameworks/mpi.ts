// MPIJob v1: a launcher that drives workers through `kubectl exec` (the reference's
// pkg/controller.v1/mpi/mpijob_controller.go and mpijob.go, release-1.9). What an MPIJob creates:
// - MpiConfig: the ConfigMap `<job>-config` with the hostfile, kubexec.sh and discover_hosts.sh;
// - LauncherAccess: the launcher's ServiceAccount, and a Role and RoleBinding `<job>-launcher` that let
//   it exec into the workers;
// - the launcher pod `<job>-launcher` (configureLauncher: kubectl-delivery init container, OMPI_* and
//   I_MPI_* env, both volumes) and worker pods `<job>-worker-<i>` (configureWorker: kubexec.sh volume,
//   `sleep 365d` when they have no command), from src/render/replicas.ts;
// - no services: the launcher reaches workers by pod name through the API server.
import type { V1Container, V1EnvVar, V1PodSpec, V1Volume } from '@kubernetes/client-node';
import { Construct } from 'constructs';
import type { MPIJob } from '../../generated/kubeflow.org/v1/index.ts';
import { KINDS, LABELS } from '../api/kinds.ts';
import { replicaName } from '../api/names.ts';
import { replicaSpecs } from '../api/job.ts';
import type { Job } from '../api/types.ts';
import { ManifestObject } from '../render/manifest.ts';
import {
  envVar,
  type Framework,
  type Observed,
  type PolicyRule,
  type RenderOptions,
  type Setting,
  settingOf,
} from './framework.ts';
import { coordinatorStatus } from '../status/rules.ts';

const info = KINDS.MPIJob;
const CONFIG_VOLUME = 'mpi-job-config';
const KUBECTL_VOLUME = 'mpi-job-kubectl';
const CONFIG_MOUNT = '/etc/mpi';
const KUBECTL_MOUNT = '/opt/kube';
const EXECUTABLE = 0o555;
const READ_ONLY = 0o444;

const SETTINGS = {
  'mpi-kubectl-delivery-image': {
    type: 'string',
    default: 'ghcr.io/kubeflow/training-v1/kubectl-delivery:latest',
    describe: 'image of the MPI launcher kubectl-delivery init container',
    synth: true,
  },
} satisfies Record<string, Setting>;

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const RBAC_API = `${RBAC_GROUP}/v1`;

/** The launcher reads the job's pods and runs its ranks in the workers through `kubectl exec`. */
const LAUNCHER_RULES: PolicyRule[] = [
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] },
];

export const launcherName = (job: Mpi) => `${job.metadata.name}-launcher`;
export const configMapName = (job: Mpi) => `${job.metadata.name}-config`;

type Mpi = Job<MPIJob>;

function slotsPerWorker(job: Mpi): number {
  return job.spec.slotsPerWorker ?? 1;
}

function workerCount(job: Mpi): number {
  return replicaSpecs(job).Worker?.replicas ?? 0;
}

function launcherServiceAccount(job: Mpi): string {
  return replicaSpecs(job).Launcher?.template?.spec?.serviceAccountName || launcherName(job);
}

/** A launcher that asks for GPUs runs ranks itself, so it is listed in the hostfile too. */
export function isGpuLauncher(job: Mpi): boolean {
  const containers = replicaSpecs(job).Launcher?.template?.spec?.containers ?? [];
  return containers.some((container) =>
    Object.keys(container.resources?.limits ?? {}).some(
      (key) => key.endsWith('.com/gpu') || key.includes('gpu'),
    ),
  );
}

export function hostfile(job: Mpi): string {
  const slots = slotsPerWorker(job);
  const hosts = Array.from({ length: workerCount(job) }, (_, i) =>
    replicaName(job.metadata.name, 'Worker', i),
  );
  if (isGpuLauncher(job)) hosts.unshift(launcherName(job));
  return hosts.map((host) => `${host} slots=${slots}\n`).join('');
}

export function kubexecScript(job: Mpi): string {
  const { mainContainer } = job.spec;
  const container = mainContainer ? ` --container ${mainContainer}` : '';
  return [
    '#!/bin/sh',
    'set -x',
    'POD_NAME=$1',
    'shift',
    `/opt/kube/kubectl exec \${POD_NAME}${container} -- /bin/sh -c "$*"`,
  ].join('\n');
}

/** The names of the job's running workers, sorted: all that render reads of the observed pods. */
function runningWorkers(observed: Observed): string[] {
  return observed.pods
    .filter(
      (pod) => pod.status?.phase === 'Running' && pod.metadata?.labels?.[LABELS.replicaType] === 'worker',
    )
    .map((pod) => pod.metadata!.name!)
    .sort();
}

/** Horovod's elastic host discovery: the running workers owned by the job, sorted by name. */
export function discoverHostsScript(job: Mpi, observed: Observed): string {
  const slots = slotsPerWorker(job);
  const running = runningWorkers(observed);
  const lines = isGpuLauncher(job) ? [`\necho ${launcherName(job)}:${slots}\n`] : [];
  return ['#!/bin/sh', ...lines, ...running.map((name) => `\necho ${name}:${slots}`)].join('');
}

function configVolume(job: Mpi, items: [key: string, mode: number][]): V1Volume {
  return {
    name: CONFIG_VOLUME,
    configMap: { name: configMapName(job), items: items.map(([key, mode]) => ({ key, path: key, mode })) },
  };
}

function configureWorker(job: Mpi, pod: V1PodSpec): void {
  const [main] = pod.containers;
  if (!main.command?.length) {
    main.command = ['sleep'];
    main.args = ['365d'];
  }
  main.volumeMounts = [...(main.volumeMounts ?? []), { name: CONFIG_VOLUME, mountPath: CONFIG_MOUNT }];
  pod.volumes = [...(pod.volumes ?? []), configVolume(job, [['kubexec.sh', EXECUTABLE]])];
}

function kubectlDelivery(job: Mpi, options: RenderOptions): V1Container {
  const limits = { cpu: '100m', memory: '512Mi', 'ephemeral-storage': '5Gi' };
  return {
    name: 'kubectl-delivery',
    image: settingOf(options, SETTINGS, 'mpi-kubectl-delivery-image'),
    imagePullPolicy: 'IfNotPresent',
    env: [envVar('TARGET_DIR', KUBECTL_MOUNT), envVar('NAMESPACE', job.metadata.namespace ?? 'default')],
    volumeMounts: [
      { name: KUBECTL_VOLUME, mountPath: KUBECTL_MOUNT },
      { name: CONFIG_VOLUME, mountPath: CONFIG_MOUNT },
    ],
    resources: { limits, requests: { ...limits } },
  };
}

function launcherEnv(job: Mpi, existing: V1EnvVar[]): V1EnvVar[] {
  const env = [
    envVar('OMPI_MCA_plm_rsh_agent', `${CONFIG_MOUNT}/kubexec.sh`),
    envVar('OMPI_MCA_orte_default_hostfile', `${CONFIG_MOUNT}/hostfile`),
  ];
  // A CPU-only launcher must not grab GPUs that the node's runtime would otherwise expose to it.
  if (!isGpuLauncher(job))
    env.push(envVar('NVIDIA_VISIBLE_DEVICES', ''), envVar('NVIDIA_DRIVER_CAPABILITIES', ''));
  const userSet = new Set(existing.map((variable) => variable.name));
  if (!userSet.has('I_MPI_HYDRA_BOOTSTRAP')) env.push(envVar('I_MPI_HYDRA_BOOTSTRAP', 'rsh'));
  if (!userSet.has('I_MPI_HYDRA_BOOTSTRAP_EXEC')) {
    env.push(envVar('I_MPI_HYDRA_BOOTSTRAP_EXEC', `${CONFIG_MOUNT}/kubexec.sh`));
  }
  return env;
}

function configureLauncher(job: Mpi, options: RenderOptions, pod: V1PodSpec): void {
  pod.serviceAccountName ||= launcherName(job);
  pod.initContainers = [...(pod.initContainers ?? []), kubectlDelivery(job, options)];
  const [main] = pod.containers;
  main.env = [...(main.env ?? []), ...launcherEnv(job, main.env ?? [])];
  main.volumeMounts = [
    ...(main.volumeMounts ?? []),
    { name: KUBECTL_VOLUME, mountPath: KUBECTL_MOUNT },
    { name: CONFIG_VOLUME, mountPath: CONFIG_MOUNT },
  ];
  pod.volumes = [
    ...(pod.volumes ?? []),
    { name: KUBECTL_VOLUME, emptyDir: {} },
    configVolume(job, [
      ['kubexec.sh', EXECUTABLE],
      ['hostfile', READ_ONLY],
      ['discover_hosts.sh', EXECUTABLE],
    ]),
  ];
}

/** The hostfile, kubexec.sh and discover_hosts.sh that the launcher and the workers mount at /etc/mpi. */
class MpiConfig extends ManifestObject {
  constructor(scope: Construct, job: Mpi, observed: Observed) {
    super(scope, 'MpiConfig', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: configMapName(job), labels: { app: job.metadata.name } },
      data: {
        hostfile: hostfile(job),
        'kubexec.sh': kubexecScript(job),
        'discover_hosts.sh': discoverHostsScript(job, observed),
      },
    });
  }
}

/**
 * Who the launcher runs as: its ServiceAccount (the template's own, if it names one), with a Role that
 * reads pods and may `kubectl exec` into exactly the job's workers.
 */
class LauncherAccess extends Construct {
  constructor(scope: Construct, job: Mpi) {
    super(scope, 'LauncherAccess');
    const labels = { app: job.metadata.name };
    const name = launcherName(job);
    const serviceAccount = launcherServiceAccount(job);
    const workers = Array.from({ length: workerCount(job) }, (_, i) =>
      replicaName(job.metadata.name, 'Worker', i),
    );
    new ManifestObject(this, 'ServiceAccount', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: serviceAccount, labels },
    });
    new ManifestObject(this, 'Role', {
      apiVersion: RBAC_API,
      kind: 'Role',
      metadata: { name, labels },
      // Exec only into this job's workers.
      rules: LAUNCHER_RULES.map((rule) =>
        rule.resources.includes('pods/exec') ? { ...rule, resourceNames: workers } : rule,
      ),
    });
    new ManifestObject(this, 'RoleBinding', {
      apiVersion: RBAC_API,
      kind: 'RoleBinding',
      metadata: { name, labels },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace: job.metadata.namespace }],
      roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name },
    });
  }
}

export const mpi: Framework<MPIJob> = {
  info,
  createsServices: false,
  owns: [
    { apiVersion: 'v1', kind: 'ConfigMap', patched: true },
    { apiVersion: 'v1', kind: 'ServiceAccount', patched: false },
    { apiVersion: RBAC_API, kind: 'Role', patched: true },
    { apiVersion: RBAC_API, kind: 'RoleBinding', patched: false },
  ],
  grants: LAUNCHER_RULES,
  settings: SETTINGS,

  updateStatus(context) {
    coordinatorStatus(context, { coordinator: 'Launcher' });
  },

  /**
   * MPIJob's legacy spec.cleanPodPolicy fills runPolicy's when that names none (None when neither does),
   * and afterwards the two agree (pkg/apis/kubeflow.org/v1/mpi_defaults.go).
   */
  defaults(job) {
    const cleanPodPolicy = job.spec.runPolicy?.cleanPodPolicy ?? job.spec.cleanPodPolicy ?? 'None';
    job.spec.runPolicy = { ...job.spec.runPolicy, cleanPodPolicy };
    job.spec.cleanPodPolicy = cleanPodPolicy;
  },

  podName(job, replicaType, index) {
    return replicaType === 'Launcher'
      ? launcherName(job)
      : replicaName(job.metadata.name, replicaType, index);
  },

  labelsReplicaIndex(replicaType) {
    return replicaType !== 'Launcher';
  },

  isMasterRole(_job, replicaType) {
    return replicaType === 'Launcher';
  },

  configurePod({ job, replicaType, options }, pod) {
    if (replicaType === 'Launcher') configureLauncher(job, options, pod);
    else configureWorker(job, pod);
  },

  observedInputs: runningWorkers,

  addConstructs(chart, job, _options, observed) {
    new MpiConfig(chart, job, observed);
    new LauncherAccess(chart, job);
  },
};
