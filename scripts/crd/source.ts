// The kubeflow.org/v1 job schemas: field names and shapes of the Kubeflow Training Operator's Go types
// (pkg/apis/kubeflow.org/v1/*_types.go at release-1.9), written compactly; the Kubernetes types they
// embed come from k8s-schemas.json.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KindInfo, KindName, RestartPolicy } from '../../src/api/kinds.ts';
import {
  containerRules,
  derivedNameRules,
  nameRules,
  queueRules,
  replicaMapRules,
  replicaRules,
  type Rule,
  specRules,
  MANAGED_BY_VALUES,
} from './rules.ts';
import { dateTime, quantity, type Schema, truncateDescription, type VendoredSchemas } from './structural.ts';

const RESTART_POLICIES: RestartPolicy[] = ['Always', 'OnFailure', 'Never', 'ExitCode'];

/** Bounds that keep the estimated cost of the CEL rules within the API server's budget (docs/crds.md). */
export const BOUNDS = {
  /** Replica types per job: TFJob knows five, the other kinds two at most. */
  replicaTypes: 16,
  /** Containers per replica pod template. */
  containers: 64,
} as const;

export const vendored = JSON.parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'k8s-schemas.json'), 'utf8'),
) as VendoredSchemas;

const FRAMEWORK_NAMES: Record<KindName, string> = {
  PyTorchJob: 'PyTorch',
  TFJob: 'TensorFlow',
  XGBoostJob: 'XGBoost',
  MPIJob: 'MPI',
  PaddleJob: 'PaddlePaddle',
  JAXJob: 'JAX',
};

const describe = (schema: Schema, description: string): Schema => ({
  ...schema,
  description: truncateDescription(description),
});
const string = (description: string): Schema => describe({ type: 'string' }, description);
const boolean = (description: string): Schema => describe({ type: 'boolean' }, description);
const int32 = (description: string): Schema => describe({ type: 'integer', format: 'int32' }, description);
const int64 = (description: string): Schema => describe({ type: 'integer', format: 'int64' }, description);
const object = (description: string, properties: Record<string, Schema>, extra: Schema = {}): Schema =>
  describe({ type: 'object', properties, ...extra }, description);
const mapOf = (description: string, values: Schema, extra: Schema = {}): Schema =>
  describe({ type: 'object', additionalProperties: values, ...extra }, description);
const listOf = (description: string, items: Schema, extra: Schema = {}): Schema =>
  describe({ type: 'array', items, ...extra }, description);
const validated = (schema: Schema, rules: Rule[]): Schema =>
  rules.length ? { ...schema, 'x-kubernetes-validations': rules } : schema;
const copy = <T>(value: T): T => structuredClone(value);

function schedulingPolicy(): Schema {
  return object('Gang-scheduling settings for the PodGroup created for the job.', {
    minAvailable: int32(
      'Minimum number of pods that must be schedulable together; defaults to all replicas.',
    ),
    minResources: mapOf(
      'Minimum resources the whole gang needs before it is scheduled; computed from the replicas when unset.',
      quantity(),
    ),
    priorityClass: string('PriorityClass of the PodGroup.'),
    queue: validated(string('Scheduler queue the PodGroup is placed in. Immutable once set.'), queueRules()),
    scheduleTimeoutSeconds: int32('Seconds the gang may wait to be scheduled (scheduler-plugins PodGroups).'),
  });
}

function runPolicy(): Schema {
  return object(
    'Policies shared by all kinds: clean-up, retries, deadlines, TTL, gang scheduling, suspension.',
    {
      activeDeadlineSeconds: int64(
        'Seconds since startTime after which the job is failed and its pods are stopped. Must be positive.',
      ),
      backoffLimit: int32(
        'Number of restarts (replicas with restartPolicy OnFailure, Always or ExitCode) before the job is failed.',
      ),
      cleanPodPolicy: string(
        'Which pods are deleted when the job finishes: All, Running or None. Defaults to None.',
      ),
      managedBy: describe(
        { type: 'string', enum: MANAGED_BY_VALUES },
        'Controller that reconciles the job: kubeflow.org/training-operator (this operator, the default) or ' +
          'kueue.x-k8s.io/multikueue. Any other controller skips the job. Immutable.',
      ),
      schedulingPolicy: schedulingPolicy(),
      suspend: describe(
        { type: 'boolean', default: false },
        'Whether the job is suspended: active pods are deleted and no new ones are created until it is resumed. ' +
          'Resuming resets startTime, so activeDeadlineSeconds restarts.',
      ),
      ttlSecondsAfterFinished: int32(
        'Seconds after the job finished (completionTime) before it is deleted. Unset means never.',
      ),
    },
  );
}

