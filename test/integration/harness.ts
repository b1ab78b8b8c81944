// Harness for integration and e2e tests (node:test) against the real local control plane.
//
// scripts/test.mjs starts ONE control plane for all integration files (envtest mode) and one for all e2e
// files (sim mode), exports KUBECONFIG and TRAINING_OPERATOR_TEST_CLUSTER (its state file), runs the files
// against it and stops it afterwards. Tests share the cluster, so each test works in a namespace of its own:
//
//   import * as harness from '../integration/harness.ts';
//   test('...', async () => {
//     const ns = await harness.namespace();
//     const core = harness.client(CoreV1Api);
//     await harness.apply(myJob(ns));
//     const pod = await harness.waitFor(() => core.readNamespacedPod({ name: 'p', namespace: ns }), 10_000);
//     await harness.setPodPhase(ns, 'p', 'Failed', 137);
//   });
//
// Integration tests (envtest mode: no scheduler, no kubelet, no controllers): pods stay Pending until a
// test sets their phase with setPodPhase. E2e tests (sim mode): kwok runs pods on fake nodes; end them
// with finishPod instead (kwok would overwrite a status patched by hand). Namespaces are never deleted:
// the cluster is thrown away.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type ApiConstructor,
  type ApiType,
  type KubernetesObject,
  type V1Pod,
} from '@kubernetes/client-node';
import { down, readState, up, type ClusterState } from '../cluster/control-plane.ts';
import { kubectl as runKubectl } from '../cluster/kubectl.ts';
import { EXIT_CODE_ANNOTATION, FINISH_ANNOTATION } from '../cluster/sim.ts';

export const FIELD_MANAGER = 'training-operator-test';
const STATE_ENV = 'TRAINING_OPERATOR_TEST_CLUSTER';

export interface Cluster {
  /** Path of the admin kubeconfig (client certificate in system:masters). */
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  /** True when kube-controller-manager, kube-scheduler and kwok run (test/e2e). */
  sim: boolean;
  /** The cached kubectl, helm, etcd, … binaries. */
  binDir: string;
}

let current: Cluster | undefined;

/** The shared test cluster. Throws (failing the test) when the file was not run through scripts/test.mjs. */
export function cluster(): Cluster {
  if (current) return current;
  const stateFile = process.env[STATE_ENV];
  const state: ClusterState | undefined = stateFile ? readState(dirname(stateFile)) : undefined;
  if (!state?.ready) {
    throw new Error(
      `no test cluster (${STATE_ENV}=${stateFile ?? ''}): run integration tests with \`npm test\` ` +
        'or `node scripts/test.mjs <file>`, which start the control plane',
    );
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(state.kubeconfig);
  current = { kubeconfigPath: state.kubeconfig, kubeConfig, sim: state.sim, binDir: state.binDir };
  return current;
}

/**
 * Starts a control plane (envtest mode) for the calling file alone and makes it the cluster of every
 * helper here: for fault tests, which stop and pause its components (control-plane.ts killComponent &
 * co.). Call it before any other helper; `stop` takes it down and keeps its logs.
 */
export async function ownCluster(): Promise<{ dir: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'training-operator-faults-'));
  const { state } = await up({ dir, sim: false, log: () => {} });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(state.kubeconfig);
  current = { kubeconfigPath: state.kubeconfig, kubeConfig, sim: false, binDir: state.binDir };
  return { dir, stop: async () => void (await down(dir)) };
}

/** A typed client, e.g. `client(CoreV1Api)`, `client(CustomObjectsApi)`. */
export function client<T extends ApiType>(api: ApiConstructor<T>): T {
  return cluster().kubeConfig.makeApiClient(api);
}

/** The generic client (any apiVersion/kind, resolved through discovery). */
export function objects(): KubernetesObjectApi {
  return KubernetesObjectApi.makeApiClient(cluster().kubeConfig);
}

/** Creates a namespace with a unique name (`<prefix>-<random>`) and returns the name. */
export async function namespace(prefix = 'test'): Promise<string> {
  const name = `${prefix.toLowerCase().slice(0, 50)}-${randomBytes(4).toString('hex')}`;
  await client(CoreV1Api).createNamespace({
    body: { metadata: { name, labels: { 'training-operator.test/namespace': 'true' } } },
  });
  return name;
}

/**
 * Polls `check` every 100 ms until it returns a truthy value, and returns that value. A throwing check
 * counts as "not yet" (the object may not exist yet); its last error is reported on timeout.
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Server-side apply (creates or updates), forcing ownership, as field manager `training-operator-test`. */
export async function apply<T extends KubernetesObject>(obj: T, fieldManager = FIELD_MANAGER): Promise<T> {
  return objects().patch(obj, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply);
}

