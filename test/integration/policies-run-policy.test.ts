// What happens when a job's time is up or its work is done (PastActiveDeadline, CleanupJob and
// DeletePodsAndServices in the reference's pkg/controller.v1/common/job.go, release-1.9):
// activeDeadlineSeconds fails a running job on time and deletes its pods, ttlSecondsAfterFinished deletes a
// finished job, and cleanPodPolicy decides which pods and services a succeeded job keeps.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { CleanPodPolicy } from '../../src/api/kinds.ts';
import { makeJob } from '../support/builders.ts';
import * as harness from './harness.ts';
import {
  cond,
  conditionsOf,
  createJob,
  hasCondition,
  namesOf,
  operatorNamespace,
  podsOf,
  servicesOf,
  setPhases,
  sleep,
  waitForEvent,
  waitForJob,
  waitForObjects,
} from './operator.ts';

const seconds = (from: string, to: string | number) => (new Date(to).getTime() - Date.parse(from)) / 1000;

// The tests mostly wait for timers, so they run side by side.
describe('run policy', { concurrency: true }, () => {
  test('activeDeadlineSeconds 5: a running job fails on time and its pods and services are deleted', async (t) => {
    const { ns } = await operatorNamespace(t, 'deadline');
    await createJob(
      makeJob('PyTorchJob', 'dl', ns).replicas('Worker', 2).runPolicy({ activeDeadlineSeconds: 5 }).obj(),
    );
    await waitForObjects(ns, 'dl', ['dl-worker-0', 'dl-worker-1']);
    await setPhases(ns, ['dl-worker-0', 'dl-worker-1'], 'Running');
    await waitForJob(ns, 'PyTorchJob', 'dl', (j) => hasCondition(j, 'Running'), 'Running');

    const failed = await waitForJob(
      ns,
      'PyTorchJob',
      'dl',
      (j) => hasCondition(j, 'Failed'),
      'Failed',
      10_000,
    );
    const { startTime, completionTime } = failed.status!;
    // Timestamps have whole seconds: the deadline passes 4 to 5 s after the second startTime names.
    const late = seconds(startTime!, Date.now());
    assert.ok(late >= 4 && late <= 7, `failed ${late} s after startTime`);
    assert.ok(completionTime && seconds(startTime!, completionTime) >= 5, `completionTime ${completionTime}`);
    const message = 'Job dl has failed because it was active longer than specified deadline';
    assert.deepEqual(conditionsOf(failed), [
      cond('Created', 'True', 'PyTorchJobCreated', 'PyTorchJob dl is created.'),
      cond('Running', 'False', 'PyTorchJobRunning', `PyTorchJob ${ns}/dl is running.`),
      cond('Failed', 'True', 'PyTorchJobFailed', message),
    ]);
    await waitForObjects(ns, 'dl', [], []);
    await waitForEvent(ns, 'PyTorchJob', 'dl', 'PyTorchJobFailed', message);
  });

  test('ttlSecondsAfterFinished 5: the finished job is deleted 5 s after completionTime', async (t) => {
    const { ns } = await operatorNamespace(t, 'ttl');
    await createJob(
      makeJob('TFJob', 'ttl', ns).replicas('Worker', 1).runPolicy({ ttlSecondsAfterFinished: 5 }).obj(),
    );
    await waitForObjects(ns, 'ttl', ['ttl-worker-0']);
    await setPhases(ns, ['ttl-worker-0'], 'Succeeded');
    const done = await waitForJob(ns, 'TFJob', 'ttl', (j) => hasCondition(j, 'Succeeded'), 'Succeeded');
    const completionTime = done.status!.completionTime!;

    const api = harness.client(CustomObjectsApi);
    const resource = { group: 'kubeflow.org', version: 'v1', namespace: ns, plural: 'tfjobs', name: 'ttl' };
    await harness.waitFor(
      async () => {
        try {
          await api.getNamespacedCustomObject(resource);
          return false;
        } catch (error) {
          return (error as { code?: number }).code === 404;
        }
      },
      10_000,
      'the job to be deleted',
    );
    const after = seconds(completionTime, Date.now());
    assert.ok(after >= 4 && after <= 7, `deleted ${after} s after completionTime`);
    await waitForEvent(ns, 'TFJob', 'ttl', 'SuccessfulDeleteJob', 'Deleted job: ttl');
  });

  test('cleanPodPolicy after success: All deletes everything, Running the running and pending pods, None nothing', async (t) => {
    const { ns } = await operatorNamespace(t, 'clean-pods');
    const policies: CleanPodPolicy[] = ['All', 'Running', 'None'];
    const jobName = (policy: CleanPodPolicy) => `clean-${policy.toLowerCase()}`;
    for (const policy of policies) {
      await createJob(
        makeJob('PyTorchJob', jobName(policy), ns)
          .replicas('Master', 1)
          .replicas('Worker', 3)
          .runPolicy({ cleanPodPolicy: policy })
          .obj(),
      );
    }
    for (const policy of policies) {
      const name = jobName(policy);
      await waitForObjects(ns, name, [
        `${name}-master-0`,
        `${name}-worker-0`,
        `${name}-worker-1`,
        `${name}-worker-2`,
      ]);
      // worker-0 runs, worker-1 is done, worker-2 is still pending when the master succeeds.
      await setPhases(ns, [`${name}-master-0`, `${name}-worker-0`], 'Running');
      await setPhases(ns, [`${name}-worker-1`], 'Succeeded');
      await setPhases(ns, [`${name}-master-0`], 'Succeeded');
    }
    for (const policy of policies) {
      await waitForJob(ns, 'PyTorchJob', jobName(policy), (j) => hasCondition(j, 'Succeeded'), 'Succeeded');
    }

    const all = jobName('All');
    await waitForObjects(ns, all, [], []);
    await waitForEvent(ns, 'PyTorchJob', all, 'SuccessfulDeletePod', `Deleted pod: ${all}-master-0`);
    const running = jobName('Running');
    await waitForObjects(ns, running, [`${running}-master-0`, `${running}-worker-1`]);
    await sleep(1000);
    const none = jobName('None');
    const kept = [`${none}-master-0`, `${none}-worker-0`, `${none}-worker-1`, `${none}-worker-2`];
    assert.deepEqual(namesOf(await podsOf(ns, none)), kept);
    assert.deepEqual(namesOf(await servicesOf(ns, none)), kept);
  });

  test("MPIJob's legacy spec.cleanPodPolicy applies when runPolicy names none", async (t) => {
    const { ns } = await operatorNamespace(t, 'clean-mpi');
    await createJob(
      makeJob('MPIJob', 'pi', ns)
        .replicas('Launcher', 1)
        .replicas('Worker', 1)
        .spec({ cleanPodPolicy: 'All' })
        .obj(),
    );
    await waitForObjects(ns, 'pi', ['pi-launcher', 'pi-worker-0'], []);
    await setPhases(ns, ['pi-worker-0', 'pi-launcher'], 'Running');
    await setPhases(ns, ['pi-launcher'], 'Succeeded');
    await waitForJob(ns, 'MPIJob', 'pi', (j) => hasCondition(j, 'Succeeded'), 'Succeeded');
    await waitForObjects(ns, 'pi', [], []);
  });
});
