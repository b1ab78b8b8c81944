// What reconciler tests rely on about pods in the test cluster: an unschedulable pod stays Pending and
// unbound, and setPodPhase drives a pod's status like a kubelet would, in either cluster mode.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import * as harness from './harness.ts';

/** In sim mode a scheduler runs, so a pod that must stay unbound selects a node that does not exist. */
function unschedulablePod(namespace: string, name: string): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: {
      nodeSelector: { 'training-operator.test/no-such-node': 'true' },
      containers: [{ name: 'main', image: 'busybox' }],
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('pods in the test cluster', () => {
  test('a pod nobody can schedule stays Pending without a node', async () => {
    const ns = await harness.namespace('pending');
    const core = harness.client(CoreV1Api);
    await core.createNamespacedPod({ namespace: ns, body: unschedulablePod(ns, 'p') });
    if (harness.cluster().sim) {
      await harness.waitFor(
        async () => {
          const p = await core.readNamespacedPod({ name: 'p', namespace: ns });
          return p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable');
        },
        20_000,
        'the scheduler to give up on the pod',
      );
    } else {
      // Nothing binds pods in envtest mode; give it a moment to show that.
      await sleep(1000);
    }
    const pod = await core.readNamespacedPod({ name: 'p', namespace: ns });
    assert.equal(pod.status?.phase, 'Pending');
    assert.equal(pod.spec?.nodeName, undefined);
  });

  test('setPodPhase moves a pod to Running, then Failed with an exit code', async () => {
    const ns = await harness.namespace('phase');
    const core = harness.client(CoreV1Api);
    await core.createNamespacedPod({ namespace: ns, body: unschedulablePod(ns, 'p') });

    const running = await harness.setPodPhase(ns, 'p', 'Running');
    assert.equal(running.status?.phase, 'Running');
    assert.ok(running.status?.containerStatuses?.[0].state?.running);

    await harness.setPodPhase(ns, 'p', 'Failed', 137);
    const failed = await core.readNamespacedPod({ name: 'p', namespace: ns });
    assert.equal(failed.status?.phase, 'Failed');
    const terminated = failed.status?.containerStatuses?.[0].state?.terminated;
    assert.equal(terminated?.exitCode, 137);
    assert.equal(terminated?.reason, 'Error');
    assert.equal(failed.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
  });
});
