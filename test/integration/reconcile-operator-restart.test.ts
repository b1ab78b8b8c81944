// The operator stops mid-job and a new one takes over (ReconcileJobs in the reference's
// pkg/controller.v1/common/job.go, release-1.9): it works from what the API server holds, so nothing is
// created twice, untouched objects keep their uids, changes made while no operator ran are acted on, and the
// status carries on from where it was.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import type { Job } from '../../src/api/types.ts';
import { makeJob } from '../support/builders.ts';
import * as harness from './harness.ts';
import {
  cond,
  conditionsOf,
  createJob,
  hasCondition,
  podsOf,
  servicesOf,
  setPhases,
  settle,
  startOperator,
  waitForEvent,
  waitForJob,
  waitForObjects,
} from './operator.ts';

type Uids = Record<string, string>;

const uidsOf = (items: { metadata?: { name?: string; uid?: string } }[]): Uids =>
  Object.fromEntries(items.map((item) => [item.metadata!.name!, item.metadata!.uid!]));

const createdCondition = (job: Job) => job.status?.conditions?.find((c) => c.type === 'Created');

test('operator restart mid-job: no duplicates, changes made meanwhile are acted on, status continues', async (t) => {
  const ns = await harness.namespace('operator-restart');
  const first = await startOperator([ns]);
  t.after(() => first.stop());
  await createJob(makeJob('PyTorchJob', 'demo', ns).replicas('Master', 1).replicas('Worker', 2).obj());
  const names = ['demo-master-0', 'demo-worker-0', 'demo-worker-1'];
  await waitForObjects(ns, 'demo', names);
  await setPhases(ns, names, 'Running');
  const before = await waitForJob(
    ns,
    'PyTorchJob',
    'demo',
    (j) => j.status?.replicaStatuses?.Worker?.active === 2,
    'running',
  );
  const pods = uidsOf(await podsOf(ns, 'demo'));
  const services = uidsOf(await servicesOf(ns, 'demo'));
  await first.stop();

  // While no operator runs: a worker fails and someone deletes another worker's service.
  await harness.setPodPhase(ns, 'demo-worker-1', 'Failed', 1);
  await harness.client(CoreV1Api).deleteNamespacedService({ name: 'demo-worker-0', namespace: ns });

  const second = await startOperator([ns]);
  t.after(() => second.stop());
  await harness.waitFor(
    async () => {
      const now = uidsOf(await podsOf(ns, 'demo'));
      return now['demo-worker-1'] !== undefined && now['demo-worker-1'] !== pods['demo-worker-1'];
    },
    10_000,
    'demo-worker-1 to be recreated',
  );
  await waitForObjects(ns, 'demo', names);
  await settle(second);

  // Exactly one pod and one service were made again; everything else is the same object as before.
  assert.deepEqual(
    {
      createPods: second.client.requests.count('create', 'pods'),
      deletePods: second.client.requests.count('delete', 'pods'),
      createServices: second.client.requests.count('create', 'services'),
      deleteServices: second.client.requests.count('delete', 'services'),
    },
    { createPods: 1, deletePods: 1, createServices: 1, deleteServices: 0 },
  );
  const podsAfter = uidsOf(await podsOf(ns, 'demo'));
  const servicesAfter = uidsOf(await servicesOf(ns, 'demo'));
  assert.equal(Object.keys(podsAfter).length, 3);
  assert.equal(Object.keys(servicesAfter).length, 3);
  assert.equal(podsAfter['demo-master-0'], pods['demo-master-0']);
  assert.equal(podsAfter['demo-worker-0'], pods['demo-worker-0']);
  assert.equal(servicesAfter['demo-master-0'], services['demo-master-0']);
  assert.equal(servicesAfter['demo-worker-1'], services['demo-worker-1']);
  await waitForEvent(
    ns,
    'PyTorchJob',
    'demo',
    'PyTorchJobRestarting',
    'job demo is restarting because Worker replica(s) failed.',
  );

  // The status carries on: same startTime and Created, the master still running, the new worker pending.
  const after = await waitForJob(
    ns,
    'PyTorchJob',
    'demo',
    (j) => hasCondition(j, 'Running'),
    'Running again',
  );
  assert.equal(after.status?.startTime, before.status?.startTime);
  assert.deepEqual(createdCondition(after), createdCondition(before));
  assert.deepEqual(conditionsOf(after), [
    cond('Created', 'True', 'PyTorchJobCreated', 'PyTorchJob demo is created.'),
    cond('Running', 'True', 'PyTorchJobRunning', 'PyTorchJob demo is running.'),
  ]);
  assert.deepEqual(
    [after.status?.replicaStatuses?.Master?.active, after.status?.replicaStatuses?.Worker?.active],
    [1, 1],
  );

  await setPhases(ns, ['demo-worker-1'], 'Running');
  await setPhases(ns, ['demo-master-0'], 'Succeeded');
  const done = await waitForJob(ns, 'PyTorchJob', 'demo', (j) => hasCondition(j, 'Succeeded'), 'Succeeded');
  assert.deepEqual(
    conditionsOf(done).at(-1),
    cond('Succeeded', 'True', 'PyTorchJobSucceeded', 'PyTorchJob demo is successfully completed.'),
  );
});
