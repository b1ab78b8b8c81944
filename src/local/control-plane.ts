// A real local control plane for users, tests and benchmarks: etcd and kube-apiserver on loopback
// ("envtest" mode), plus kube-controller-manager, kube-scheduler, kwok with fake nodes and their container
// logs in "sim" mode, plus the operator itself and pods that finish on their own in "local" mode (the
// cluster of `training-operator local up`, src/local/commands.ts). `npm run cluster` (test/cluster/cli.ts)
// and the test runner (scripts/test.mjs) start the first two.
// Everything lives in one state directory: pki/, etcd-data/, logs/, kubeconfig and state.json.
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { PACKAGE_ROOT } from '../package-root.ts';
import { kubectl } from './kubectl.ts';
import { startOperator } from './operator.ts';
import { makePki, type Pki } from './pki.ts';
import { freePort, httpOk, httpsOk, StartError, waitUntil } from './probe.ts';
import { isAlive, startProcess, stopProcesses, type ProcessRecord, type Started } from './process.ts';
import { startSimulation } from './sim.ts';

export const repoRoot = PACKAGE_ROOT;
/** Where `training-operator local` and `npm run cluster` keep their cluster; test runs use temporary ones. */
export const defaultDir = join(repoRoot, '.local');
const BUILD_SCRIPT = join(repoRoot, 'src/local/build-binaries.sh');

export interface ClusterState {
  dir: string;
  binDir: string;
  /** Sim mode only: the coscheduler layer (scheduler-plugins' kube-scheduler). */
  coschedulerBinDir?: string;
  sim: boolean;
  /** Sim mode plus the operator and pods that finish on their own: `training-operator local up`. */
  local?: boolean;
  /** False while `up` is still starting components; such a state is stale if `up` died. */
  ready: boolean;
  server: string;
  kubeconfig: string;
  processes: ProcessRecord[];
  startedAt: string;
  startSeconds?: number;
}

export interface UpOptions {
  dir: string;
  sim: boolean;
  /** Implies `sim`. */
  local?: boolean;
  log: (line: string) => void;
}

const FIELD_MANAGER = 'training-operator-test';
/** Directories and files `up` creates and `down` removes; logs/ stays for post-mortems, bin is a link. */
const STATE_ENTRIES = ['state.json', 'kubeconfig', 'pki', 'etcd-data', 'kwok', 'components'];

const statePath = (dir: string) => join(dir, 'state.json');

export function readState(dir: string): ClusterState | undefined {
  const file = statePath(dir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ClusterState) : undefined;
}

export function saveState(state: ClusterState): void {
  writeFileSync(statePath(state.dir), `${JSON.stringify(state, null, 2)}\n`);
}

export function isRunning(state: ClusterState): boolean {
  return state.ready && state.processes.every(isAlive);
}

export type BinaryLayer = 'base' | 'coscheduler' | 'kubeflow-operator';

/** Runs the build script with `args`; resolves with the last line of its stdout, its stderr goes to ours. */
function runBuildScript(args: string[], what: string): Promise<{ code: number | null; lastLine?: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', [BUILD_SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', (err) => reject(new StartError(`${what}: ${err.message}`)));
    child.on('exit', (code) => resolvePromise({ code, lastLine: out.trim().split('\n').at(-1) }));
  });
}

/** The layer's cache directory when it is built, else undefined; never builds. */
export async function cachedBinaries(layer: BinaryLayer = 'base'): Promise<string | undefined> {
  const { code, lastLine } = await runBuildScript(['--check', layer], 'checking the binary cache');
  return code === 0 ? lastLine : undefined;
}

/**
 * Runs the build script for a cache layer and returns its directory; a cache hit returns at once. Its
 * progress goes to our stderr. Asynchronous, so that an interrupt is handled during a 16-minute cold build.
 */
export async function buildBinaries(layer: BinaryLayer = 'base'): Promise<string> {
  const { code, lastLine } = await runBuildScript([layer], `building the ${layer} binaries`);
  if (code === 0 && lastLine) return lastLine;
  throw new StartError(`src/local/build-binaries.sh ${layer} failed (exit ${code}); see its output above`);
}

/**
 * What a cold build of the layers costs, from measured runs on 2 cores (docs/testing.md): 21.5 minutes
 * on an idle machine (base 16.5, coscheduler 5), 50 on a busy one. The Go compiler uses every core, so
 * more cores shorten it, up to about 8.
 */
export function coldBuildEstimate(layers: BinaryLayer[], cores = availableParallelism()): string {
  const idleMinutesOn2Cores = { base: 16.5, coscheduler: 5, 'kubeflow-operator': 4 };
  const minutes = layers.reduce((sum, layer) => sum + idleMinutesOn2Cores[layer], 0);
  const low = Math.max(3, Math.round((minutes * 2) / Math.min(Math.max(cores, 1), 8)));
  const high = Math.round(low * 2.3);
  return `about ${low} minutes on ${cores} idle core${cores === 1 ? '' : 's'}, up to ${high} on a busy machine`;
}

