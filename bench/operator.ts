// The operator benchmark: how fast the operator turns N PyTorchJobs (Master 1 + Worker 2) into their 3N
// pods and 3N services on a real local control plane (envtest mode: pods stay Pending), how many API
// writes that takes per job, whether it writes anything once idle, and its memory. The floor is the same
// 6N objects created directly by a plain client, right before and right after the operator run (their
// mean is the reference, so load from elsewhere weighs on both sides). The ideal is a plain client that
// sends the writes any operator must cause — each job created, its 6 objects, one status — with
// nothing watched and nothing decided: what the operator's time tends to if its own work cost nothing.
// With --peer kubeflow, Kubeflow's Go operator v1.9 (bench/lib/kubeflow-operator.ts) takes the same N
// jobs on the same control plane right after ours, in a namespace of its own: at its default worker
// count and client rate limits, and at ours. Prints figures; asserts nothing.
//
//   npx tsx bench/operator.ts [--jobs 100,1000] [--threads 4[,8...]] [--concurrency 64] [--idle-seconds 60]
//                             [--settle-seconds 5] [--cpu-prof DIR] [--apiserver-profile DIR] [--keep-logs]
//                             [--peer kubeflow [--peer-settings equal,default]]
//
// --concurrency: creates in flight (jobs, and the floor's objects); --settle-seconds: how long the
// operator's writes must stay still before the run counts as settled; --cpu-prof: the operator writes a
// V8 CPU profile there when it stops; --apiserver-profile: kube-apiserver's CPU profile over the first
// 1.5 × floor seconds of the ideal's and the operator's windows (the same length, so their samples
// compare), for `go tool pprof -top`; --keep-logs: keep the control plane's and operator's logs;
// --peer-settings: which of the peer's runs to make, `equal` (our --threads, no client rate limit) and
// `default` (its own flags' defaults: 1 worker, 20 QPS, burst 30).
//
// It starts its own control plane in a temporary directory, and stops it and the operator at the end,
// on an error, or on Ctrl-C.
import { mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Job, KubeObject } from '../src/api/types.ts';
import { KubeClient } from '../src/kube/client.ts';
import { POD, SERVICE } from '../src/kube/resources.ts';
import type { ClusterState } from '../test/cluster/control-plane.ts';
import {
  adminCert,
  fromClientCounts,
  meanWriteLatency,
  profileApiserver,
  readApiserver,
  readsOnly,
  subtract,
  sum,
  writesOnly,
  type ApiserverReading,
  type ClientCert,
  type RequestTotals,
} from './lib/apiserver-metrics.ts';
import { Cleanup } from './lib/cleanup.ts';
import { startCluster } from './lib/cluster.ts';
import { loadAverage, runBench } from './lib/run.ts';
import { cpuSeconds, cpuSpent, describeCpu, readCpu, totalCpu, type CpuReading } from './lib/cpu.ts';
import { benchJobs, firstStatus, floorObjects, PODS_PER_JOB, podsAndServices } from './lib/jobs.ts';
import { Arrivals, createAll, createNamespace, forEachLimited, sleep } from './lib/load.ts';
import { KUBEFLOW_DEFAULTS, KubeflowOperatorProcess, UNLIMITED_QPS } from './lib/kubeflow-operator.ts';
import { metricValue, OperatorProcess, type Memory } from './lib/operator-process.ts';
import {
  backgroundOnly,
  breakDown,
  describeWrites,
  operatorWrites,
  type WriteBreakdown,
} from './lib/writes.ts';

interface Options {
  jobs: number[];
  /** Each N is run once per thread count. */
  threads: number[];
  concurrency: number;
  idleSeconds: number;
  /** Writes must stay unchanged this long for the run to count as settled. */
  settleSeconds: number;
  cpuProfDir?: string;
  apiserverProfileDir?: string;
  keepLogs: boolean;
  /** Runs of Kubeflow's Go operator after ours, in each case: none without --peer. */
  peerSettings: PeerSetting[];
}

