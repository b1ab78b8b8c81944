// Failed pods under each restart policy, and runPolicy.backoffLimit (the reference's
// pkg/controller.v1/common/pod.go and job.go, release-1.9): OnFailure/Always and retryable exit codes
// recreate the pod under its name and mark the job Restarting; a permanent exit code or Never fails the job;
// container restarts up to backoffLimit fail it too.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import type { KindName, RestartPolicy } from '../../src/api/kinds.ts';
import type { Job } from '../../src/api/types.ts';
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
  podsOf,
  servicesOf,
  setPhases,
  setRestartCount,
  sleep,
  waitForEvent,
  waitForJob,
  waitForObjects,
} from './operator.ts';

async function uidOf(ns: string, pod: string): Promise<string> {
  return (await harness.client(CoreV1Api).readNamespacedPod({ name: pod, namespace: ns })).metadata!.uid!;
}

/** Fails a running pod with `exitCode` and waits until the operator has recreated it under the same name. */
async function failAndWaitRecreated(ns: string, pod: string, exitCode: number): Promise<void> {
  await setPhases(ns, [pod], 'Running');
  const before = await uidOf(ns, pod);
  await harness.setPodPhase(ns, pod, 'Failed', exitCode);
  await harness.waitFor(
    async () => {
      const recreated = await harness.client(CoreV1Api).readNamespacedPod({ name: pod, namespace: ns });
      return recreated.metadata?.uid !== before && recreated.status?.phase === 'Pending';
    },
    10_000,
    `${pod} to be recreated`,
  );
}

/** The condition and Warning event of a pod restart, as ReconcilePods words them. */
async function assertRestarting(ns: string, kind: KindName, name: string, type: string): Promise<Job> {
  const message = `job ${name} is restarting because ${type} replica(s) failed.`;
  const job = await waitForJob(ns, kind, name, (j) => hasCondition(j, 'Restarting'), 'Restarting');
  assert.deepEqual(conditionsOf(job), [
    cond('Created', 'True', `${kind}Created`, `${kind} ${name} is created.`),
    cond('Restarting', 'True', `${kind}Restarting`, message),
  ]);
  const event = await waitForEvent(ns, kind, name, `${kind}Restarting`, message);
  assert.equal(event.type, 'Warning');
  return job;
}

async function assertPodRestartPolicy(ns: string, pod: string, policy: string): Promise<void> {
  const { spec } = await harness.client(CoreV1Api).readNamespacedPod({ name: pod, namespace: ns });
  assert.equal(spec?.restartPolicy, policy);
}

/** A failed pod that is left alone: same uid, still Failed, for a while. */
async function assertKept(ns: string, pod: string, uid: string): Promise<void> {
  await sleep(1000);
  const kept = await harness.client(CoreV1Api).readNamespacedPod({ name: pod, namespace: ns });
  assert.equal(kept.metadata?.uid, uid);
  assert.equal(kept.status?.phase, 'Failed');
}