/** Builds what `layers` lack, telling first what that costs; later starts find them cached. */
async function ensureBinaries(layers: BinaryLayer[], log: (line: string) => void): Promise<string[]> {
  const missing: BinaryLayer[] = [];
  for (const layer of layers) if (!(await cachedBinaries(layer))) missing.push(layer);
  if (missing.length > 0) {
    log(
      `first start on this machine: building the control plane's binaries (${missing.join(', ')}) from ` +
        `source with Go, once: ${coldBuildEstimate(missing)}. They are cached in ` +
        '~/.cache/training-operator; later starts take seconds. Progress follows.',
    );
  }
  const dirs: string[] = [];
  for (const layer of layers) dirs.push(await buildBinaries(layer));
  return dirs;
}

const yamlFilesIn = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => join(dir, f))
    : [];

/** The PodGroup CRDs of Volcano and scheduler-plugins, from the binary cache. */
export const podGroupCrdFiles = (binDir: string) => yamlFilesIn(join(binDir, 'podgroup-crds'));
/** Our CRDs, crds/*.yaml (possibly none yet). */
export const ownCrdFiles = () => yamlFilesIn(join(repoRoot, 'crds'));

export async function installCrds(binDir: string, kubeconfig: string, files: string[]): Promise<void> {
  const fileArgs = files.flatMap((f) => ['-f', f]);
  await kubectl(binDir, kubeconfig, [
    'apply',
    '--server-side',
    `--field-manager=${FIELD_MANAGER}`,
    ...fileArgs,
  ]);
  await kubectl(binDir, kubeconfig, ['wait', '--for=condition=Established', '--timeout=60s', ...fileArgs]);
}

/**
 * Our CRDs are installed best-effort: a CRD the API server refuses is a bug for test/integration/crds.test.ts
 * to report, not a reason to refuse a cluster to every other test.
 */