type PeerSetting = 'equal' | 'default';

/** An operator under test with its settings: ours, or Kubeflow's at one of its settings. */
interface Contender {
  /** `ours` or `kubeflow (equal)`, `kubeflow (default)`. */
  name: string;
  peer?: PeerSetting;
  threads: number;
  /** 0: no client rate limit. */
  qps: number;
  burst: number;
}

/** What the benchmark needs of a running operator, ours or the peer. */
interface BenchOperator {
  readonly pid: number;
  readonly namespace: string;
  memory(): Memory;
  reconciles(): Promise<number>;
  warnings(): Map<string, number>;
  stop(): Promise<void>;
}

interface Bench {
  options: Options;
  cluster: ClusterState;
  client: KubeClient;
  auth: ClientCert;
  cleanup: Cleanup;
}

/** What the machine did between the first create and the last object: CPU per process, write latency. */
interface Window {
  /** CPU seconds per process: the operator (or none), kube-apiserver, etcd and the benchmark itself. */
  cpu: CpuReading;
  /** Mean milliseconds the apiserver took per write, by verb and resource. */
  latency: [string, number][];
}

interface FloorResult {
  seconds: number;
  window: Window;
}

/** The operator from the first job create until all its pods and services exist, and until it settled. */
interface Creation {
  podsSeconds: number;
  allSeconds: number;
  window: Window;
  writes: WriteBreakdown;
  /** From the last object until the operator's last write (events, mostly). */
  settleSeconds: number;
  /** Events written before the last object existed, in the timed window. */
  eventsInWindow: number;
  /** GETs and LISTs anyone sent meanwhile: the operator reads from its caches, so none is expected. */
  reads: RequestTotals;
  /** The operator's CPU seconds at the first create. */
  operatorCpuAtStart: number;
  reconciles: number;
}

interface OperatorResult extends Creation {
  idle: WriteBreakdown;
  /**
   * The operator's CPU seconds from the first create to the end of the idle window: all its work for
   * the jobs, events it deferred past the settling included, at the same idle cost for every operator.
   */
  operatorCpu: number;
  warnings: Map<string, number>;
  /** Right after the caches synced, before any job. */
  ready: Memory;
  peak: Memory;
  settled: Memory;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: '100,1000' },
      threads: { type: 'string', default: '4' },
      concurrency: { type: 'string', default: '64' },
      'idle-seconds': { type: 'string', default: '60' },
      'settle-seconds': { type: 'string', default: '5' },
      'cpu-prof': { type: 'string' },
      'apiserver-profile': { type: 'string' },
      'keep-logs': { type: 'boolean', default: false },
      peer: { type: 'string' },
      'peer-settings': { type: 'string', default: 'equal,default' },
    },
  });
  const positive = (name: string, text: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n <= 0)
      throw new Error(`--${name}: expected a positive integer, got "${text}"`);
    return n;
  };
  return {
    jobs: values.jobs.split(',').map((n) => positive('jobs', n)),
    threads: values.threads.split(',').map((n) => positive('threads', n)),
    concurrency: positive('concurrency', values.concurrency),
    idleSeconds: positive('idle-seconds', values['idle-seconds']),
    settleSeconds: positive('settle-seconds', values['settle-seconds']),
    cpuProfDir: values['cpu-prof'] && resolve(values['cpu-prof']),
    apiserverProfileDir: values['apiserver-profile'] && resolve(values['apiserver-profile']),
    keepLogs: values['keep-logs'],
    peerSettings: parsePeer(values.peer, values['peer-settings']),
  };
}

function parsePeer(peer: string | undefined, settings: string): PeerSetting[] {
  if (peer === undefined) return [];
  if (peer !== 'kubeflow') throw new Error(`--peer: expected "kubeflow", got "${peer}"`);
  return settings.split(',').map((setting) => {
    if (setting !== 'equal' && setting !== 'default')
      throw new Error(`--peer-settings: expected "equal" and/or "default", got "${setting}"`);
    return setting;
  });
}

