// PyTorchJob: torchrun's MASTER_*/PET_* environment, the wait-for-master init container, elastic
// defaults and the elastic HPA (the reference's pkg/controller.v1/pytorch/envvar.go, master.go, elastic.go,
// initcontainer.go, hpa.go and pkg/apis/kubeflow.org/v1/pytorch_defaults.go, release-1.9).
import type { V1Container, V1EnvVar } from '@kubernetes/client-node';
import type { Construct } from 'constructs';
import { KINDS } from '../api/kinds.ts';
import { replicaName } from '../api/names.ts';
import { defaultContainerPort, replicaSpecs, totalReplicas } from '../api/job.ts';
import type { Job } from '../api/types.ts';
import type { ElasticPolicy, PyTorchJob } from '../../generated/kubeflow.org/v1/index.ts';
import { defaultElasticReplicas } from './elastic.ts';
import {
  appendEnv,
  envVar,
  type Framework,
  type OwnedKind,
  type PodContext,
  type RenderOptions,
  type Setting,
  settingOf,
} from './framework.ts';
import { ManifestObject } from '../render/manifest.ts';
import { coordinatorStatus } from '../status/rules.ts';

const info = KINDS.PyTorchJob;
const PORT_NAME = info.defaultPort!.name;

const SETTINGS = {
  'pytorch-init-container-image': {
    type: 'string',
    default: 'alpine:3.10',
    describe: 'image of the PyTorch wait-for-master init container',
  },
  'pytorch-init-container-max-tries': {
    type: 'number',
    default: 100,
    describe: 'DNS lookups the init container tries',
  },
} satisfies Record<string, Setting>;

type PyTorch = Job<PyTorchJob>;

function elasticPolicy(job: PyTorch): ElasticPolicy | undefined {
  return job.spec.elasticPolicy;
}

function masterEnv(job: PyTorch, replicaType: string, index: number): V1EnvVar[] {
  const port = defaultContainerPort(job, 'Master', PORT_NAME);
  if (port === undefined) {
    throw new Error(
      `PyTorchJob ${job.metadata.name}: the Master's "pytorch" container has no port named ${PORT_NAME}`,
    );
  }
  const nproc = Number.parseInt(job.spec.nprocPerNode ?? '', 10);
  const worldSize = totalReplicas(job) * (Number.isInteger(nproc) ? nproc : 1);
  const rank = replicaType === 'Master' ? index : index + 1;
  const address = replicaName(job.metadata.name, 'Master', 0);
  return [
    envVar('MASTER_PORT', port),
    envVar('PET_MASTER_PORT', port),
    envVar('MASTER_ADDR', address),
    envVar('PET_MASTER_ADDR', address),
    envVar('WORLD_SIZE', worldSize),
    envVar('RANK', rank),
    envVar('PET_NODE_RANK', rank),
  ];
}

function elasticEnv(job: PyTorch, policy: ElasticPolicy): V1EnvVar[] {
  const host = policy.rdzvHost ?? replicaName(job.metadata.name, 'Worker', 0);
  const port = policy.rdzvPort ?? defaultContainerPort(job, 'Worker', PORT_NAME);
  if (port === undefined) {
    throw new Error(
      `PyTorchJob ${job.metadata.name}: the Worker's "pytorch" container has no port named ${PORT_NAME}`,
    );
  }
  const env = [
    envVar('PET_RDZV_ENDPOINT', `${host}:${port}`),
    envVar('PET_RDZV_BACKEND', policy.rdzvBackend || 'c10d'),
    envVar('PET_NNODES', `${policy.minReplicas}:${policy.maxReplicas}`),
  ];
  if (policy.maxRestarts !== undefined) env.push(envVar('PET_MAX_RESTARTS', policy.maxRestarts));
  if (policy.nProcPerNode !== undefined) env.push(envVar('PET_NPROC_PER_NODE', policy.nProcPerNode));
  if (policy.rdzvId !== undefined) env.push(envVar('PET_RDZV_ID', policy.rdzvId));
  if (policy.rdzvConf) {
    env.push(
      envVar(
        'PET_RDZV_CONF',
        policy.rdzvConf.map(({ key, value }) => `${key ?? ''}=${value ?? ''}`).join(','),
      ),
    );
  }
  if (policy.standalone) env.push(envVar('PET_STANDALONE', ''));
  return env;
}