async function installOwnCrds(
  binDir: string,
  kubeconfig: string,
  log: (line: string) => void,
): Promise<void> {
  const files = ownCrdFiles();
  if (files.length === 0) {
    log('WARNING: crds/ holds no CRD yet');
    return;
  }
  log(`installing ${files.length} CRDs from crds/ with server-side apply`);
  try {
    await installCrds(binDir, kubeconfig, files);
  } catch (err) {
    log(`WARNING: crds/ did not install: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function writeKubeconfig(file: string, server: string, pki: Pki): void {
  const data = (path: string) => readFileSync(path).toString('base64');
  const name = 'training-operator-test';
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server, 'certificate-authority-data': data(pki.caCert) } }],
    users: [
      {
        name: 'admin',
        user: { 'client-certificate-data': data(pki.adminCert), 'client-key-data': data(pki.adminKey) },
      },
    ],
    contexts: [{ name, context: { cluster: name, user: 'admin' } }],
    'current-context': name,
  };
  writeFileSync(file, YAML.stringify(config), { mode: 0o600 });
}

async function startEtcd(state: ClusterState, track: (s: Started) => void): Promise<number> {
  const [port, peer] = [await freePort(), await freePort()];
  const peerUrl = `http://127.0.0.1:${peer}`;
  const proc = startProcess(
    'etcd',
    join(state.binDir, 'etcd'),
    [
      '--name=node0',
      `--data-dir=${join(state.dir, 'etcd-data')}`,
      `--listen-client-urls=http://127.0.0.1:${port}`,
      `--advertise-client-urls=http://127.0.0.1:${port}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=node0=${peerUrl}`,
      // Test data is disposable: skipping fsync makes writes an order of magnitude faster.
      '--unsafe-no-fsync=true',
      '--auto-compaction-retention=1',
      '--log-level=warn',
    ],
    { logDir: join(state.dir, 'logs'), port },
  );
  track(proc);
  await waitUntil('etcd /health', () => httpOk(`http://127.0.0.1:${port}/health`), {
    timeoutMs: 30_000,
    proc,
  });
  return port;
}

async function startApiserver(
  state: ClusterState,
  pki: Pki,
  etcdPort: number,
  track: (s: Started) => void,
): Promise<void> {
  const port = await freePort();
  state.server = `https://127.0.0.1:${port}`;
  const proc = startProcess(
    'kube-apiserver',
    join(state.binDir, 'kube-apiserver'),
    [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      '--bind-address=127.0.0.1',
      // Otherwise the apiserver looks for a host interface with a default route.
      '--advertise-address=127.0.0.1',
      `--secure-port=${port}`,
      `--cert-dir=${join(state.dir, 'components')}`,
      `--tls-cert-file=${pki.adminCert}`,
      `--tls-private-key-file=${pki.adminKey}`,
      `--client-ca-file=${pki.caCert}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.saPub}`,
      `--service-account-signing-key-file=${pki.saKey}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      '--authorization-mode=RBAC',
      '--allow-privileged=true',
      // No kubelet mints tokens and nodes start tainted without the node lifecycle controller (envtest).
      '--disable-admission-plugins=ServiceAccount,TaintNodesByCondition',
      // As on OpenShift and hardened clusters: setting blockOwnerDeletion needs update on <jobs>/finalizers,
      // so the install tests prove the operator's RBAC grants it.
      '--enable-admission-plugins=OwnerReferencesPermissionEnforcement',
      // Do not write the loopback address into the default/kubernetes Endpoints (validation rejects it).
      '--endpoint-reconciler-type=none',
      '--enable-priority-and-fairness=false',
      // Container logs (sim mode): the fake nodes' addresses are loopback IPs, their kubelet API the
      // container-logs server (container-logs.ts), which serves with the admin certificate and wants it.
      '--kubelet-preferred-address-types=InternalIP',
      `--kubelet-certificate-authority=${pki.caCert}`,
      `--kubelet-client-certificate=${pki.adminCert}`,
      `--kubelet-client-key=${pki.adminKey}`,
    ],
    { logDir: join(state.dir, 'logs'), port },
  );
  track(proc);
  const auth = { ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey };
  await waitUntil('kube-apiserver /readyz', () => httpsOk(`${state.server}/readyz`, auth), {
    timeoutMs: 90_000,
    proc,
  });
  await waitUntil('the default namespace', () => httpsOk(`${state.server}/api/v1/namespaces/default`, auth), {
    timeoutMs: 30_000,
    proc,
  });
}

function resetStateDir(dir: string): void {
  for (const entry of STATE_ENTRIES) rmSync(join(dir, entry), { recursive: true, force: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  mkdirSync(join(dir, 'components'), { recursive: true });
}

/** `.local/bin` → the cached binaries, so people find kubectl and helm next to the kubeconfig. */
function linkBinaries(dir: string, binDir: string): void {
  const link = join(dir, 'bin');
  rmSync(link, { force: true });
  symlinkSync(binDir, link);
}

/**
 * Starts a cluster in `opts.dir`, or returns the one already running there (`reused`). A state left by a
 * dead or half-started cluster is cleaned up first. On failure everything started is stopped again and
 * the error carries the tail of the failing component's log.
 */
export async function up(opts: UpOptions): Promise<{ state: ClusterState; reused: boolean }> {
  const existing = readState(opts.dir);
  if (existing && isRunning(existing)) return { state: existing, reused: true };
  if (existing) {
    opts.log('found a stale cluster state; cleaning it up first');
    await down(opts.dir);
  }
  const t0 = Date.now();
  const log = (line: string) => opts.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${line}`);
  const sim = opts.sim || opts.local === true;
  const [binDir, coschedulerBinDir] = await ensureBinaries(sim ? ['base', 'coscheduler'] : ['base'], log);
  mkdirSync(opts.dir, { recursive: true });
  resetStateDir(opts.dir);
  linkBinaries(opts.dir, binDir);
  const state: ClusterState = {
    dir: opts.dir,
    binDir,
    coschedulerBinDir,
    sim,
    local: opts.local === true,
    ready: false,
    server: '',
    kubeconfig: join(opts.dir, 'kubeconfig'),
    processes: [],
    startedAt: new Date().toISOString(),
  };
  // Record every pid as soon as it exists, so `down` can stop a cluster whose `up` was killed midway.
  const track = (s: Started) => {
    state.processes.push(s.record);
    saveState(state);
  };
  try {
    const pki = makePki(join(opts.dir, 'pki'));
    log('starting etcd');
    const etcdPort = await startEtcd(state, track);
    log('starting kube-apiserver');
    await startApiserver(state, pki, etcdPort, track);
    writeKubeconfig(state.kubeconfig, state.server, pki);
    log('installing the PodGroup CRDs');
    await installCrds(binDir, state.kubeconfig, podGroupCrdFiles(binDir));
    if (sim)
      log(
        'starting kube-controller-manager, kube-scheduler, the coscheduler, kwok with fake nodes and ' +
          'their container logs',
      );
    // The API server spends seconds compiling our CRDs' CEL rules; the simulation needs none of them.
    await Promise.all([
      installOwnCrds(binDir, state.kubeconfig, log),
      sim ? startSimulation(state, pki, track) : undefined,
    ]);
    if (state.local) {
      log('starting the operator');
      await startOperator(state, track);
    }
  } catch (err) {
    await stopProcesses([...state.processes].reverse());
    rmSync(statePath(opts.dir), { force: true });
    throw err instanceof StartError ? err : new StartError(String(err instanceof Error ? err.message : err));
  }
  state.ready = true;
  state.startSeconds = Math.round((Date.now() - t0) / 100) / 10;
  saveState(state);
  return { state, reused: false };
}

/** Stops every process recorded in `dir` (SIGTERM, then SIGKILL) and removes the state; keeps logs/. */
export async function down(dir: string): Promise<string[]> {
  const state = readState(dir);
  const stopped = state ? await stopProcesses([...state.processes].reverse()) : [];
  for (const entry of STATE_ENTRIES) rmSync(join(dir, entry), { recursive: true, force: true });
  return stopped;
}