/** Ours at --threads with no client rate limit, then the peer's runs. */
function contenders(options: Options, threads: number): Contender[] {
  const peer = (setting: PeerSetting): Contender =>
    setting === 'equal'
      ? { name: 'kubeflow (equal)', peer: setting, threads, qps: UNLIMITED_QPS, burst: UNLIMITED_QPS }
      : { name: 'kubeflow (default)', peer: setting, ...KUBEFLOW_DEFAULTS };
  return [{ name: 'ours', threads, qps: 0, burst: 0 }, ...options.peerSettings.map(peer)];
}

function describeSettings({ peer, threads, qps, burst }: Contender): string {
  if (!peer) return `--threads ${threads} --kube-api-qps ${qps}`;
  return `--controller-threads ${threads} --kube-api-qps ${qps} --kube-api-burst ${burst}`;
}

function printMachine(options: Options): void {
  const cpus = os.cpus();
  console.log(
    `machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
  );
  console.log(`node ${process.version}; operator --kube-api-qps 0; ${options.concurrency} creates in flight`);
}

/** Rejects with a message saying what was awaited, rather than hanging the benchmark forever. */
async function within<T>(promise: Promise<T>, seconds: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${seconds} s waiting for ${what}`)),
      seconds * 1000,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Watches pods and services in `namespace` until `n` of each exist. */
async function watchPodsAndServices(bench: Bench, namespace: string, n: number): Promise<Arrivals[]> {
  const watches = await Promise.all(
    [POD, SERVICE].map((resource) => Arrivals.start(bench.client, resource, namespace, n)),
  );
  bench.cleanup.add(`watches in ${namespace}`, () => Promise.all(watches.map((w) => w.stop())));
  return watches;
}

async function arrived(watches: Arrivals[], seconds: number, what: string): Promise<number[]> {
  const describe = () => `${what} (${watches.map((w) => w.count).join(' + ')} seen)`;
  return within(Promise.all(watches.map((w) => w.done)), seconds, describe());
}

const readTotals = async (bench: Bench) => (await readApiserver(bench.cluster.server, bench.auth)).requests;

function processes(bench: Bench, operator?: BenchOperator): Record<string, number> {
  const pids = Object.fromEntries(bench.cluster.processes.map((p) => [p.name, p.pid]));
  return { ...(operator ? { operator: operator.pid } : {}), ...pids, bench: process.pid };
}

/** Readings at the start of a timed window. */
interface Mark {
  apiserver: ApiserverReading;
  cpu: CpuReading;
  at: number;
}

async function mark(bench: Bench, operator?: BenchOperator): Promise<Mark> {
  const apiserver = await readApiserver(bench.cluster.server, bench.auth);
  return { apiserver, cpu: readCpu(processes(bench, operator)), at: performance.now() };
}

async function windowSince(start: Mark, bench: Bench, operator?: BenchOperator): Promise<Window> {
  const cpu = cpuSpent(readCpu(processes(bench, operator)), start.cpu);
  const latency = meanWriteLatency(await readApiserver(bench.cluster.server, bench.auth), start.apiserver);
  return { cpu, latency };
}

/** The floor: the operator's pods and services for N jobs, created directly. */
async function runFloor(bench: Bench, { n, id }: Case, when: string): Promise<FloorResult> {
  const namespace = `floor-${id}-${when}`;
  await createNamespace(bench.client, namespace);
  const objects: KubeObject[] = floorObjects(benchJobs(n, namespace));
  const watches = await watchPodsAndServices(bench, namespace, PODS_PER_JOB * n);
  const start = await mark(bench);
  await createAll(bench.client, objects, bench.options.concurrency);
  const [pods, services] = await arrived(watches, 600, `the floor's ${objects.length} objects`);
  const seconds = (Math.max(pods, services) - start.at) / 1000;
  const window = await windowSince(start, bench);
  await Promise.all(watches.map((w) => w.stop()));
  return { seconds, window };
}