export async function create<T extends KubernetesObject>(obj: T): Promise<T> {
  return objects().create(obj);
}

/** Deletes an object; an object that is already gone is fine. */
export async function remove(
  obj: KubernetesObject,
  opts: { gracePeriodSeconds?: number; propagationPolicy?: 'Background' | 'Foreground' | 'Orphan' } = {},
): Promise<void> {
  try {
    await objects().delete(
      obj,
      undefined,
      undefined,
      opts.gracePeriodSeconds,
      undefined,
      opts.propagationPolicy,
    );
  } catch (err) {
    if (!(err instanceof ApiException && err.code === 404)) throw err;
  }
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

/** Container statuses as the kubelet reports them, as plain JSON (the typed models want Date objects). */
function containerStatuses(pod: V1Pod, phase: PodPhase, exitCode: number, now: string): object[] {
  const state = {
    Pending: { waiting: { reason: 'ContainerCreating' } },
    Running: { running: { startedAt: now } },
    Succeeded: { terminated: { exitCode, reason: 'Completed', startedAt: now, finishedAt: now } },
    Failed: {
      terminated: {
        exitCode,
        reason: exitCode === 0 ? 'Completed' : 'Error',
        startedAt: now,
        finishedAt: now,
      },
    },
  }[phase];
  return (pod.spec?.containers ?? []).map((c) => ({
    name: c.name,
    image: c.image ?? '',
    imageID: '',
    ready: phase === 'Running',
    restartCount: 0,
    started: phase === 'Running',
    state,
  }));
}

/**
 * Plays the kubelet: patches the pod's status subresource to `phase`, with every container running or
 * terminated with `exitCode` (default 0 for Succeeded, 1 for Failed) and a matching Ready condition.
 * For envtest mode, or pods that no kwok node runs. Note that the API server lets a pod leave
 * Succeeded/Failed (only kubelets refuse to), so a test can but should not do that.
 */
export async function setPodPhase(
  namespace: string,
  name: string,
  phase: PodPhase,
  exitCode?: number,
): Promise<V1Pod> {
  const core = client(CoreV1Api);
  const pod = await core.readNamespacedPod({ name, namespace });
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const code = exitCode ?? (phase === 'Failed' ? 1 : 0);
  const ready = phase === 'Running' ? 'True' : 'False';
  const status = {
    phase,
    conditions: [
      { type: 'Ready', status: ready, lastTransitionTime: now },
      { type: 'ContainersReady', status: ready, lastTransitionTime: now },
    ],
    containerStatuses: containerStatuses(pod, phase, code, now),
    ...(phase === 'Pending' ? {} : { startTime: pod.status?.startTime ?? now }),
  };
  return core.patchNamespacedPodStatus(
    { name, namespace, body: { status } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

/**
 * Sim mode: asks kwok to end a Running pod in `phase`, every container exiting with `exitCode`
 * (default 0 for Succeeded, 1 for Failed), through the annotations of test/cluster/kwok/pod-finish.yaml.
 */
export async function finishPod(
  namespace: string,
  name: string,
  phase: 'Succeeded' | 'Failed',
  exitCode?: number,
): Promise<void> {
  const annotations: Record<string, string> = { [FINISH_ANNOTATION]: phase };
  if (exitCode !== undefined) annotations[EXIT_CODE_ANNOTATION] = String(exitCode);
  await client(CoreV1Api).patchNamespacedPod(
    { name, namespace, body: { metadata: { annotations } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

/** Runs the cached kubectl against the test cluster and returns its stdout; throws with its stderr. */
export async function kubectl(args: string[], input?: string): Promise<string> {
  const { binDir, kubeconfigPath } = cluster();
  return runKubectl(binDir, kubeconfigPath, args, input);
}

/**
 * Runs the cached helm against the test cluster and returns its stdout; throws with its stderr. Its
 * HELM_* homes are `home`, so a test never reads or writes the user's Helm config.
 */
export async function helm(args: string[], home: string): Promise<string> {
  const { binDir, kubeconfigPath } = cluster();
  const env = { ...process.env, HELM_CACHE_HOME: home, HELM_CONFIG_HOME: home, HELM_DATA_HOME: home };
  try {
    const run = promisify(execFile);
    const { stdout } = await run(join(binDir, 'helm'), [...args, '--kubeconfig', kubeconfigPath], {
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    throw new Error((error as { stderr?: string }).stderr?.trim() || String(error), { cause: error });
  }
}
