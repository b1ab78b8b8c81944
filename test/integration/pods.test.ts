// What reconciler tests rely on about pods in the integration (envtest-mode) cluster: with no scheduler
// and no kubelet a pod stays Pending and unbound, and setPodPhase drives its status like a kubelet would.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import * as harness from './harness.ts';

function plainPod(namespace: string, name: string): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: { containers: [{ name: 'main', image: 'busybox' }] },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('pods in the envtest-mode cluster', () => {
  before(() =>
    assert.equal(harness.cluster().sim, false, 'integration tests run against an envtest-mode cluster'),
  );

  test('a plain pod stays Pending without a node', async () => {
    const ns = await harness.namespace('pending');
    const core = harness.client(CoreV1Api);
    await core.createNamespacedPod({ namespace: ns, body: plainPod(ns, 'p') });
    // Nothing binds pods in envtest mode; give it a moment to show that.
    await sleep(1000);
    const pod = await core.readNamespacedPod({ name: 'p', namespace: ns });
    assert.equal(pod.status?.phase, 'Pending');
    assert.equal(pod.spec?.nodeName, undefined);
    assert.equal(pod.status?.conditions, undefined, 'no scheduler looked at it');
  });

  test('setPodPhase moves a pod to Running, then Failed with an exit code', async () => {
    const ns = await harness.namespace('phase');
    const core = harness.client(CoreV1Api);
    await core.createNamespacedPod({ namespace: ns, body: plainPod(ns, 'p') });

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