/** With --apiserver-profile, starts kube-apiserver's CPU profile of a window; await it before the next. */
function startProfile(bench: Bench, name: string, seconds: number | undefined): Promise<void> {
  const dir = bench.options.apiserverProfileDir;
  if (!dir || !seconds) return Promise.resolve();
  mkdirSync(dir, { recursive: true });
  return profileApiserver(
    bench.cluster.server,
    bench.auth,
    seconds,
    join(dir, `kube-apiserver-${name}.pprof`),
  );
}

/**
 * The ideal: per job, as a chain, the job created, then its pods and services at once, then its first
 * status; `concurrency` chains at a time. Timed until the last chain ends, status included.
 */
async function runIdeal(bench: Bench, { n, id, profileSeconds }: Case): Promise<FloorResult> {
  const namespace = `ideal-${id}`;
  await createNamespace(bench.client, namespace);
  const { client } = bench;
  // Watched like the floor's and the operator's objects, so that every run feeds the same observers.
  const watches = await watchPodsAndServices(bench, namespace, PODS_PER_JOB * n);
  const start = await mark(bench);
  const profile = startProfile(bench, `ideal-${n}`, profileSeconds);
  await forEachLimited(benchJobs(n, namespace), bench.options.concurrency, async (job) => {
    const stored = await client.create<Job>(job);
    await Promise.all(podsAndServices(stored).map((object) => client.create(object)));
    await client.replaceStatus(firstStatus(stored));
  });
  const arrivals = await arrived(watches, 600, `the ideal's ${2 * PODS_PER_JOB * n} objects`);
  const seconds = (Math.max(performance.now(), ...arrivals) - start.at) / 1000;
  const window = await windowSince(start, bench);
  await Promise.all(watches.map((w) => w.stop()));
  await profile;
  return { seconds, window };
}

/** Waits until the operator's writes stop changing; returns the last reading and how long that took. */
async function settle(
  bench: Bench,
  since: RequestTotals,
): Promise<{ totals: RequestTotals; seconds: number }> {
  const started = performance.now();
  const operatorWriteCount = (totals: RequestTotals) =>
    sum(writesOnly(subtract(totals, since)), (key) => !backgroundOnly(key));
  let totals = await readTotals(bench);
  let quietSince = performance.now();
  while (performance.now() - quietSince < bench.options.settleSeconds * 1000) {
    if (performance.now() - started > 600_000)
      throw new Error('the operator did not settle within 10 minutes');
    await sleep(500);
    const next = await readTotals(bench);
    if (operatorWriteCount(next) !== operatorWriteCount(totals)) quietSince = performance.now();
    totals = next;
  }
  return { totals, seconds: (quietSince - started) / 1000 };
}

