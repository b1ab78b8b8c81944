// Container logs on the sim cluster: the API server asks the fake node's kubelet endpoint (the
// container-logs server of src/local/container-logs.ts) for them, so `kubectl logs` and a raw GET of
// pods/<name>/log return what the container "printed"; a follow ends once the container has terminated.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import YAML from 'yaml';
import * as harness from '../integration/harness.ts';

function trainingPod(namespace: string, name: string): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels: { 'training.kubeflow.org/replica-type': 'worker', 'training.kubeflow.org/replica-index': '1' },
    },
    spec: {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'pytorch',
          image: 'docker.io/kubeflowkatib/pytorch-mnist:v1beta1-45c5727',
          command: ['python3', '/opt/pytorch-mnist/mnist.py'],
          env: [
            { name: 'MASTER_ADDR', value: 'job-master-0' },
            { name: 'RANK', value: '2' },
          ],
        },
      ],
    },
  };
}

async function runningPod(namespace: string, name: string): Promise<void> {
  await harness.kubectl(['apply', '-f', '-'], YAML.stringify(trainingPod(namespace, name)));
  const core = harness.client(CoreV1Api);
  await harness.waitFor(
    async () => (await core.readNamespacedPod({ name, namespace })).status?.phase === 'Running',
    30_000,
    `pod ${name} to run`,
  );
}

/** `kubectl logs ARGS` as a child process: resolves with its stdout when kubectl exits. */
function kubectlLogs(args: string[]): Promise<string> {
  const { binDir, kubeconfigPath } = harness.cluster();
  return promisify(execFile)(join(binDir, 'kubectl'), ['--kubeconfig', kubeconfigPath, 'logs', ...args], {
    timeout: 60_000,
  }).then((r) => r.stdout);
}

describe('container logs on the sim cluster', () => {
  before(() => assert.ok(harness.cluster().sim, 'e2e tests need the sim cluster: run them with `npm test`'));

  test('a raw GET of pods/<name>/log returns the command, environment and progress of the container', async () => {
    const ns = await harness.namespace('e2e-logs');
    await runningPod(ns, 'worker-1');
    const log = await harness.client(CoreV1Api).readNamespacedPodLog({ name: 'worker-1', namespace: ns });
    const lines = log.split('\n');
    assert.match(
      lines[0],
      /^\[simulated\] container pytorch of pod worker-1 on kwok-node-\d, image docker\.io/,
    );
    assert.equal(lines[1], '$ python3 /opt/pytorch-mnist/mnist.py');
    assert.equal(lines[2], 'environment: MASTER_ADDR=job-master-0 RANK=2');
    assert.equal(lines[3], 'worker 1: starting training');
    assert.ok(!log.includes('training complete'), 'a running container has not finished');
  });

  test('kubectl logs -f ends when the container terminates, with its last line; --tail and --timestamps apply', async () => {
    const ns = await harness.namespace('e2e-logs-follow');
    await runningPod(ns, 'worker-1');
    const following = kubectlLogs(['-f', '-n', ns, 'worker-1']);
    let ended = false;
    void following.finally(() => (ended = true));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.equal(ended, false, 'the follow ended while the container still ran');
    await harness.finishPod(ns, 'worker-1', 'Failed', 3);
    const log = await following;
    assert.match(log, /^\[simulated\] container pytorch/);
    assert.match(log, /worker 1: error: exiting with code 3 \(Error\)\n$/);

    const tail = await kubectlLogs(['-n', ns, 'worker-1', '--tail=2', '--timestamps']);
    const tailLines = tail.trimEnd().split('\n');
    assert.equal(tailLines.length, 2, tail);
    for (const line of tailLines) assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z /);
    assert.match(tailLines[1], /error: exiting with code 3/);
  });
});
