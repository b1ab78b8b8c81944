// Scaling a running job (ReconcilePods in the reference's pkg/controller.v1/common/pod.go, and
// pkg/controller.v1/pytorch/hpa.go, release-1.9): more replicas create the missing indices, fewer delete the
// pods and services past the count; the CRD's scale subresource drives the Worker replicas.
import { replicaSpecs } from '../../src/api/job.ts';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LABELS } from '../../src/api/kinds.ts';
import { makeJob } from '../support/builders.ts';
import * as harness from './harness.ts';
import {
  createJob,
  envOf,
  getJob,
  operatorNamespace,
  patchJob,
  podsOf,
  servicesOf,
  setPhases,
  waitForEvent,
  waitForJob,
  waitForObjects,
} from './operator.ts';

type Uids = Record<string, string | undefined>;

async function uids(ns: string, job: string): Promise<{ pods: Uids; services: Uids }> {
  const byName = (items: { metadata?: { name?: string; uid?: string } }[]) =>
    Object.fromEntries(items.map((item) => [item.metadata!.name!, item.metadata!.uid]));
  return { pods: byName(await podsOf(ns, job)), services: byName(await servicesOf(ns, job)) };
}

/** The objects of `kept` still carry the uids they had in `before`: they were neither replaced nor recreated. */
function assertUnchanged(
  before: { pods: Uids; services: Uids },
  after: { pods: Uids; services: Uids },
  kept: string[],
) {
  for (const name of kept) {
    assert.equal(after.pods[name], before.pods[name], `pod ${name} unchanged`);
    assert.equal(after.services[name], before.services[name], `service ${name} unchanged`);
  }
}

const workerReplicas = (replicas: number) => ({ spec: { pytorchReplicaSpecs: { Worker: { replicas } } } });

describe('scaling', () => {
  test('editing Worker replicas: up creates the new index, down deletes pods and services past the count', async (t) => {
    const { ns } = await operatorNamespace(t, 'scale');
    await createJob(makeJob('PyTorchJob', 'demo', ns).replicas('Master', 1).replicas('Worker', 2).obj());
    await waitForObjects(ns, 'demo', ['demo-master-0', 'demo-worker-0', 'demo-worker-1']);
    const initial = await uids(ns, 'demo');

    await patchJob(ns, 'PyTorchJob', 'demo', workerReplicas(3));
    const scaledUp = await waitForObjects(ns, 'demo', [
      'demo-master-0',
      'demo-worker-0',
      'demo-worker-1',
      'demo-worker-2',
    ]);
    assertUnchanged(initial, await uids(ns, 'demo'), ['demo-master-0', 'demo-worker-0', 'demo-worker-1']);
    // The new pod sees the new world size; the running ones keep theirs (pods are never updated).
    const env = (name: string) => envOf(scaledUp.find((pod) => pod.metadata?.name === name)!);
    assert.deepEqual([env('demo-worker-2').WORLD_SIZE, env('demo-worker-2').RANK], ['4', '3']);
    assert.equal(env('demo-worker-0').WORLD_SIZE, '3');

    await patchJob(ns, 'PyTorchJob', 'demo', workerReplicas(1));
    await waitForObjects(ns, 'demo', ['demo-master-0', 'demo-worker-0']);
    assertUnchanged(initial, await uids(ns, 'demo'), ['demo-master-0', 'demo-worker-0']);
    for (const name of ['demo-worker-1', 'demo-worker-2']) {
      await waitForEvent(ns, 'PyTorchJob', 'demo', 'SuccessfulDeletePod', `Deleted pod: ${name}`);
      await waitForEvent(ns, 'PyTorchJob', 'demo', 'SuccessfulDeleteService', `Deleted service: ${name}`);
    }
  });

  test('kubectl scale goes through the scale subresource to the Worker replicas, and pods follow', async (t) => {
    const { ns } = await operatorNamespace(t, 'kubectl-scale');
    await createJob(makeJob('PyTorchJob', 'demo', ns).replicas('Master', 1).replicas('Worker', 1).obj());
    await waitForObjects(ns, 'demo', ['demo-master-0', 'demo-worker-0']);
    await setPhases(ns, ['demo-worker-0'], 'Running');
    await waitForJob(
      ns,
      'PyTorchJob',
      'demo',
      (j) => j.status?.replicaStatuses?.Worker?.active === 1,
      'Worker active',
    );

    await harness.kubectl(['scale', '-n', ns, 'pytorchjob/demo', '--replicas=3']);
    const job = await getJob(ns, 'PyTorchJob', 'demo');
    assert.equal(replicaSpecs(job).Worker.replicas, 3);
    await waitForObjects(ns, 'demo', ['demo-master-0', 'demo-worker-0', 'demo-worker-1', 'demo-worker-2']);

    // The scale subresource reads the Worker status the operator writes: active count and selector.
    const scale = JSON.parse(
      await harness.kubectl(['get', '-n', ns, 'pytorchjob/demo', '--subresource=scale', '-o', 'json']),
    ) as { spec: { replicas: number }; status: { replicas: number; selector: string } };
    assert.deepEqual(scale.spec, { replicas: 3 });
    assert.deepEqual(scale.status, {
      replicas: 1,
      selector: `${LABELS.jobName}=demo,${LABELS.operatorName}=pytorchjob-controller,${LABELS.replicaType}=worker`,
    });

    await harness.kubectl(['scale', '-n', ns, 'pytorchjob/demo', '--replicas=1']);
    await waitForObjects(ns, 'demo', ['demo-master-0', 'demo-worker-0']);
  });
});
