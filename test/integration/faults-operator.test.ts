// Faults of the operator itself: its process SIGKILLed again and again while jobs are created, and
// several writers editing the same jobs at once while it reconciles them. On the shared test cluster.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { Job } from '../../src/api/types.ts';
import { makeJob } from '../support/builders.ts';
import { startOperatorProcess } from './faults.ts';
import * as harness from './harness.ts';
import {
  createJob,
  hasCondition,
  namesOf,
  operatorNamespace,
  patchJob,
  settle,
  sleep,
  waitForObjects,
} from './operator.ts';

const JOBS = 200;
const KILLS = 5;

/** Runs `work` over `items`, `width` at a time. */
async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

describe('faults of the operator', { timeout: 600_000 }, () => {
  test(`SIGKILLed ${KILLS} times while ${JOBS} jobs are created: in the end each job has its pod and service once, and Created`, async (t) => {
    const ns = await harness.namespace('sigkill');
    const started = Date.now();
    const names = Array.from({ length: JOBS }, (_, i) => `job-${String(i).padStart(3, '0')}`);
    const create = inParallel(names, 8, (name) =>
      createJob(makeJob('PyTorchJob', name, ns).replicas('Master', 1).obj()),
    );
    for (let round = 0; round < KILLS; round++) {
      const operator = await startOperatorProcess(t, { namespace: ns, identity: `killed-${round}` });
      await sleep(1000 + Math.random() * 1000);
      await operator.kill();
    }
    await create;
    const killed = Date.now();
    await startOperatorProcess(t, { namespace: ns, identity: 'survivor' });

    const core = harness.client(CoreV1Api);
    const expected = names.map((name) => `${name}-master-0`).join(',');
    const listed = async () => {
      const [pods, services] = await Promise.all([
        core.listNamespacedPod({ namespace: ns }),
        core.listNamespacedService({ namespace: ns }),
      ]);
      const jobs = (await harness.client(CustomObjectsApi).listNamespacedCustomObject({
        group: 'kubeflow.org',
        version: 'v1',
        namespace: ns,
        plural: 'pytorchjobs',
      })) as { items: Job[] };
      return { pods: pods.items, services: services.items, jobs: jobs.items };
    };
    const done = await harness.waitFor(
      async () => {
        const state = await listed();
        return (
          state.jobs.every((job) => hasCondition(job, 'Created')) &&
          namesOf(state.pods).sort().join(',') === expected &&
          namesOf(state.services).sort().join(',') === expected &&
          state
        );
      },
      180_000,
      `${JOBS} jobs each with its pod, service and Created`,
    );
    t.diagnostic(
      `${KILLS} kills and ${JOBS} creates took ${((killed - started) / 1000).toFixed(1)} s; the last ` +
        `operator finished ${((Date.now() - killed) / 1000).toFixed(1)} s later`,
    );
    const uidOf = new Map(done.jobs.map((job) => [job.metadata.name, job.metadata.uid]));
    for (const object of [...done.pods, ...done.services]) {
      const owner = object.metadata!.ownerReferences?.find((ref) => ref.controller);
      assert.equal(owner?.uid, uidOf.get(object.metadata!.name!.replace(/-master-0$/, '')));
    }
    assert.equal(done.jobs.length, JOBS);
  });

  test('several writers editing the same jobs at once: the operator converges to the last spec, then writes nothing', async (t) => {
    const { ns, operator } = await operatorNamespace(t, 'edits');
    const jobs = ['edit-a', 'edit-b', 'edit-c'];
    for (const name of jobs)
      await createJob(makeJob('PyTorchJob', name, ns).replicas('Master', 1).replicas('Worker', 1).obj());
    const edit = (name: string, replicas: number, writer: string) =>
      patchJob(ns, 'PyTorchJob', name, {
        metadata: { labels: { 'example.com/writer': writer } },
        spec: { pytorchReplicaSpecs: { Worker: { replicas } } },
      });
    await Promise.all(
      Array.from({ length: 4 }, async (_, writer) => {
        for (let n = 0; n < 10; n++) {
          const name = jobs[Math.floor(Math.random() * jobs.length)];
          await edit(name, 1 + Math.floor(Math.random() * 4), `w${writer}-${n}`);
        }
      }),
    );
    const last = { 'edit-a': 3, 'edit-b': 1, 'edit-c': 2 };
    for (const [name, replicas] of Object.entries(last)) await edit(name, replicas, 'last');

    for (const [name, replicas] of Object.entries(last)) {
      const workers = Array.from({ length: replicas }, (_, i) => `${name}-worker-${i}`);
      await waitForObjects(ns, name, [`${name}-master-0`, ...workers], undefined, 30_000);
    }
    await settle(operator, 2000, 60_000);
    operator.client.requests.reset();
    const reconciles = await operator.reconciles();
    await sleep(5000);
    assert.equal(
      operator.client.requests.writes(),
      0,
      `writes: ${JSON.stringify(operator.client.requests.snapshot())}`,
    );
    assert.equal(await operator.reconciles(), reconciles, 'nothing left to reconcile');
  });
});