describe('restart policies', () => {
  test('OnFailure: the failed worker is recreated under its name and the job is Restarting, then Running', async (t) => {
    const { ns } = await operatorNamespace(t, 'onfailure');
    await createJob(makeJob('PyTorchJob', 'demo', ns).replicas('Master', 1).replicas('Worker', 1).obj());
    await waitForObjects(ns, 'demo', ['demo-master-0', 'demo-worker-0']);
    const services = (await servicesOf(ns, 'demo')).map((s) => s.metadata?.uid);
    await assertPodRestartPolicy(ns, 'demo-worker-0', 'OnFailure');

    await failAndWaitRecreated(ns, 'demo-worker-0', 1);
    const restarting = await assertRestarting(ns, 'PyTorchJob', 'demo', 'Worker');
    assert.equal(restarting.status?.completionTime, undefined);
    // The pod restarts; its service stays.
    assert.deepEqual(
      (await servicesOf(ns, 'demo')).map((s) => s.metadata?.uid),
      services,
    );

    await setPhases(ns, ['demo-master-0', 'demo-worker-0'], 'Running');
    const running = await waitForJob(ns, 'PyTorchJob', 'demo', (j) => hasCondition(j, 'Running'), 'Running');
    // Running and Restarting exclude each other.
    assert.deepEqual(conditionsOf(running), [
      cond('Created', 'True', 'PyTorchJobCreated', 'PyTorchJob demo is created.'),
      cond('Running', 'True', 'PyTorchJobRunning', 'PyTorchJob demo is running.'),
    ]);
  });

  test('Always: the failed worker is recreated and the job is Restarting', async (t) => {
    const { ns } = await operatorNamespace(t, 'always');
    await createJob(makeJob('PaddleJob', 'pd', ns).replicas('Worker', 1, { restartPolicy: 'Always' }).obj());
    await waitForObjects(ns, 'pd', ['pd-worker-0']);
    await assertPodRestartPolicy(ns, 'pd-worker-0', 'Always');
    await failAndWaitRecreated(ns, 'pd-worker-0', 1);
    await assertRestarting(ns, 'PaddleJob', 'pd', 'Worker');
  });

  test('MPIJob restarts a failed worker too (a deliberate difference, docs/differences.md)', async (t) => {
    const { ns } = await operatorNamespace(t, 'mpi-restart');
    await createJob(
      makeJob('MPIJob', 'pi', ns)
        .replicas('Launcher', 1)
        .replicas('Worker', 1, { restartPolicy: 'OnFailure' })
        .obj(),
    );
    await waitForObjects(ns, 'pi', ['pi-launcher', 'pi-worker-0'], []);
    await failAndWaitRecreated(ns, 'pi-worker-0', 1);
    await assertRestarting(ns, 'MPIJob', 'pi', 'Worker');
  });

  test('ExitCode: exit codes 137 and 130 are retryable (pod recreated, Restarting)', async (t) => {
    const { ns } = await operatorNamespace(t, 'exitcode-retry');
    const exitCode = { restartPolicy: 'ExitCode' as RestartPolicy };
    await createJob(
      makeJob('XGBoostJob', 'xgb', ns).replicas('Master', 1).replicas('Worker', 1, exitCode).obj(),
    );
    await createJob(makeJob('JAXJob', 'jax', ns).replicas('Worker', 1, exitCode).obj());
    await waitForObjects(ns, 'xgb', ['xgb-master-0', 'xgb-worker-0']);
    await waitForObjects(ns, 'jax', ['jax-worker-0']);
    // The operator decides about ExitCode pods, so the kubelet must not restart them.
    await assertPodRestartPolicy(ns, 'xgb-worker-0', 'Never');

    await failAndWaitRecreated(ns, 'xgb-worker-0', 137);
    await assertRestarting(ns, 'XGBoostJob', 'xgb', 'Worker');
    await failAndWaitRecreated(ns, 'jax-worker-0', 130);
    await assertRestarting(ns, 'JAXJob', 'jax', 'Worker');
  });

  test('ExitCode: exit code 1 is permanent (job Failed, completionTime, pod kept)', async (t) => {
    const { ns } = await operatorNamespace(t, 'exitcode-fail');
    await createJob(
      makeJob('PyTorchJob', 'demo', ns)
        .replicas('Master', 1)
        .replicas('Worker', 1, { restartPolicy: 'ExitCode' })
        .obj(),
    );
    await waitForObjects(ns, 'demo', ['demo-master-0', 'demo-worker-0']);
    await setPhases(ns, ['demo-master-0', 'demo-worker-0'], 'Running');
    await waitForJob(ns, 'PyTorchJob', 'demo', (j) => hasCondition(j, 'Running'), 'Running');
    const uid = await uidOf(ns, 'demo-worker-0');

    await harness.setPodPhase(ns, 'demo-worker-0', 'Failed', 1);
    const message = 'job "demo" is failing because "Worker" replica(s) failed.';
    const failed = await waitForJob(ns, 'PyTorchJob', 'demo', (j) => hasCondition(j, 'Failed'), 'Failed');
    assert.deepEqual(conditionsOf(failed), [
      cond('Created', 'True', 'PyTorchJobCreated', 'PyTorchJob demo is created.'),
      cond('Running', 'False', 'PyTorchJobRunning', 'PyTorchJob demo is running.'),
      cond('Failed', 'True', 'PyTorchJobFailed', message),
    ]);
    // Unlike the reference, completionTime is set, so that a TTL can fire (docs/differences.md).
    assert.ok(failed.status?.completionTime);
    assert.equal((await waitForEvent(ns, 'PyTorchJob', 'demo', 'PyTorchJobFailed', message)).type, 'Warning');
    await assertKept(ns, 'demo-worker-0', uid);
  });

  test('Never: a failed replica fails the job by the framework rule; the pod is kept', async (t) => {
    const { ns } = await operatorNamespace(t, 'never');
    await createJob(makeJob('TFJob', 'tf', ns).replicas('Worker', 2).obj());
    await createJob(
      makeJob('PyTorchJob', 'pt', ns)
        .replicas('Master', 1)
        .replicas('Worker', 1, { restartPolicy: 'Never' })
        .obj(),
    );
    await waitForObjects(ns, 'tf', ['tf-worker-0', 'tf-worker-1']);
    await waitForObjects(ns, 'pt', ['pt-master-0', 'pt-worker-0']);
    await setPhases(ns, ['tf-worker-0', 'tf-worker-1', 'pt-master-0', 'pt-worker-0'], 'Running');
    await waitForJob(ns, 'TFJob', 'tf', (j) => hasCondition(j, 'Running'), 'Running');
    await waitForJob(ns, 'PyTorchJob', 'pt', (j) => hasCondition(j, 'Running'), 'Running');
    const uids = { tf: await uidOf(ns, 'tf-worker-1'), pt: await uidOf(ns, 'pt-worker-0') };

    await harness.setPodPhase(ns, 'tf-worker-1', 'Failed', 1);
    await harness.setPodPhase(ns, 'pt-worker-0', 'Failed', 1);
    const tfMessage = `TFJob ${ns}/tf has failed because 1 Worker replica(s) failed.`;
    const tf = await waitForJob(ns, 'TFJob', 'tf', (j) => hasCondition(j, 'Failed'), 'Failed');
    assert.deepEqual(conditionsOf(tf), [
      cond('Created', 'True', 'TFJobCreated', 'TFJob tf is created.'),
      cond('Running', 'False', 'TFJobRunning', `TFJob ${ns}/tf is running.`),
      cond('Failed', 'True', 'TFJobFailed', tfMessage),
    ]);
    const ptMessage = 'PyTorchJob pt is failed because 1 Worker replica(s) failed.';
    const pt = await waitForJob(ns, 'PyTorchJob', 'pt', (j) => hasCondition(j, 'Failed'), 'Failed');
    assert.deepEqual(conditionsOf(pt), [
      cond('Created', 'True', 'PyTorchJobCreated', 'PyTorchJob pt is created.'),
      cond('Running', 'False', 'PyTorchJobRunning', 'PyTorchJob pt is running.'),
      cond('Failed', 'True', 'PyTorchJobFailed', ptMessage),
    ]);
    for (const job of [tf, pt])
      assert.ok(job.status?.completionTime, `completionTime of ${job.metadata.name}`);
    assert.equal((await waitForEvent(ns, 'TFJob', 'tf', 'TFJobFailed', tfMessage)).type, 'Normal');
    assert.equal((await waitForEvent(ns, 'PyTorchJob', 'pt', 'PyTorchJobFailed', ptMessage)).type, 'Normal');
    await Promise.all([assertKept(ns, 'tf-worker-1', uids.tf), assertKept(ns, 'pt-worker-0', uids.pt)]);
  });
});