function podEnv({ job, replicaType, index }: PodContext<PyTorchJob>): V1EnvVar[] {
  const env = [envVar('PYTHONUNBUFFERED', '1')];
  if ('Master' in replicaSpecs(job)) env.push(...masterEnv(job, replicaType, index));
  const nprocPerNode = job.spec.nprocPerNode;
  if (nprocPerNode !== undefined) env.push(envVar('PET_NPROC_PER_NODE', nprocPerNode));
  const policy = elasticPolicy(job);
  env.push(...(policy ? elasticEnv(job, policy) : [envVar('PET_NNODES', totalReplicas(job))]));
  return env;
}

/** Workers wait until the master's service resolves, so rendezvous does not start against nothing. */
function waitForMasterInitContainer(job: PyTorch, options: RenderOptions): V1Container {
  const master = replicaName(job.metadata.name, 'Master', 0);
  const maxTries = settingOf(options, SETTINGS, 'pytorch-init-container-max-tries');
  return {
    name: 'init-pytorch',
    image: settingOf(options, SETTINGS, 'pytorch-init-container-image'),
    imagePullPolicy: 'IfNotPresent',
    resources: { limits: { cpu: '100m', memory: '20Mi' }, requests: { cpu: '50m', memory: '10Mi' } },
    command: [
      'sh',
      '-c',
      `err=1;for i in $(seq ${maxTries}); do if nslookup ${master}; then err=0 && break; fi;echo waiting for master; sleep 2; done; exit $err`,
    ],
  };
}

const HPA = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  patched: true,
  deletedOnSuspend: true,
} as const satisfies OwnedKind;

/** Elastic training scales the Worker replicas between minReplicas and maxReplicas on these metrics. */
class ElasticHpa extends ManifestObject {
  constructor(scope: Construct, job: PyTorch, policy: ElasticPolicy) {
    super(scope, 'ElasticHpa', {
      apiVersion: HPA.apiVersion,
      kind: HPA.kind,
      metadata: { name: job.metadata.name },
      spec: {
        scaleTargetRef: { apiVersion: job.apiVersion, kind: job.kind, name: job.metadata.name },
        minReplicas: policy.minReplicas,
        maxReplicas: policy.maxReplicas,
        metrics: policy.metrics,
      },
    });
  }
}

export const pytorch: Framework<PyTorchJob> = {
  info,
  createsServices: true,
  owns: [HPA],
  settings: SETTINGS,

  updateStatus(context) {
    coordinatorStatus(context, {
      coordinator: 'Master',
      elasticWorkerSuccess: elasticPolicy(context.job) !== undefined,
    });
  },

  warnings(job) {
    if (job.spec?.elasticPolicy?.nProcPerNode === undefined) return [];
    return ['spec.elasticPolicy.nProcPerNode is deprecated, use spec.nprocPerNode instead'];
  },

  defaults(job) {
    const policy = elasticPolicy(job);
    defaultElasticReplicas(policy, replicaSpecs(job).Worker?.replicas);
    if (policy?.nProcPerNode === undefined) job.spec.nprocPerNode ??= 'auto';
  },

  isMasterRole(job, replicaType, index) {
    return 'Master' in replicaSpecs(job) ? replicaType === 'Master' : replicaType === 'Worker' && index === 0;
  },

  configurePod(context, pod) {
    const env = podEnv(context);
    for (const container of pod.containers) appendEnv(container, env);
    if (context.replicaType === 'Worker' && 'Master' in replicaSpecs(context.job)) {
      pod.initContainers = [
        ...(pod.initContainers ?? []),
        waitForMasterInitContainer(context.job, context.options),
      ];
    }
  },

  addConstructs(chart, job) {
    const policy = elasticPolicy(job);
    if (policy?.metrics) new ElasticHpa(chart, job, policy);
  },
};