/** The operator's warnings (failed reconciles and the like), counted by message. */
function warningsIn(logFile: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { msg?: string; err?: string };
    const key = `${entry.msg ?? ''}${entry.err ? `: ${entry.err.replace(/bench-\d+/g, 'bench-*')}` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Ours, as the benchmark sees it. */
async function startOurs(
  bench: Bench,
  namespace: string,
  logFile: string,
  threads: number,
): Promise<BenchOperator> {
  const operator = await OperatorProcess.start({
    kubeconfig: bench.cluster.kubeconfig,
    namespace,
    threads,
    logFile,
    cpuProfDir: bench.options.cpuProfDir,
  });
  return {
    pid: operator.pid,
    namespace,
    memory: () => operator.memory(),
    reconciles: async () => metricValue(await operator.metrics(), 'training_operator_reconcile_total'),
    warnings: () => warningsIn(logFile),
    stop: () => operator.stop(),
  };
}

async function startOperator(bench: Bench, { id }: Case, contender: Contender): Promise<BenchOperator> {
  const namespace = contender.peer ? `kubeflow-${contender.peer}-${id}` : `operator-${id}`;
  await createNamespace(bench.client, namespace);
  const logFile = join(bench.cluster.dir, 'logs', `${namespace}.log`);
  const operator = contender.peer
    ? await KubeflowOperatorProcess.start({
        client: bench.client,
        kubeconfig: bench.cluster.kubeconfig,
        namespace,
        threads: contender.threads,
        qps: contender.qps,
        burst: contender.burst,
        logFile,
      })
    : await startOurs(bench, namespace, logFile, contender.threads);
  bench.cleanup.add(`the operator of ${namespace}`, () => operator.stop());
  // The apiserver counts a request once it has finished with it, a little after the operator has read
  // the answer: without this pause some of the informers' first LISTs land in the measured window.
  await sleep(1000);
  return operator;
}

/** Creates the N jobs and times the operator to all their pods and services; then counts its writes. */
async function createJobs(
  bench: Bench,
  operator: BenchOperator,
  { n, profileSeconds }: Case,
  contender: Contender,
): Promise<Creation> {
  const jobs = benchJobs(n, operator.namespace);
  const watches = await watchPodsAndServices(bench, operator.namespace, PODS_PER_JOB * n);
  bench.client.requests.reset();
  const start = await mark(bench, operator);
  const profileName = contender.peer ? `kubeflow-${contender.peer}-${n}` : `operator-${n}`;
  const profile = startProfile(bench, profileName, profileSeconds);
  await createAll(bench.client, jobs, bench.options.concurrency);
  const [pods, services] = await arrived(
    watches,
    900 + rateLimitedSeconds(contender, n),
    `the operator's ${2 * PODS_PER_JOB * n} objects`,
  );
  const window = await windowSince(start, bench, operator);
  const atLastObject = breakDown(writesOnly(subtract(await readTotals(bench), start.apiserver.requests)));
  await Promise.all(watches.map((w) => w.stop()));
  // The operator's writes are the apiserver's count less the benchmark's own (the jobs).
  const ours = fromClientCounts(bench.client.requests.snapshot());
  const settled = await settle(bench, start.apiserver.requests);
  await profile;
  const requests = subtract(settled.totals, start.apiserver.requests);
  const writes = breakDown(subtract(writesOnly(requests), ours));
  return {
    podsSeconds: (pods - start.at) / 1000,
    allSeconds: (Math.max(pods, services) - start.at) / 1000,
    window,
    writes,
    settleSeconds: settled.seconds,
    eventsInWindow: atLastObject.events,
    reads: readsOnly(requests),
    operatorCpuAtStart: start.cpu.get('operator') ?? NaN,
    reconciles: await operator.reconciles(),
  };
}

/**
 * How long a client rate limit alone makes N jobs take: each job costs its objects, one status and an
 * event per object (Kubeflow's operator sends its events through the same limiter).
 */
function rateLimitedSeconds({ qps }: Contender, n: number): number {
  return qps === 0 ? 0 : (n * (4 * PODS_PER_JOB + 1)) / qps;
}

/** Every write made while nothing happens. */
async function idleWrites(bench: Bench): Promise<WriteBreakdown> {
  const before = await readTotals(bench);
  await sleep(bench.options.idleSeconds * 1000);
  return breakDown(writesOnly(subtract(await readTotals(bench), before)));
}

/** N jobs through the operator: time to all pods, writes per job, the idle minute, memory. */
async function runOperator(bench: Bench, run: Case, contender: Contender): Promise<OperatorResult> {
  const operator = await startOperator(bench, run, contender);
  const ready = operator.memory();
  const creation = await createJobs(bench, operator, run, contender);
  const peak = operator.memory();
  const idle = await idleWrites(bench);
  const operatorCpu = cpuSeconds(operator.pid) - creation.operatorCpuAtStart;
  const settled = operator.memory();
  await operator.stop();
  return { ...creation, idle, operatorCpu, warnings: operator.warnings(), ready, peak, settled };
}

const perJob = (count: number, n: number) => (count / n).toFixed(2);

/** N jobs through an operator with this many workers. */
interface Case {
  n: number;
  threads: number;
  /** Names the case's namespaces, unique even when an N is given twice: `<n>-t<threads>-<run>`. */
  id: string;
  /** With --apiserver-profile: how long each profile lasts (1.5 × the floor before). */
  profileSeconds?: number;
}

