// The operator in process for integration tests: a Manager over the test namespaces with its own
// KubeClient (whose request counter shows every API call it made), plus the few reads tests share.
//
//   const operator = await startOperator([ns]);
//   t.after(() => operator.stop());
//   await createJob(makeJob('PyTorchJob', 'demo', ns).replicas('Worker', 2).obj());
//   await waitForJob(ns, 'PyTorchJob', 'demo', (job) => hasCondition(job, 'Running'), 'Running');
//
// TEST_LOG_LEVEL=debug shows the operator's logs.
import { replicaSpecs } from '../../src/api/job.ts';
import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
  type V1Service,
} from '@kubernetes/client-node';
import { API_VERSION, GROUP, KINDS, LABELS, VERSION, type KindName } from '../../src/api/kinds.ts';
import type { ConditionType, Job, JobCondition } from '../../src/api/types.ts';
import { DEFAULT_RENDER_OPTIONS } from '../../src/frameworks/framework.ts';
import { KubeClient } from '../../src/kube/client.ts';
import { loadKubeConfig } from '../../src/kube/config.ts';
import { Manager } from '../../src/manager/manager.ts';
import type { ManagerOptions } from '../../src/manager/options.ts';
import { LOG_LEVELS, type LogLevel } from '../../src/telemetry/log-levels.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { OperatorMetrics } from '../../src/telemetry/metrics.ts';
import * as harness from './harness.ts';

export interface Operator {
  /** The operator's client: `client.requests` counts what it sent. */
  client: KubeClient;
  /** Reconciles finished so far (successful or not). */
  reconciles(): Promise<number>;
  /** Stops the manager, waits for its workers to drain and closes its connections. */
  stop(): Promise<void>;
}

function logLevel(): LogLevel {
  const level = process.env.TEST_LOG_LEVEL as LogLevel | undefined;
  return level && LOG_LEVELS.includes(level) ? level : 'silent';
}

/** Starts a Manager watching `namespaces` (every kind unless `schemes` says otherwise) and waits for its caches. */
export async function startOperator(
  namespaces: string[],
  options: Partial<ManagerOptions> = {},
): Promise<Operator> {
  const { kubeconfigPath } = harness.cluster();
  const client = await KubeClient.create(loadKubeConfig({ kubeconfig: kubeconfigPath }), { qps: 0 });
  const managerOptions: ManagerOptions = {
    kubeconfig: kubeconfigPath,
    schemes: Object.keys(KINDS) as KindName[],
    namespaces,
    threads: 1,
    qps: 0,
    burst: 0,
    metricsBindAddress: '0',
    healthProbeBindAddress: '0',
    leaderElect: false,
    leaderElectionId: 'training-operator-test',
    leaderElectionNamespace: 'default',
    logLevel: logLevel(),
    render: DEFAULT_RENDER_OPTIONS,
    ...options,
  };
  // Only the reconcile counter is read: the gauges need no sources.
  const metrics = new OperatorMetrics(
    () => [],
    () => 0,
  );
  const manager = new Manager(client, managerOptions, createLogger(managerOptions.logLevel), metrics);
  const running = manager.run();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    manager.stop();
    await running;
    client.close();
  };
  try {
    await harness.waitFor(() => manager.ready, 10_000, 'the operator caches to sync');
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    client,
    async reconciles() {
      const metric = await metrics.registry.getSingleMetric('training_operator_reconcile_total')?.get();
      return (metric?.values ?? []).reduce((sum, { value }) => sum + value, 0);
    },
    stop,
  };
}

/** A fresh namespace with an operator watching it, stopped when the test ends. */
export async function operatorNamespace(
  t: { after(fn: () => Promise<void>): void },
  prefix: string,
): Promise<{ ns: string; operator: Operator }> {
  const ns = await harness.namespace(prefix);
  const operator = await startOperator([ns]);
  t.after(() => operator.stop());
  return { ns, operator };
}

/** Waits until the operator has not reconciled anything for `quietMs`. */
export async function settle(operator: Operator, quietMs = 1000, timeoutMs = 15_000): Promise<void> {
  let last = -1;
  let since = Date.now();
  await harness.waitFor(
    async () => {
      const count = await operator.reconciles();
      if (count !== last) [last, since] = [count, Date.now()];
      return Date.now() - since >= quietMs;
    },
    timeoutMs,
    'the operator to settle',
  );
}

const jobResource = (kind: KindName, namespace: string) => ({
  group: GROUP,
  version: VERSION,
  namespace,
  plural: KINDS[kind].plural,
});

/**
 * Creates the job. Unless `schedulable`, every pod template selects a node that does not exist: in sim
 * mode (the whole suite shares a sim cluster) no scheduler or kwok node takes the pods then, so they
 * stay Pending until a test sets their phase, as in envtest mode.
 */
export async function createJob(job: Job, { schedulable = false } = {}): Promise<Job> {
  const body = structuredClone(job);
  const specs = replicaSpecs(body);
  for (const pod of Object.values(specs).map((spec) => spec.template?.spec)) {
    if (pod && !schedulable) pod.nodeSelector = { 'training-operator.test/no-such-node': 'true' };
  }
  const api = harness.client(CustomObjectsApi);
  return (await api.createNamespacedCustomObject({
    ...jobResource(job.kind, job.metadata.namespace!),
    body,
  })) as Job;
}

export async function getJob(namespace: string, kind: KindName, name: string): Promise<Job> {
  const api = harness.client(CustomObjectsApi);
  return (await api.getNamespacedCustomObject({ ...jobResource(kind, namespace), name })) as Job;
}

