// "sim" mode: kube-controller-manager (garbage collection, namespace deletion, Jobs), kube-scheduler, and
// kwok playing the kubelet of a few fake nodes, so pods get scheduled and reach Running by themselves,
// and the container-logs server that serves their logs (container-logs.ts). In "local" mode a Running pod
// also ends by itself, Succeeded, after a simulated run (kwok/pod-run.yaml).
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import type { ClusterState } from './control-plane.ts';
import { kubectl } from './kubectl.ts';
import type { Pki } from './pki.ts';
import { PACKAGE_ROOT } from '../package-root.ts';
import { freePort, httpOk, httpsOk, waitUntil } from './probe.ts';
import { nodeEntryArgs, startProcess, type Started } from './process.ts';

/** The annotations the project's kwok stage reacts to; see kwok/pod-finish.yaml. */
export const FINISH_ANNOTATION = 'training-operator.test/finish';
export const EXIT_CODE_ANNOTATION = 'training-operator.test/exit-code';

/**
 * The scheduler gang jobs name in sim mode (the reference's e2e name): scheduler-plugins' kube-scheduler
 * with the Coscheduling plugin, beside the default scheduler.
 */
export const COSCHEDULER_NAME = 'scheduler-plugins-scheduler';
/** How long the Coscheduling plugin holds the assumed pods of an incomplete gang before it rejects them. */
export const COSCHEDULING_PERMIT_WAIT_SECONDS = 10;

/** Fake nodes: enough room for multi-replica jobs, with GPUs for resource-request tests. */
export const FAKE_NODES = ['kwok-node-0', 'kwok-node-1', 'kwok-node-2'];
// Ephemeral storage too: init containers such as the MPI launcher's kubectl-delivery request it.
export const NODE_CAPACITY = {
  cpu: '32',
  memory: '256Gi',
  'ephemeral-storage': '1Ti',
  pods: '110',
  'nvidia.com/gpu': '8',
};

function fakeNode(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kwok.x-k8s.io/node': 'fake' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
      },
    },
    // Node status is kept on create, and kwok's node-initialize stage keeps a capacity it finds.
    status: { allocatable: NODE_CAPACITY, capacity: NODE_CAPACITY },
  };
}

/**
 * kwok's configuration: its default stages from the binary cache, then ours. No KwokConfiguration
 * document: kwok applies its option defaults only when there is none (an empty one fails to start).
 */
function writeKwokConfig(state: ClusterState): string {
  const stageDir = join(state.binDir, 'kwok-stages');
  // The stages are read from the sources: tsc does not copy YAML into dist/.
  const ownStage = (name: string) => readFileSync(join(PACKAGE_ROOT, 'src/local/kwok', name), 'utf8');
  const docs = [
    ...readdirSync(stageDir)
      .sort()
      .map((f) => readFileSync(join(stageDir, f), 'utf8')),
    ownStage('pod-finish.yaml'),
    ...(state.local ? [ownStage('pod-run.yaml')] : []),
  ];
  const dir = join(state.dir, 'kwok');
  // kwok also reads ~/.kwok/kwok.yaml whatever --config says: give it a HOME of its own.
  mkdirSync(join(dir, 'home'), { recursive: true });
  const file = join(dir, 'kwok.yaml');
  writeFileSync(file, docs.map((d) => d.trimEnd()).join('\n---\n') + '\n');
  return file;
}

/**
 * Flags kube-controller-manager and kube-scheduler share: admin kubeconfig, loopback, health paths open.
 * No authentication/authorization kubeconfig: delegated auth only floods the logs about a missing
 * request-header CA, and nothing but our probes calls these ports.
 */
function componentFlags(state: ClusterState, name: string, port: number): string[] {
  return [
    `--kubeconfig=${state.kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${port}`,
    `--cert-dir=${join(state.dir, 'components', name)}`,
    '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
    '--leader-elect=false',
  ];
}

/**
 * The coscheduler's configuration: one profile under its own name, with the Coscheduling plugin sorting
 * the queue and holding pods at Permit until their whole PodGroup fits (scheduler-plugins'
 * manifests/coscheduling/scheduler-config.yaml, renamed so that the default scheduler stays as it is).
 */
function writeCoschedulerConfig(state: ClusterState): string {
  const config = {
    apiVersion: 'kubescheduler.config.k8s.io/v1',
    kind: 'KubeSchedulerConfiguration',
    leaderElection: { leaderElect: false },
    clientConnection: { kubeconfig: state.kubeconfig },
    profiles: [
      {
        schedulerName: COSCHEDULER_NAME,
        plugins: {
          multiPoint: { enabled: [{ name: 'Coscheduling' }] },
          queueSort: { enabled: [{ name: 'Coscheduling' }], disabled: [{ name: '*' }] },
        },
        pluginConfig: [
          { name: 'Coscheduling', args: { permitWaitingTimeSeconds: COSCHEDULING_PERMIT_WAIT_SECONDS } },
        ],
      },
    ],
  };
  const dir = join(state.dir, 'components', 'kube-scheduler-plugins');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'config.yaml');
  writeFileSync(file, YAML.stringify(config));
  return file;
}