interface Row extends Case {
  contender: Contender;
  load: string;
  floors: [FloorResult, FloorResult];
  ideal: FloorResult;
  result: OperatorResult;
}

/** The mean of the two floors, so that load from elsewhere during the run weighs on both sides alike. */
const floorSeconds = (row: Row) => (row.floors[0].seconds + row.floors[1].seconds) / 2;
const ratio = (row: Row) => row.result.allSeconds / floorSeconds(row);
const idealRatio = (row: Row) => row.ideal.seconds / floorSeconds(row);
/**
 * CPU of every process in play (control plane, operator, benchmark) from the first create to the last
 * object, over the floor's: what the time ratio tends to when the cores are the limit. It moves far
 * less with load from elsewhere than the times do.
 */
const cpuRatio = ({ floors, result }: Row) =>
  totalCpu(result.window.cpu) / ((totalCpu(floors[0].window.cpu) + totalCpu(floors[1].window.cpu)) / 2);
const jobWrites = ({ objects, status, other }: WriteBreakdown) => objects + status + other;
/** The operator's own CPU from the first create to the end of the idle window, per job. */
const operatorCpuPerJob = ({ n, result }: Row) => ((result.operatorCpu / n) * 1000).toFixed(2);

/** The floors and the ideal of a case, then each operator's run of it. */
function printCase(rows: Row[], options: Options): void {
  const [first] = rows;
  const { n, floors } = first;
  const objects = 2 * PODS_PER_JOB * n;
  console.log(
    `\n== N = ${n} jobs (${objects} pods and services), --threads ${first.threads}; load average before: ${first.load}`,
  );
  const [before, after] = floors.map((f) => `${f.seconds.toFixed(2)} s`);
  console.log(
    `floor:     ${objects} objects in ${before} before and ${after} after the operator runs: mean ${floorSeconds(first).toFixed(2)} s, ${(objects / floorSeconds(first)).toFixed(0)} objects/s`,
  );
  console.log(
    `ideal:     jobs, objects and one status each in ${first.ideal.seconds.toFixed(2)} s: ${idealRatio(first).toFixed(2)} × floor`,
  );
  printWindow('floor', floors[0].window);
  printWindow('ideal', first.ideal.window);
  for (const row of rows) printRun(row, options);
}

function printRun(row: Row, options: Options): void {
  const { n, result, contender } = row;
  const w = result.writes;
  console.log(`-- ${contender.name}: ${describeSettings(contender)}; load average before: ${row.load}`);
  console.log(
    `operator:  all pods in ${result.podsSeconds.toFixed(2)} s (${(n / result.podsSeconds).toFixed(1)} jobs/s), pods and services in ${result.allSeconds.toFixed(2)} s: ${ratio(row).toFixed(2)} × floor (target ≤ 1.5), ${(result.allSeconds / row.ideal.seconds).toFixed(2)} × ideal; CPU ${cpuRatio(row).toFixed(2)} × floor`,
  );
  console.log(
    `operator CPU: ${(result.window.cpu.get('operator') ?? NaN).toFixed(2)} s to the last object, ${result.operatorCpu.toFixed(2)} s to the end of the idle window: ${operatorCpuPerJob(row)} ms/job`,
  );
  console.log(
    `writes/job: ${perJob(w.objects, n)} objects + ${perJob(w.status, n)} status + ${perJob(w.other, n)} other = ${perJob(jobWrites(w), n)} (target ≤ ${2 * PODS_PER_JOB + 2}); events ${perJob(w.events, n)} (${result.eventsInWindow} of them before the last object), the last ${result.settleSeconds.toFixed(1)} s after it`,
  );
  console.log(`  by verb:  ${describeWrites(w.all, (key) => !backgroundOnly(key))}`);
  printWindow('operator', result.window);
  console.log(`reconciles/job: ${perJob(result.reconciles, n)}; reads: ${describeWrites(result.reads)}`);
  for (const [message, count] of result.warnings) console.log(`  operator warning ×${count}: ${message}`);
  const idle = result.idle;
  console.log(
    `idle ${options.idleSeconds} s: ${jobWrites(idle)} operator writes, ${idle.events} events; the control plane's own: ${describeWrites(idle.all, backgroundOnly)}`,
  );
  console.log(
    `memory: RSS ${result.ready.rssMiB.toFixed(0)} MiB when ready, peak ${result.peak.peakMiB.toFixed(0)} MiB, ${result.settled.rssMiB.toFixed(0)} MiB after settling`,
  );
}