describe('backoffLimit', () => {
  test('container restarts reaching the limit fail the job and delete every pod and service', async (t) => {
    const { ns } = await operatorNamespace(t, 'backoff');
    await createJob(
      makeJob('PyTorchJob', 'bo', ns).replicas('Worker', 2).runPolicy({ backoffLimit: 2 }).obj(),
    );
    await waitForObjects(ns, 'bo', ['bo-worker-0', 'bo-worker-1']);
    await setPhases(ns, ['bo-worker-0', 'bo-worker-1'], 'Running');
    await waitForJob(ns, 'PyTorchJob', 'bo', (j) => hasCondition(j, 'Running'), 'Running');

    // One restart in all is below the limit.
    await setRestartCount(ns, 'bo-worker-0', 1);
    await sleep(1000);
    assert.ok(
      !hasCondition(await getJob(ns, 'PyTorchJob', 'bo'), 'Failed'),
      'one restart is within the limit',
    );
    assert.equal((await podsOf(ns, 'bo')).length, 2);

    await setRestartCount(ns, 'bo-worker-1', 1);
    const message = 'Job bo has failed because it has reached the specified backoff limit';
    const failed = await waitForJob(ns, 'PyTorchJob', 'bo', (j) => hasCondition(j, 'Failed'), 'Failed');
    assert.deepEqual(conditionsOf(failed), [
      cond('Created', 'True', 'PyTorchJobCreated', 'PyTorchJob bo is created.'),
      cond('Running', 'False', 'PyTorchJobRunning', `PyTorchJob ${ns}/bo is running.`),
      cond('Failed', 'True', 'PyTorchJobFailed', message),
    ]);
    assert.ok(failed.status?.completionTime);
    await waitForObjects(ns, 'bo', [], []);
    await waitForEvent(ns, 'PyTorchJob', 'bo', 'PyTorchJobFailed', message);
    // A failed job is not started again.
    await sleep(1000);
    assert.deepEqual(namesOf(await podsOf(ns, 'bo')), []);
  });
});
