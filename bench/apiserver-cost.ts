// What each kind of write the operator path makes costs the control plane: kube-apiserver and etcd CPU
// per request, for N of each (64 in flight unless said otherwise), on a fresh local control plane. The
// operator benchmark is CPU-bound on 2 cores, so these costs are what its time ratio is made of.
// Prints figures; asserts nothing.
//
//   npx tsx bench/apiserver-cost.ts [--count 1000] [--rounds 2]
import { parseArgs } from 'node:util';
import type { Job, KubeObject } from '../src/api/types.ts';
import { KubeClient } from '../src/kube/client.ts';
import { eventObject } from '../src/manager/events.ts';
import { Cleanup } from './lib/cleanup.ts';
import { startCluster } from './lib/cluster.ts';
import { loadAverage, runBench } from './lib/run.ts';
import { cpuSpent, readCpu } from './lib/cpu.ts';
import { benchJobs, firstStatus, floorObjects } from './lib/jobs.ts';
import { createNamespace, forEachLimited } from './lib/load.ts';

const IN_FLIGHT = 64;

interface Step {
  name: string;
  inFlight: number;
  /** Sends `count` requests of one kind, `limit` at a time. */
  run(limit: number): Promise<unknown>;
}

function steps(client: KubeClient, namespace: string, count: number): Step[] {
  const jobs = benchJobs(count, namespace);
  const objects = floorObjects(jobs);
  const ofKind = (kind: string) => objects.filter((o) => o.kind === kind).slice(0, count);
  const created: Job[] = [];
  const events = (reason: string) =>
    created.map((job) =>
      eventObject(job, { type: 'Normal', reason, message: `${reason} ${job.metadata.name}` }, new Date()),
    );
  const createAll = (items: KubeObject[], limit: number) =>
    forEachLimited(items, limit, (o) => client.create(o));
  return [
    { name: 'create pod', inFlight: IN_FLIGHT, run: (limit) => createAll(ofKind('Pod'), limit) },
    { name: 'create service', inFlight: IN_FLIGHT, run: (limit) => createAll(ofKind('Service'), limit) },
    {
      name: 'create pytorchjob',
      inFlight: IN_FLIGHT,
      run: (limit) => forEachLimited(jobs, limit, async (job) => created.push(await client.create(job))),
    },
    {
      name: 'update pytorchjob/status',
      inFlight: IN_FLIGHT,
      run: (limit) => forEachLimited(created, limit, (job) => client.replaceStatus(firstStatus(job))),
    },
    { name: 'create event', inFlight: IN_FLIGHT, run: (limit) => createAll(events('Parallel'), limit) },
    { name: 'create event', inFlight: 8, run: (limit) => createAll(events('Eight'), limit) },
    { name: 'create event', inFlight: 1, run: (limit) => createAll(events('Serial'), limit) },
  ];
}

async function measure(step: Step, pids: Record<string, number>, count: number): Promise<void> {
  const before = readCpu(pids);
  const started = performance.now();
  await step.run(step.inFlight);
  const seconds = (performance.now() - started) / 1000;
  const spent = cpuSpent(readCpu(pids), before);
  const ms = (name: string) => (((spent.get(name) ?? 0) * 1000) / count).toFixed(2).padStart(6);
  console.log(
    `| ${step.name} | ${step.inFlight} | ${ms('kube-apiserver')} | ${ms('etcd')} | ${ms('client')} | ${(count / seconds).toFixed(0)} |`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { count: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '2' } },
  });
  const count = Number(values.count);
  const cleanup = new Cleanup();
  cleanup.onSignals();
  try {
    const { state, client } = await startCluster(cleanup);
    const pids = { ...Object.fromEntries(state.processes.map((p) => [p.name, p.pid])), client: process.pid };
    console.log(`${count} requests per row; load average ${loadAverage()}`);
    console.log('\n| request | in flight | apiserver CPU ms | etcd CPU ms | client CPU ms | requests/s |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (let round = 0; round < Number(values.rounds); round++) {
      const namespace = `cost-${round}`;
      await createNamespace(client, namespace);
      for (const step of steps(client, namespace, count)) await measure(step, pids, count);
    }
    console.log(`\nload average at the end: ${loadAverage()}`);
  } finally {
    await cleanup.run();
  }
}

runBench(main);