function podTemplate(info: KindInfo): Schema {
  const template = copy(vendored.schemas.PodTemplateSpec);
  const pod = (template.properties as Record<string, Schema>).spec;
  const containers = (pod.properties as Record<string, Schema>).containers;
  containers.maxItems = BOUNDS.containers;
  containers.items = validated(containers.items as Schema, containerRules());
  return describe(
    template,
    `Pod template of the replicas. Its restartPolicy is replaced by the replica's restartPolicy; the ` +
      `container named "${info.defaultContainer}" is the one whose ports and exit code the operator uses.`,
  );
}

function replicaSpec(info: KindInfo): Schema {
  return validated(
    object('Replicas of one type and the pod template they run.', {
      replicas: describe(
        { type: 'integer', format: 'int32', minimum: 0 },
        'Number of replicas. Defaults to 1 (MPIJob Worker: 0).',
      ),
      restartPolicy: describe(
        { type: 'string', enum: [...RESTART_POLICIES] },
        'Restart policy of the replicas: Always, OnFailure, Never or ExitCode. ExitCode restarts pods whose ' +
          'default container exited with a retryable code (128 or above) and fails the job on 1-127.',
      ),
      template: podTemplate(info),
    }),
    replicaRules(info),
  );
}

function replicaMap(info: KindInfo): Schema {
  return validated(
    mapOf(`Replica specs by replica type (${info.replicaTypes.join(', ')}).`, replicaSpec(info), {
      maxProperties: BOUNDS.replicaTypes,
    }),
    replicaMapRules(info),
  );
}

function metrics(): Schema {
  return listOf(
    'Metrics for the HorizontalPodAutoscaler the operator creates to scale the Workers elastically.',
    copy(vendored.schemas.MetricSpec),
    { 'x-kubernetes-list-type': 'atomic' },
  );
}

function elasticPolicy(): Schema {
  return object('Elastic (torchrun) training: replica bounds, rendezvous settings and autoscaling metrics.', {
    maxReplicas: int32('Upper bound on the Worker replicas; defaults to minReplicas or the Worker replicas.'),
    maxRestarts: int32('Number of worker group restarts torchrun allows before failing (--max-restarts).'),
    metrics: metrics(),
    minReplicas: int32('Lower bound on the Worker replicas; defaults to maxReplicas or the Worker replicas.'),
    nProcPerNode: int32('Deprecated since v1.7: use spec.nprocPerNode. Processes per node.'),
    rdzvBackend: string('Rendezvous backend: c10d, etcd or etcd-v2.'),
    rdzvConf: listOf(
      'Extra rendezvous configuration passed to torchrun (--rdzv-conf).',
      object('One rendezvous setting.', {
        key: string('Setting name.'),
        value: string('Setting value.'),
      }),
      { 'x-kubernetes-list-type': 'atomic' },
    ),
    rdzvHost: string('Rendezvous host.'),
    rdzvId: string('Rendezvous ID.'),
    rdzvPort: int32('Rendezvous port.'),
    standalone: boolean('Start a local c10d rendezvous store (torchrun --standalone).'),
  });
}

function paddleElasticPolicy(): Schema {
  return object('Elastic Paddle training: replica bounds and autoscaling metrics.', {
    maxReplicas: int32('Upper bound on the Worker replicas.'),
    maxRestarts: int32('Number of restarts allowed.'),
    metrics: metrics(),
    minReplicas: int32('Lower bound on the Worker replicas.'),
  });
}