/** A JSON merge patch of the job's spec or metadata, as `kubectl patch --type merge` sends it. */
export async function patchJob(namespace: string, kind: KindName, name: string, patch: object): Promise<Job> {
  const api = harness.client(CustomObjectsApi);
  return (await api.patchNamespacedCustomObject(
    { ...jobResource(kind, namespace), name, body: patch },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  )) as Job;
}

/** Polls the job until `check` holds and returns it. */
export function waitForJob(
  namespace: string,
  kind: KindName,
  name: string,
  check: (job: Job) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<Job> {
  return harness.waitFor(
    async () => {
      const job = await getJob(namespace, kind, name);
      return check(job) && job;
    },
    timeoutMs,
    `${kind} ${name}: ${what}`,
  );
}

/** Conditions without their times, as the reference's tests compare them. */
export function conditionsOf(job: Job): Omit<JobCondition, 'lastUpdateTime' | 'lastTransitionTime'>[] {
  return (job.status?.conditions ?? []).map(({ type, status, reason, message }) => ({
    type,
    status,
    reason,
    message,
  }));
}

export function cond(
  type: ConditionType,
  status: JobCondition['status'],
  reason: string,
  message: string,
): Omit<JobCondition, 'lastUpdateTime' | 'lastTransitionTime'> {
  return { type, status, reason, message };
}

export function hasCondition(
  job: Job,
  type: ConditionType,
  status: JobCondition['status'] = 'True',
): boolean {
  return job.status?.conditions?.some((c) => c.type === type && c.status === status) ?? false;
}

const jobSelector = (name: string) => `${LABELS.jobName}=${name}`;

/** client-node's model classes as plain JSON, so that deepEqual compares values only. */
export const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The job's pods (by the job-name label), sorted by name. */
export async function podsOf(namespace: string, jobName: string): Promise<V1Pod[]> {
  const { items } = await harness
    .client(CoreV1Api)
    .listNamespacedPod({ namespace, labelSelector: jobSelector(jobName) });
  return plain(items).sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
}

/** The job's services (by the job-name label), sorted by name. */
export async function servicesOf(namespace: string, jobName: string): Promise<V1Service[]> {
  const { items } = await harness
    .client(CoreV1Api)
    .listNamespacedService({ namespace, labelSelector: jobSelector(jobName) });
  return plain(items).sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
}

export const namesOf = (objects: { metadata?: { name?: string } }[]) => objects.map((o) => o.metadata!.name!);

/** Waits until the job's pods are exactly `names` (and, with `services`, its services too). */
export async function waitForObjects(
  namespace: string,
  jobName: string,
  names: string[],
  services = names,
  timeoutMs = 15_000,
): Promise<V1Pod[]> {
  const expected = [...names].sort().join(',');
  const expectedServices = [...services].sort().join(',');
  return harness.waitFor(
    async () => {
      const pods = await podsOf(namespace, jobName);
      const svcs = await servicesOf(namespace, jobName);
      return namesOf(pods).join(',') === expected && namesOf(svcs).join(',') === expectedServices && pods;
    },
    timeoutMs,
    `${jobName}: pods [${expected}] and services [${expectedServices}]`,
  );
}

/** Sets several pods to one phase, in order. */
export async function setPhases(
  namespace: string,
  names: string[],
  phase: harness.PodPhase,
  exitCode?: number,
) {
  for (const name of names) await harness.setPodPhase(namespace, name, phase, exitCode);
}

/** Plays a kubelet that restarted a running pod's containers in place `count` times. */
export async function setRestartCount(namespace: string, name: string, count: number): Promise<void> {
  const core = harness.client(CoreV1Api);
  const pod = await core.readNamespacedPod({ name, namespace });
  const containerStatuses = (pod.status?.containerStatuses ?? []).map((status) => ({
    name: status.name,
    image: status.image,
    imageID: status.imageID,
    ready: status.ready,
    started: status.started,
    restartCount: count,
    state: { running: { startedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z') } },
  }));
  await core.patchNamespacedPodStatus(
    { name, namespace, body: { status: { containerStatuses } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

export interface EventSummary {
  type?: string;
  reason?: string;
  message?: string;
  source?: string;
}

/** The core/v1 Events whose involved object is the job. */
export async function jobEvents(namespace: string, kind: KindName, name: string): Promise<EventSummary[]> {
  const { items } = await harness.client(CoreV1Api).listNamespacedEvent({
    namespace,
    fieldSelector: `involvedObject.kind=${kind},involvedObject.name=${name}`,
  });
  return items.map((event) => ({
    type: event.type,
    reason: event.reason,
    message: event.message,
    source: event.source?.component,
  }));
}

/** Waits for an event of the job with this reason (and message, when given) and returns it. */
export async function waitForEvent(
  namespace: string,
  kind: KindName,
  name: string,
  reason: string,
  message?: string,
): Promise<EventSummary> {
  return harness.waitFor(
    async () =>
      (await jobEvents(namespace, kind, name)).find(
        (event) => event.reason === reason && (message === undefined || event.message === message),
      ),
    10_000,
    `event ${reason} for ${kind} ${name}`,
  );
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Env of a container by name; a fieldRef shows as `<fieldPath>`, an empty value (omitted by the API server) as ''. */
export function envOf(pod: V1Pod, container = 0): Record<string, string> {
  return Object.fromEntries(
    (pod.spec?.containers[container]?.env ?? []).map((v) => [
      v.name,
      v.valueFrom ? `<${v.valueFrom.fieldRef?.fieldPath}>` : (v.value ?? ''),
    ]),
  );
}

/** The controller owner reference the operator puts on everything a job owns. */
export function ownerRef(job: Job) {
  return {
    apiVersion: API_VERSION,
    kind: job.kind,
    name: job.metadata.name,
    uid: job.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}
