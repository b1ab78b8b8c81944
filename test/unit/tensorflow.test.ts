import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { withDefaults } from '../../src/frameworks/registry.ts';
import { isDistributed, sparseClusterSpec } from '../../src/frameworks/tensorflow.ts';
import { makeJob } from '../support/builders.ts';
import { envPairs, pod, renderJob } from '../support/render.ts';

const tfConfig = (objects: ReturnType<typeof renderJob>, name: string) =>
  new Map(envPairs(pod(objects, name))).get('TF_CONFIG');

describe('TF_CONFIG (pkg/controller.v1/tensorflow/tensorflow.go)', () => {
  test('worked example: Master 1 + Worker 2 in namespace ns', () => {
    const objects = renderJob(
      makeJob('TFJob', 'dist', 'ns').replicas('Master', 1).replicas('Worker', 2).obj(),
    );
    const cluster =
      '{"master":["dist-master-0.ns.svc:2222"],"worker":["dist-worker-0.ns.svc:2222","dist-worker-1.ns.svc:2222"]}';
    assert.equal(
      tfConfig(objects, 'dist-worker-1'),
      `{"cluster":${cluster},"task":{"type":"worker","index":1},"environment":"cloud"}`,
    );
    assert.equal(
      tfConfig(objects, 'dist-master-0'),
      `{"cluster":${cluster},"task":{"type":"master","index":0},"environment":"cloud"}`,
    );
  });

  test('custom cluster domain, Worker 1 + PS 1', () => {
    const job = makeJob('TFJob', 'test-tfjob', 'ns2').replicas('Worker', 1).replicas('PS', 1).obj();
    assert.equal(
      tfConfig(renderJob(job, { settings: { 'cluster-domain': 'tf.training.org' } }), 'test-tfjob-worker-0'),
      '{"cluster":{"ps":["test-tfjob-ps-0.ns2.svc.tf.training.org:2222"],"worker":["test-tfjob-worker-0.ns2.svc.tf.training.org:2222"]},"task":{"type":"worker","index":0},"environment":"cloud"}',
    );
  });

  test('evaluators are part of the cluster spec', () => {
    const job = makeJob('TFJob', 'test-tfjob', 'ns3')
      .replicas('Worker', 1)
      .replicas('PS', 1)
      .replicas('Evaluator', 1)
      .obj();
    assert.equal(
      tfConfig(renderJob(job), 'test-tfjob-worker-0'),
      '{"cluster":{"evaluator":["test-tfjob-evaluator-0.ns3.svc:2222"],"ps":["test-tfjob-ps-0.ns3.svc:2222"],"worker":["test-tfjob-worker-0.ns3.svc:2222"]},"task":{"type":"worker","index":0},"environment":"cloud"}',
    );
  });

  test('a single-replica job is local: no TF_CONFIG, but still a service', () => {
    const objects = renderJob(makeJob('TFJob', 'local', 'ns0').replicas('Worker', 1).obj());
    assert.equal(tfConfig(objects, 'local-worker-0'), undefined);
    assert.ok(objects.some((o) => o.kind === 'Service' && o.metadata.name === 'local-worker-0'));
  });

  test('isDistributed counts every TF replica', () => {
    const job = (types: [string, number][]) =>
      withDefaults(types.reduce((b, [type, n]) => b.replicas(type, n), makeJob('TFJob', 't')).obj());
    assert.equal(isDistributed(job([['Worker', 1]])), false);
    assert.equal(
      isDistributed(
        job([
          ['Worker', 1],
          ['PS', 1],
        ]),
      ),
      true,
    );
    assert.equal(isDistributed(job([['PS', 1]])), false);
    assert.equal(
      isDistributed(
        job([
          ['Worker', 1],
          ['Chief', 1],
        ]),
      ),
      true,
    );
  });

  test('only the tensorflow container gets TF_CONFIG', () => {
    const job = makeJob('TFJob', 't').replicas('Worker', 2).obj();
    const spec = (job.spec.tfReplicaSpecs as Record<string, { template: { spec: { containers: object[] } } }>)
      .Worker;
    spec.template.spec.containers.unshift({ name: 'sidecar', image: 'busybox' });
    const target = pod(renderJob(job), 't-worker-0');
    assert.equal(target.spec!.containers[0].env, undefined);
    assert.equal(envPairs(target, 1)[0][0], 'TF_CONFIG');
  });
});

