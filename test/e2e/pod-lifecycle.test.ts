// The sim cluster plays a real one: a plain Pod applied with kubectl is scheduled onto a kwok node and
// runs; the finish annotations end it as Succeeded or Failed with the exit code asked for.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import YAML from 'yaml';
import { FAKE_NODES } from '../cluster/sim.ts';
import * as harness from '../integration/harness.ts';

function gpuPod(namespace: string, name: string): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'pytorch',
          image: 'docker.io/kubeflowkatib/pytorch-mnist:v1beta1-45c5727',
          resources: { limits: { cpu: '2', memory: '4Gi', 'nvidia.com/gpu': '1' } },
        },
      ],
    },
  };
}

async function applyAndWaitRunning(namespace: string, name: string): Promise<V1Pod> {
  await harness.kubectl(['apply', '-f', '-'], YAML.stringify(gpuPod(namespace, name)));
  const core = harness.client(CoreV1Api);
  return harness.waitFor(
    async () => {
      const pod = await core.readNamespacedPod({ name, namespace });
      return pod.status?.phase === 'Running' && pod;
    },
    30_000,
    `pod ${name} to run`,
  );
}

async function waitForPhase(namespace: string, name: string, phase: string): Promise<V1Pod> {
  const core = harness.client(CoreV1Api);
  return harness.waitFor(
    async () => {
      const pod = await core.readNamespacedPod({ name, namespace });
      return pod.status?.phase === phase && pod;
    },
    30_000,
    `pod ${name} to reach ${phase}`,
  );
}

const terminated = (pod: V1Pod) => pod.status?.containerStatuses?.[0].state?.terminated;

describe('pod lifecycle on the sim cluster', () => {
  before(() => assert.ok(harness.cluster().sim, 'e2e tests need the sim cluster: run them with `npm test`'));

  test('kubectl apply of a plain pod: scheduled onto a kwok node, Running and Ready', async () => {
    const ns = await harness.namespace('e2e-run');
    const pod = await applyAndWaitRunning(ns, 'worker-0');
    assert.ok(FAKE_NODES.includes(pod.spec?.nodeName ?? ''), `scheduled onto ${pod.spec?.nodeName}`);
    assert.ok(pod.status?.podIP, 'kwok assigns a pod IP');
    assert.equal(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    assert.ok(pod.status?.containerStatuses?.[0].state?.running);
  });

  test('the finish annotation ends a pod as Succeeded with exit code 0', async () => {
    const ns = await harness.namespace('e2e-ok');
    await applyAndWaitRunning(ns, 'master-0');
    await harness.kubectl(['annotate', '-n', ns, 'pod/master-0', 'training-operator.test/finish=Succeeded']);
    const pod = await waitForPhase(ns, 'master-0', 'Succeeded');
    assert.equal(terminated(pod)?.exitCode, 0);
    assert.equal(terminated(pod)?.reason, 'Completed');
  });

  test('the finish annotation ends a pod as Failed with the exit code asked for', async () => {
    const ns = await harness.namespace('e2e-fail');
    await applyAndWaitRunning(ns, 'worker-1');
    await harness.finishPod(ns, 'worker-1', 'Failed', 137);
    const pod = await waitForPhase(ns, 'worker-1', 'Failed');
    assert.equal(terminated(pod)?.exitCode, 137);
    assert.equal(terminated(pod)?.reason, 'Error');
    assert.equal(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
  });
});
