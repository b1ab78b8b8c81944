// The operator's footprint: how soon it is ready, how much memory it holds, and its CPU per job, for
// each set of node options given (to weigh V8 flags against each other). Each run starts the operator
// as the image does (`node [OPTIONS] bin/training-operator.js run`, the compiled dist/) on a local
// control plane (envtest mode), times it to /readyz and reads its RSS. Then it creates N PyTorchJobs
// and waits for their 3N pods and services (watched by the benchmark, names only), and 20 s more for
// the events the operator records after a burst: peak RSS (VmHWM) and the operator's CPU until then.
// Prints figures; asserts nothing. Run `npm run build` first (the bin refuses a stale dist/).
//
//   npx tsx bench/footprint.ts [--jobs 1000] [--runs 3] [--node-options='--max-semi-space-size=4' ...]
//
// --node-options may be repeated; the default is the bin's own (BIN_NODE_OPTIONS), and --node-options=
// is node's defaults. Variants alternate within each round, so load elsewhere falls on all alike.
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeClient } from '../src/kube/client.ts';
import { POD, SERVICE } from '../src/kube/resources.ts';
import type { ClusterState } from '../test/cluster/control-plane.ts';
import { Cleanup } from './lib/cleanup.ts';
import { startCluster } from './lib/cluster.ts';
import { cpuSeconds } from './lib/cpu.ts';
import { benchJobs, PODS_PER_JOB } from './lib/jobs.ts';
import { Arrivals, createAll, createNamespace, sleep } from './lib/load.ts';
import { BIN_NODE_OPTIONS, OperatorProcess } from './lib/operator-process.ts';
import { loadAverage, runBench, valueRange } from './lib/run.ts';

/** After the last pod and service: the operator's events come in the seconds after the burst. */
const SETTLE_MS = 20_000;

interface Options {
  jobs: number;
  runs: number;
  nodeOptions: string[];
}

interface Footprint {
  readySeconds: number;
  readyRssMiB: number;
  /** CPU seconds from spawn to ready. */
  startCpu: number;
  peakMiB: number;
  /** Operator CPU milliseconds per job, from the first job created to 20 s after the last object. */
  cpuMsPerJob: number;
  podsSeconds: number;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: '1000' },
      runs: { type: 'string', default: '3' },
      'node-options': { type: 'string', multiple: true, default: [BIN_NODE_OPTIONS.join(' ')] },
    },
  });
  return { jobs: Number(values.jobs), runs: Number(values.runs), nodeOptions: values['node-options'] };
}

async function measure(
  cluster: ClusterState,
  client: KubeClient,
  cleanup: Cleanup,
  id: string,
  nodeOptions: string,
  jobs: number,
): Promise<Footprint> {
  const namespace = `footprint-${id}`;
  await createNamespace(client, namespace);
  const started = Date.now();
  const operator = await OperatorProcess.start({
    kubeconfig: cluster.kubeconfig,
    namespace,
    threads: 4,
    logFile: join(cluster.dir, 'logs', `${namespace}.log`),
    nodeOptions: nodeOptions.split(' ').filter(Boolean),
  });
  const readySeconds = (Date.now() - started) / 1000;
  cleanup.add(`the operator of ${namespace}`, () => operator.stop());
  const ready = operator.memory();
  const startCpu = cpuSeconds(operator.pid);
  const [pods, services] = await Promise.all(
    [POD, SERVICE].map((resource) => Arrivals.start(client, resource, namespace, PODS_PER_JOB * jobs)),
  );
  const t0 = performance.now();
  await createAll(client, benchJobs(jobs, namespace), 64);
  const timeout = setTimeout(() => console.error(`${namespace}: still waiting after 15 min`), 900_000);
  const [allPods] = await Promise.all([pods.done, services.done]);
  clearTimeout(timeout);
  await Promise.all([pods.stop(), services.stop()]);
  // The operator records its events after the burst: the peak and the CPU include them.
  await sleep(SETTLE_MS);
  const podsSeconds = (allPods - t0) / 1000;
  const cpu = cpuSeconds(operator.pid) - startCpu;
  const peakMiB = operator.memory().peakMiB;
  await operator.stop();
  return {
    readySeconds,
    readyRssMiB: ready.rssMiB,
    startCpu,
    peakMiB,
    cpuMsPerJob: (cpu * 1000) / jobs,
    podsSeconds,
  };
}

async function main(): Promise<void> {
  const options = parseOptions();
  const cleanup = new Cleanup();
  cleanup.onSignals();
  try {
    console.log(`${os.cpus().length} CPUs, node ${process.version}, load average at start: ${loadAverage()}`);
    const { state, client } = await startCluster(cleanup);
    const results = new Map<string, Footprint[]>(options.nodeOptions.map((o) => [o, []]));
    for (let round = 0; round < options.runs; round++) {
      for (const [index, nodeOptions] of options.nodeOptions.entries()) {
        const result = await measure(state, client, cleanup, `${round}-${index}`, nodeOptions, options.jobs);
        results.get(nodeOptions)!.push(result);
        console.log(
          `[${nodeOptions || 'node defaults'}] ready in ${result.readySeconds.toFixed(2)} s (${result.startCpu.toFixed(2)} s CPU), ` +
            `RSS ${result.readyRssMiB.toFixed(0)} MiB; ${options.jobs} jobs: pods in ${result.podsSeconds.toFixed(1)} s, ` +
            `peak ${result.peakMiB.toFixed(0)} MiB, ${result.cpuMsPerJob.toFixed(2)} ms CPU per job (load ${loadAverage()})`,
        );
      }
    }
    console.log(
      `\n| node options | ready s | CPU to ready s | RSS ready MiB | peak MiB (N = ${options.jobs}) | CPU ms/job | pods s |`,
    );
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const [nodeOptions, runs] of results) {
      const cells = [
        nodeOptions ? `\`${nodeOptions}\`` : 'node defaults',
        valueRange(
          runs.map((r) => r.readySeconds),
          2,
        ),
        valueRange(
          runs.map((r) => r.startCpu),
          2,
        ),
        valueRange(
          runs.map((r) => r.readyRssMiB),
          0,
        ),
        valueRange(
          runs.map((r) => r.peakMiB),
          0,
        ),
        valueRange(
          runs.map((r) => r.cpuMsPerJob),
          2,
        ),
        valueRange(
          runs.map((r) => r.podsSeconds),
          1,
        ),
      ];
      console.log(`| ${cells.join(' | ')} |`);
    }
    console.log(`\nload average at the end: ${loadAverage()}`);
  } finally {
    await cleanup.run();
  }
}

runBench(main);
