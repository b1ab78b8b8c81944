// A reconcile that finds nothing to change writes nothing (docs/differences.md: zero writes while nothing
// changes, events on transitions only). Jobs in every settled state are reconciled again by unrelated
// events, and the operator's request counter must show no create, update, patch or delete at all:
// no object, no status, no event.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KindName } from '../../src/api/kinds.ts';
import { makeJob } from '../support/builders.ts';
import * as harness from './harness.ts';
import {
  createJob,
  hasCondition,
  namesOf,
  operatorNamespace,
  patchJob,
  podsOf,
  setPhases,
  settle,
  waitForJob,
  waitForObjects,
} from './operator.ts';

const JOBS: { kind: KindName; name: string }[] = [
  { kind: 'PyTorchJob', name: 'running' },
  { kind: 'MPIJob', name: 'mpi' },
  { kind: 'TFJob', name: 'done' },
  { kind: 'XGBoostJob', name: 'suspended' },
];

test('settled jobs reconciled again by unrelated events: zero API writes', async (t) => {
  const { ns, operator } = await operatorNamespace(t, 'no-writes');
  await createJob(makeJob('PyTorchJob', 'running', ns).replicas('Master', 1).replicas('Worker', 1).obj());
  await createJob(makeJob('MPIJob', 'mpi', ns).replicas('Launcher', 1).replicas('Worker', 2).obj());
  await createJob(makeJob('TFJob', 'done', ns).replicas('Worker', 1).obj());
  await createJob(
    makeJob('XGBoostJob', 'suspended', ns)
      .replicas('Master', 1)
      .replicas('Worker', 1)
      .runPolicy({ suspend: true })
      .obj(),
  );
  await waitForObjects(ns, 'running', ['running-master-0', 'running-worker-0']);
  await waitForObjects(ns, 'mpi', ['mpi-launcher', 'mpi-worker-0', 'mpi-worker-1'], []);
  await waitForObjects(ns, 'done', ['done-worker-0']);
  await setPhases(
    ns,
    ['running-master-0', 'running-worker-0', 'mpi-launcher', 'mpi-worker-0', 'mpi-worker-1'],
    'Running',
  );
  await setPhases(ns, ['done-worker-0'], 'Succeeded');
  await waitForJob(
    ns,
    'PyTorchJob',
    'running',
    (j) => j.status?.replicaStatuses?.Worker?.active === 1,
    'running',
  );
  await waitForJob(ns, 'MPIJob', 'mpi', (j) => j.status?.replicaStatuses?.Worker?.active === 2, 'running');
  await waitForJob(ns, 'TFJob', 'done', (j) => hasCondition(j, 'Succeeded'), 'Succeeded');
  await waitForJob(ns, 'XGBoostJob', 'suspended', (j) => hasCondition(j, 'Suspended'), 'Suspended');
  await settle(operator);

  operator.client.requests.reset();
  const reconciled = await operator.reconciles();
  // Unrelated changes: a label on every pod, an annotation on every job. Each makes its job reconcile.
  const core = harness.client(CoreV1Api);
  const stamp = { metadata: { labels: { 'example.com/touched': 'yes' } } };
  for (const { name } of JOBS) {
    for (const pod of namesOf(await podsOf(ns, name))) {
      await core.patchNamespacedPod(
        { name: pod, namespace: ns, body: stamp },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    }
  }
  for (const { kind, name } of JOBS) {
    await patchJob(ns, kind, name, { metadata: { annotations: { 'example.com/touched': 'yes' } } });
  }
  await harness.waitFor(
    async () => (await operator.reconciles()) >= reconciled + JOBS.length,
    10_000,
    'a reconcile of every job',
  );
  await settle(operator);

  const requests = operator.client.requests;
  assert.equal(requests.writes(), 0, `writes: ${JSON.stringify(requests.snapshot())}`);
});
