// Jobs running on the simulated cluster (kube-scheduler, kube-controller-manager, kwok nodes): pods are
// scheduled, run and finish by themselves — the finish annotation in the pod template tells kwok how —
// and nobody touches pod status. Garbage collection removes what a deleted job owned.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import * as harness from '../integration/harness.ts';
import { createJob, hasCondition, operatorNamespace, podsOf, waitForJob } from '../integration/operator.ts';
import { makeJob } from '../support/builders.ts';
import { finishing, runsToSucceeded } from './sim-jobs.ts';

describe('jobs on the simulated cluster', () => {
  test('a PyTorchJob runs to Succeeded; deleting it garbage-collects its pods and services', async (t) => {
    const { ns } = await operatorNamespace(t, 'e2e-pytorch');
    const job = makeJob('PyTorchJob', 'mnist', ns).replicas('Master', 1).replicas('Worker', 1).obj();
    await createJob(finishing(job, ['Master', 'Worker'], 'Succeeded'), { schedulable: true });
    await runsToSucceeded(ns, 'PyTorchJob', 'mnist');
    await harness.kubectl(['delete', 'pytorchjob', 'mnist', '-n', ns, '--wait=true']);
    const core = harness.client(CoreV1Api);
    await harness.waitFor(
      async () => (await core.listNamespacedService({ namespace: ns })).items.length === 0,
      60_000,
      'services collected',
    );
    await harness.waitFor(async () => (await podsOf(ns, 'mnist')).length === 0, 60_000, 'pods collected');
  });

  test('a TFJob with a parameter server runs to Succeeded when worker 0 completes', async (t) => {
    const { ns } = await operatorNamespace(t, 'e2e-tf');
    const job = makeJob('TFJob', 'dist', ns).replicas('Worker', 2).replicas('PS', 1).obj();
    await createJob(finishing(job, ['Worker'], 'Succeeded'), { schedulable: true });
    await runsToSucceeded(ns, 'TFJob', 'dist');
  });

  test('an MPIJob runs to Succeeded when its launcher completes; cleanPodPolicy Running removes the workers', async (t) => {
    const { ns } = await operatorNamespace(t, 'e2e-mpi');
    const job = makeJob('MPIJob', 'pi', ns)
      .replicas('Launcher', 1)
      .replicas('Worker', 2)
      .runPolicy({ cleanPodPolicy: 'Running' })
      .obj();
    await createJob(finishing(job, ['Launcher'], 'Succeeded'), { schedulable: true });
    const done = await runsToSucceeded(ns, 'MPIJob', 'pi');
    assert.equal(done.status!.replicaStatuses!.Launcher.succeeded, 1);
    await harness.waitFor(
      async () => (await podsOf(ns, 'pi')).map((pod) => pod.metadata!.name).join() === 'pi-launcher',
      60_000,
      'only the finished launcher to remain',
    );
  });

  test('a worker exiting 1 under ExitCode fails the job for good', async (t) => {
    const { ns } = await operatorNamespace(t, 'e2e-exit');
    const job = makeJob('PyTorchJob', 'crash', ns).replicas('Worker', 1, { restartPolicy: 'ExitCode' }).obj();
    await createJob(finishing(job, ['Worker'], 'Failed', 1), { schedulable: true });
    const failed = await waitForJob(
      ns,
      'PyTorchJob',
      'crash',
      (j) => hasCondition(j, 'Failed'),
      'Failed',
      60_000,
    );
    const condition = failed.status!.conditions!.at(-1)!;
    assert.equal(condition.reason, 'PyTorchJobFailed');
    assert.equal(condition.message, 'job "crash" is failing because "Worker" replica(s) failed.');
    assert.ok(failed.status!.completionTime);
  });
});