function printWindow(name: string, window: Window): void {
  const latency = window.latency.map(([key, ms]) => `${key} ${ms.toFixed(1)}`).join(', ');
  console.log(`  ${name}: CPU ${describeCpu(window.cpu)}`);
  console.log(`  ${name}: apiserver ms/write ${latency}`);
}

/** The figures as a Markdown table, for docs/performance.md. */
function printSummary(rows: Row[]): void {
  console.log(
    '\n| N | operator | threads | QPS | floor s | ideal s | operator s (all pods) | jobs/s | × floor | ideal × floor | × ideal | CPU × floor | operator CPU ms/job | writes/job | events/job | idle writes | RSS ready MiB | peak RSS MiB | RSS after MiB |',
  );
  console.log(
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const row of rows) {
    const { n, result, contender } = row;
    const cells = [
      n,
      contender.name,
      contender.threads,
      contender.qps === 0 || contender.qps === UNLIMITED_QPS ? '∞' : `${contender.qps}/${contender.burst}`,
      floorSeconds(row).toFixed(2),
      row.ideal.seconds.toFixed(2),
      result.podsSeconds.toFixed(2),
      (n / result.podsSeconds).toFixed(1),
      ratio(row).toFixed(2),
      idealRatio(row).toFixed(2),
      (result.allSeconds / row.ideal.seconds).toFixed(2),
      cpuRatio(row).toFixed(2),
      operatorCpuPerJob(row),
      perJob(jobWrites(result.writes), n),
      perJob(result.writes.events, n),
      operatorWrites(result.idle),
      result.ready.rssMiB.toFixed(0),
      result.peak.peakMiB.toFixed(0),
      result.settled.rssMiB.toFixed(0),
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
}

async function main(): Promise<void> {
  const options = parseOptions();
  const cleanup = new Cleanup();
  cleanup.onSignals();
  let keepLogs = options.keepLogs;
  try {
    printMachine(options);
    console.log(`load average at start: ${loadAverage()}`);
    const { state, client } = await startCluster(cleanup, () => keepLogs);
    const bench: Bench = { options, cluster: state, client, auth: adminCert(state.dir), cleanup };
    const rows: Row[] = [];
    for (const n of options.jobs) {
      for (const threads of options.threads) {
        const load = loadAverage();
        const id = `${n}-t${threads}-${rows.length + 1}`;
        const before = await runFloor(bench, { n, threads, id }, 'before');
        const run: Case = { n, threads, id, profileSeconds: Math.ceil(before.seconds * 1.5) };
        const results: { contender: Contender; load: string; result: OperatorResult }[] = [];
        for (const contender of contenders(options, threads)) {
          const loadBefore = results.length === 0 ? load : loadAverage();
          results.push({ contender, load: loadBefore, result: await runOperator(bench, run, contender) });
        }
        const ideal = await runIdeal(bench, run);
        const floors: [FloorResult, FloorResult] = [before, await runFloor(bench, run, 'after')];
        const caseRows = results.map((result): Row => ({ ...run, ...result, floors, ideal }));
        printCase(caseRows, options);
        rows.push(...caseRows);
      }
    }
    printSummary(rows);
    console.log(`\nload average at the end: ${loadAverage()}`);
  } catch (error) {
    keepLogs = true;
    throw error;
  } finally {
    await cleanup.run();
  }
}

runBench(main);