async function startComponent(
  state: ClusterState,
  name: string,
  args: (port: number) => string[],
  opts: { healthz: (port: number) => Promise<boolean>; env?: NodeJS.ProcessEnv; binDir?: string },
  track: (s: Started) => void,
): Promise<Started> {
  const port = await freePort();
  const proc = startProcess(name, join(opts.binDir ?? state.binDir, name), args(port), {
    logDir: join(state.dir, 'logs'),
    port,
    env: opts.env,
  });
  track(proc);
  await waitUntil(`${name} /healthz`, () => opts.healthz(port), { timeoutMs: 60_000, proc });
  return proc;
}

async function createFakeNodes(state: ClusterState, kwok: Started): Promise<void> {
  const nodes = FAKE_NODES.map((name) => YAML.stringify(fakeNode(name))).join('---\n');
  const apply = ['apply', '--server-side', '--field-manager=training-operator-test', '-f', '-'];
  await kubectl(state.binDir, state.kubeconfig, apply, nodes);
  const readyColumn = 'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}';
  await waitUntil(
    'the fake nodes to be Ready',
    async () => {
      const out = await kubectl(state.binDir, state.kubeconfig, ['get', 'nodes', '-o', readyColumn]);
      return out.split('\n').filter((s) => s === 'True').length === FAKE_NODES.length;
    },
    { timeoutMs: 60_000, proc: kwok },
  );
}

/** The fake nodes' kubelet API for container logs, on `port`. */
async function startContainerLogs(
  state: ClusterState,
  pki: Pki,
  port: number,
  track: (s: Started) => void,
): Promise<void> {
  const args = [
    ...nodeEntryArgs('src/local/container-logs-main.ts'),
    `--kubeconfig=${state.kubeconfig}`,
    `--port=${port}`,
    `--cert=${pki.adminCert}`,
    `--key=${pki.adminKey}`,
    `--ca=${pki.caCert}`,
  ];
  const proc = startProcess('container-logs', process.execPath, args, {
    logDir: join(state.dir, 'logs'),
    port,
    cwd: PACKAGE_ROOT,
  });
  track(proc);
  const auth = { ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey };
  await waitUntil('container-logs /healthz', () => httpsOk(`https://127.0.0.1:${port}/healthz`, auth), {
    timeoutMs: 30_000,
    proc,
  });
}

/**
 * Starts the container-logs server, then kube-controller-manager, kube-scheduler, the coscheduler and
 * kwok side by side, then the fake nodes.
 */
export async function startSimulation(
  state: ClusterState,
  pki: Pki,
  track: (s: Started) => void,
): Promise<void> {
  const tlsHealthz = (port: number) => httpsOk(`https://127.0.0.1:${port}/healthz`);
  const kcmArgs = (port: number) => [
    ...componentFlags(state, 'kube-controller-manager', port),
    `--root-ca-file=${pki.caCert}`,
    `--service-account-private-key-file=${pki.saKey}`,
    // kwok's node leases last 40 s: mark a node NotReady only well after one was missed.
    '--node-monitor-period=5s',
    '--node-monitor-grace-period=60s',
  ];
  const logsPort = await freePort();
  const kwokArgs = (port: number) => [
    `--kubeconfig=${state.kubeconfig}`,
    // Node addresses and kubelet port (node-initialize stage): where the API server asks for logs.
    '--node-ip=127.0.0.1',
    `--node-port=${logsPort}`,
    `--config=${writeKwokConfig(state)}`,
    '--manage-all-nodes=true',
    '--cidr=10.244.0.0/16',
    '--node-lease-duration-seconds=40',
    `--server-address=127.0.0.1:${port}`,
  ];
  // With --config, kube-scheduler takes its kubeconfig and leader election from the file, not from flags.
  const coschedulerArgs = (port: number) => [
    `--config=${writeCoschedulerConfig(state)}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${port}`,
    `--cert-dir=${join(state.dir, 'components', 'kube-scheduler-plugins')}`,
    '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
    // The plugin reads PodGroups from a cache of its own, which can lag behind the PodGroup event that
    // requeues a gang: the gang's pods then wait for a flush of pods unschedulable for longer than this
    // (by default 5 min; the scheduler looks every 30 s).
    '--pod-max-in-unschedulable-pods-duration=10s',
  ];
  const [, , , kwok] = await Promise.all([
    startComponent(state, 'kube-controller-manager', kcmArgs, { healthz: tlsHealthz }, track),
    startComponent(
      state,
      'kube-scheduler',
      (port) => componentFlags(state, 'kube-scheduler', port),
      { healthz: tlsHealthz },
      track,
    ),
    startComponent(
      state,
      'kube-scheduler-plugins',
      coschedulerArgs,
      { healthz: tlsHealthz, binDir: state.coschedulerBinDir },
      track,
    ),
    startComponent(
      state,
      'kwok',
      kwokArgs,
      {
        healthz: (port) => httpOk(`http://127.0.0.1:${port}/healthz`),
        env: { HOME: join(state.dir, 'kwok/home') },
      },
      track,
    ),
    startContainerLogs(state, pki, logsPort, track),
  ]);
  await createFakeNodes(state, kwok);
}
