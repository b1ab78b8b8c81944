// runPolicy.suspend and runPolicy.managedBy (ReconcileJobs in the reference's
// pkg/controller.v1/common/job.go, ManagedByExternalController in each *_controller.go, release-1.9):
// suspending a running job deletes its pods and services and resuming recreates them with a new startTime; a
// job created suspended gets nothing but [Created, Suspended]; a job MultiKueue manages is left entirely
// alone.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { LABELS } from '../../src/api/kinds.ts';
import { makeJob } from '../support/builders.ts';
import * as harness from './harness.ts';
import {
  cond,
  conditionsOf,
  createJob,
  getJob,
  hasCondition,
  namesOf,
  operatorNamespace,
  patchJob,
  podsOf,
  servicesOf,
  setPhases,
  settle,
  sleep,
  waitForEvent,
  waitForJob,
  waitForObjects,
} from './operator.ts';

/** Everything the job could own in the namespace: pods, services and (MPI) ConfigMaps, by name. */
async function ownedNames(ns: string, job: string): Promise<string[]> {
  const { items } = await harness
    .client(CoreV1Api)
    .listNamespacedConfigMap({ namespace: ns, labelSelector: `${LABELS.jobName}=${job}` });
  return [...namesOf(await podsOf(ns, job)), ...namesOf(await servicesOf(ns, job)), ...namesOf(items)];
}

describe('suspend and managedBy', () => {
  test('suspend deletes pods and services and keeps startTime; resume recreates them with a new startTime', async (t) => {
    const { ns } = await operatorNamespace(t, 'suspend');
    const kind = 'PyTorchJob';
    await createJob(makeJob(kind, 'test-job', ns).replicas('Master', 1).replicas('Worker', 1).obj());
    const names = ['test-job-master-0', 'test-job-worker-0'];
    await waitForObjects(ns, 'test-job', names);
    await setPhases(ns, names, 'Running');
    const created = cond('Created', 'True', 'PyTorchJobCreated', 'PyTorchJob test-job is created.');
    const running = await waitForJob(
      ns,
      kind,
      'test-job',
      (j) => j.status?.replicaStatuses?.Worker?.active === 1,
      'running',
    );
    assert.deepEqual(conditionsOf(running), [
      created,
      cond('Running', 'True', 'PyTorchJobRunning', 'PyTorchJob test-job is running.'),
    ]);

    await patchJob(ns, kind, 'test-job', { spec: { runPolicy: { suspend: true } } });
    await waitForObjects(ns, 'test-job', [], []);
    const suspendedMessage = 'PyTorchJob test-job is suspended.';
    const suspended = await waitForJob(
      ns,
      kind,
      'test-job',
      (j) => hasCondition(j, 'Suspended'),
      'Suspended',
    );
    assert.deepEqual(conditionsOf(suspended), [
      created,
      cond('Running', 'False', 'PyTorchJobSuspended', suspendedMessage),
      cond('Suspended', 'True', 'PyTorchJobSuspended', suspendedMessage),
    ]);
    assert.equal(suspended.status?.startTime, running.status?.startTime);
    for (const type of ['Master', 'Worker'])
      assert.equal(suspended.status?.replicaStatuses?.[type]?.active, undefined);
    assert.equal(
      (await waitForEvent(ns, kind, 'test-job', 'PyTorchJobSuspended', suspendedMessage)).type,
      'Normal',
    );
    // Nothing comes back while suspended.
    await sleep(1500);
    assert.deepEqual(await ownedNames(ns, 'test-job'), []);

    await patchJob(ns, kind, 'test-job', { spec: { runPolicy: { suspend: false } } });
    await waitForObjects(ns, 'test-job', names);
    await setPhases(ns, names, 'Running');
    const resumed = await waitForJob(
      ns,
      kind,
      'test-job',
      (j) => hasCondition(j, 'Running'),
      'Running again',
    );
    const resumedMessage = 'PyTorchJob test-job is resumed.';
    assert.deepEqual(conditionsOf(resumed), [
      created,
      cond('Suspended', 'False', 'PyTorchJobResumed', resumedMessage),
      cond('Running', 'True', 'PyTorchJobRunning', 'PyTorchJob test-job is running.'),
    ]);
    assert.ok(resumed.status!.startTime! > running.status!.startTime!, 'startTime is reset on resume');
    await waitForEvent(ns, kind, 'test-job', 'PyTorchJobResumed', resumedMessage);
  });

  test('a job created suspended gets no pods, no startTime and [Created, Suspended]', async (t) => {
    const { ns } = await operatorNamespace(t, 'created-suspended');
    const kind = 'MPIJob';
    await createJob(
      makeJob(kind, 'test-job', ns)
        .replicas('Launcher', 1)
        .replicas('Worker', 1)
        .runPolicy({ suspend: true })
        .obj(),
    );
    const job = await waitForJob(ns, kind, 'test-job', (j) => hasCondition(j, 'Suspended'), 'Suspended');
    assert.deepEqual(conditionsOf(job), [
      cond('Created', 'True', 'MPIJobCreated', 'MPIJob test-job is created.'),
      cond('Suspended', 'True', 'MPIJobSuspended', 'MPIJob test-job is suspended.'),
    ]);
    await sleep(1500);
    assert.deepEqual(await ownedNames(ns, 'test-job'), []);
    assert.equal((await getJob(ns, kind, 'test-job')).status?.startTime, undefined);
  });

  test('managedBy kueue.x-k8s.io/multikueue: nothing created and no status, also after unsuspending', async (t) => {
    const { ns, operator } = await operatorNamespace(t, 'managed-by');
    const kind = 'XGBoostJob';
    await createJob(
      makeJob(kind, 'test-job', ns)
        .replicas('Master', 1)
        .replicas('Worker', 1)
        .runPolicy({ managedBy: 'kueue.x-k8s.io/multikueue', suspend: true })
        .obj(),
    );
    // The operator did look at the job (a reconcile ran), and left it alone.
    await harness.waitFor(async () => (await operator.reconciles()) > 0, 10_000, 'a reconcile');
    await settle(operator);
    assert.equal((await getJob(ns, kind, 'test-job')).status, undefined);
    assert.deepEqual(await ownedNames(ns, 'test-job'), []);

    const before = await operator.reconciles();
    await patchJob(ns, kind, 'test-job', { spec: { runPolicy: { suspend: false } } });
    await harness.waitFor(
      async () => (await operator.reconciles()) > before,
      10_000,
      'a reconcile after unsuspending',
    );
    await settle(operator);
    assert.equal((await getJob(ns, kind, 'test-job')).status, undefined);
    assert.deepEqual(await ownedNames(ns, 'test-job'), []);
    assert.equal(operator.client.requests.writes(), 0, JSON.stringify(operator.client.requests.snapshot()));
  });
});