describe('sparse TF_CONFIG for enableDynamicWorker', () => {
  const cluster = { ps: ['ps-0', 'ps-1'], worker: ['w-0', 'w-1'] };
  test('a worker knows itself and every PS; a PS only itself', () => {
    assert.deepEqual(sparseClusterSpec(cluster, 'worker', 0), {
      worker: { '0': 'w-0' },
      ps: ['ps-0', 'ps-1'],
    });
    assert.deepEqual(sparseClusterSpec(cluster, 'ps', 0), { worker: {}, ps: ['ps-0'] });
  });
  test('rendered without environment', () => {
    const job = makeJob('TFJob', 'dyn', 'ns').replicas('Worker', 2).spec({ enableDynamicWorker: true }).obj();
    assert.equal(
      tfConfig(renderJob(job), 'dyn-worker-1'),
      '{"cluster":{"worker":{"1":"dyn-worker-1.ns.svc:2222"},"ps":null},"task":{"type":"worker","index":1}}',
    );
  });
});

describe('TFJob defaults and roles (pkg/apis/kubeflow.org/v1/tensorflow_defaults_test.go)', () => {
  test('lower-case replica keys are normalised, defaults fill replicas, policy and port', () => {
    const job = makeJob('TFJob', 't').obj();
    job.spec.tfReplicaSpecs = {
      WORKER: { template: { spec: { containers: [{ name: 'tensorflow', image: 'i' }] } } },
    };
    const spec = withDefaults(job).spec;
    const worker = (
      spec.tfReplicaSpecs as Record<
        string,
        { replicas: number; restartPolicy: string; template: { spec: { containers: { ports: object[] }[] } } }
      >
    ).Worker;
    assert.equal(worker.replicas, 1);
    assert.equal(worker.restartPolicy, 'Never');
    assert.deepEqual(worker.template.spec.containers[0].ports, [{ name: 'tfjob-port', containerPort: 2222 }]);
    assert.equal(spec.successPolicy, '');
    assert.deepEqual(spec.runPolicy, { cleanPodPolicy: 'None' });
    assert.equal('WORKER' in (spec.tfReplicaSpecs as object), false);
  });

  test('the default port goes after a custom one; an explicit cleanPodPolicy stays', () => {
    const job = makeJob('TFJob', 't')
      .replicas('Worker', 1, { ports: [{ name: 'customPort', containerPort: 1234 }] })
      .runPolicy({ cleanPodPolicy: 'All' });
    const objects = renderJob(job.obj());
    assert.deepEqual(pod(objects, 't-worker-0').spec!.containers[0].ports, [
      { name: 'customPort', containerPort: 1234 },
      { name: 'tfjob-port', containerPort: 2222 },
    ]);
    assert.equal(withDefaults(job.obj()).spec.runPolicy!.cleanPodPolicy, 'All');
  });

  test('Chief (or Master) pods carry job-role master, else worker 0', () => {
    const withChief = renderJob(makeJob('TFJob', 'c').replicas('Chief', 1).replicas('Worker', 2).obj());
    assert.equal(pod(withChief, 'c-chief-0').metadata!.labels!['training.kubeflow.org/job-role'], 'master');
    assert.equal(pod(withChief, 'c-worker-0').metadata!.labels!['training.kubeflow.org/job-role'], undefined);
    const workersOnly = renderJob(makeJob('TFJob', 'w').replicas('Worker', 2).obj());
    assert.equal(
      pod(workersOnly, 'w-worker-0').metadata!.labels!['training.kubeflow.org/job-role'],
      'master',
    );
  });

  test('restart policy mapping: ExitCode runs as Never', () => {
    for (const [replica, expected] of [
      ['ExitCode', 'Never'],
      ['Never', 'Never'],
      ['Always', 'Always'],
      ['OnFailure', 'OnFailure'],
    ] as const) {
      const objects = renderJob(
        makeJob('TFJob', 'r').replicas('Worker', 1, { restartPolicy: replica }).obj(),
      );
      assert.equal(pod(objects, 'r-worker-0').spec!.restartPolicy, expected, replica);
    }
  });
});