/** The fields each kind adds next to runPolicy and its replica map. */
function kindFields(kind: KindName): Record<string, Schema> {
  switch (kind) {
    case 'PyTorchJob':
      return {
        elasticPolicy: elasticPolicy(),
        nprocPerNode: string(
          'Processes per node (torchrun --nproc-per-node): auto, cpu, gpu or a number. Defaults to auto.',
        ),
      };
    case 'TFJob':
      return {
        enableDynamicWorker: boolean(
          'Whether Workers may join and leave (TF_CONFIG lists only the chief and PS).',
        ),
        successPolicy: string(
          'When the job succeeds: "" (the chief, else worker 0, succeeded) or AllWorkers.',
        ),
      };
    case 'MPIJob':
      return {
        cleanPodPolicy: string('Deprecated: use runPolicy.cleanPodPolicy, which takes precedence.'),
        mainContainer: string(
          'Name of the container that runs the MPI program in the launcher (for kubectl exec).',
        ),
        slotsPerWorker: int32('Slots per worker in the hostfile. Treated as 1 when unset.'),
      };
    case 'PaddleJob':
      return { elasticPolicy: paddleElasticPolicy() };
    case 'XGBoostJob':
    case 'JAXJob':
      return {};
  }
}

function spec(info: KindInfo): Schema {
  return validated(
    object(
      `Desired state of the ${info.kind}.`,
      {
        ...kindFields(info.kind),
        [info.replicaSpecsField]: replicaMap(info),
        runPolicy: runPolicy(),
      },
      { required: [info.replicaSpecsField] },
    ),
    specRules(info),
  );
}

function jobCondition(): Schema {
  return object(
    'One observed state of the job.',
    {
      lastTransitionTime: dateTime('When the condition last changed status.'),
      lastUpdateTime: dateTime('When the condition was last updated.'),
      message: string('Human-readable details.'),
      reason: string('Machine-readable reason, e.g. PyTorchJobRunning.'),
      status: string('True, False or Unknown.'),
      type: string(
        'Created, Running, Restarting, Succeeded, Suspended, Failed, or ReplicaFailure (an object the API server refused).',
      ),
    },
    { required: ['status', 'type'] },
  );
}

function replicaStatus(): Schema {
  return object('Pod counts of one replica type.', {
    active: int32('Number of running pods.'),
    failed: int32('Number of failed pods.'),
    labelSelector: describe(
      copy(vendored.schemas.LabelSelector),
      'Deprecated: use selector. Label selector of the replica pods.',
    ),
    selector: string('Label selector of the replica pods in string form, read by the scale subresource.'),
    succeeded: int32('Number of succeeded pods.'),
  });
}

function jobStatus(): Schema {
  return object('Observed state of the job, written by the operator.', {
    completionTime: dateTime('When the job finished.'),
    conditions: listOf('Conditions of the job; the last one is the current state.', jobCondition(), {
      'x-kubernetes-list-type': 'atomic',
    }),
    lastReconcileTime: dateTime('When the operator last reconciled the job.'),
    replicaStatuses: mapOf('Pod counts by replica type.', replicaStatus()),
    startTime: dateTime('When the operator first started the job (reset on resume).'),
  });
}

/** The openAPIV3Schema of one kind. */
export function jobSchema(info: KindInfo): Schema {
  const nameValidations = nameRules(info);
  const metadata: Schema = {
    type: 'object',
    properties: { name: validated({ type: 'string' }, nameValidations) },
  };
  return describe(
    validated(
      {
        type: 'object',
        properties: {
          apiVersion: string('APIVersion of the object: kubeflow.org/v1.'),
          kind: string(`Kind of the object: ${info.kind}.`),
          metadata,
          spec: spec(info),
          status: jobStatus(),
        },
        required: ['spec'],
      },
      derivedNameRules(info),
    ),
    `${info.kind} is a distributed ${FRAMEWORK_NAMES[info.kind]} training job: the replicas of each type ` +
      'run one pod template, and the operator wires them together.',
  );
}
