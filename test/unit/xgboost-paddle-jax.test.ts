import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { withDefaults } from '../../src/frameworks/registry.ts';
import { makeJob } from '../support/builders.ts';
import { envPairs, pod, renderJob } from '../support/render.ts';

describe('XGBoostJob (xgboost/xgboost.go, xgboost_defaults_test.go)', () => {
  const objects = renderJob(makeJob('XGBoostJob', 'xgb').replicas('Master', 1).replicas('Worker', 2).obj());
  const env = (rank: number): [string, string][] => [
    ['MASTER_PORT', '9999'],
    ['MASTER_ADDR', 'xgb-master-0'],
    ['WORLD_SIZE', '3'],
    ['RANK', String(rank)],
    ['PYTHONUNBUFFERED', '1'],
    ['WORKER_PORT', '9999'],
    ['WORKER_ADDRS', 'xgb-worker-0,xgb-worker-1'],
  ];
  test('worked example: ranks after the master', () => {
    assert.deepEqual(envPairs(pod(objects, 'xgb-master-0')), env(0));
    assert.deepEqual(envPairs(pod(objects, 'xgb-worker-0')), env(1));
    assert.deepEqual(envPairs(pod(objects, 'xgb-worker-1')), env(2));
  });
  test('a master alone gets no worker variables', () => {
    const alone = renderJob(makeJob('XGBoostJob', 'one').replicas('Master', 1).obj());
    assert.deepEqual(
      envPairs(pod(alone, 'one-master-0')).map(([name]) => name),
      ['MASTER_PORT', 'MASTER_ADDR', 'WORLD_SIZE', 'RANK', 'PYTHONUNBUFFERED'],
    );
  });
  test('defaults: replicas 1, Never, port xgboostjob-port:9999 without duplicates, cleanPodPolicy None', () => {
    const job = makeJob('XGBoostJob', 'd').replicas('Worker', 1, {
      unsetReplicas: true,
      ports: [{ name: 'xgboostjob-port', containerPort: 9999 }],
    });
    const worker = (
      withDefaults(job.obj()).spec.xgbReplicaSpecs as Record<
        string,
        { replicas: number; restartPolicy: string; template: { spec: { containers: { ports: object[] }[] } } }
      >
    ).Worker;
    assert.equal(worker.replicas, 1);
    assert.equal(worker.restartPolicy, 'Never');
    assert.deepEqual(worker.template.spec.containers[0].ports, [
      { name: 'xgboostjob-port', containerPort: 9999 },
    ]);
    assert.equal(withDefaults(job.obj()).spec.runPolicy!.cleanPodPolicy, 'None');
  });
});

describe('PaddleJob (pkg/controller.v1/paddlepaddle/envvar.go)', () => {
  test('worked example: the master announces its pod IP, others use its service', () => {
    const objects = renderJob(
      makeJob('PaddleJob', 'paddle-job').replicas('Master', 1).replicas('Worker', 2).obj(),
    );
    assert.deepEqual(envPairs(pod(objects, 'paddle-job-master-0')), [
      ['PYTHONUNBUFFERED', '1'],
      ['PADDLE_JOB_ID', 'paddle-job'],
      ['PADDLE_NNODES', '3'],
      ['POD_IP_DUMMY', '(status.podIP)'],
      ['PADDLE_MASTER', '$(POD_IP_DUMMY):36543'],
      ['PADDLE_SERVER_NUM', '1'],
    ]);
    assert.deepEqual(envPairs(pod(objects, 'paddle-job-worker-1')), [
      ['PYTHONUNBUFFERED', '1'],
      ['PADDLE_JOB_ID', 'paddle-job'],
      ['PADDLE_NNODES', '3'],
      ['PADDLE_MASTER', 'paddle-job-master-0:36543'],
      ['PADDLE_TRAINER_NUM', '1'],
    ]);
  });
  test('controller case: port master 8080 → PADDLE_MASTER=$(POD_IP_DUMMY):8080', () => {
    const ports = [{ name: 'master', containerPort: 8080 }];
    const objects = renderJob(
      makeJob('PaddleJob', 'test-job')
        .replicas('Master', 1, { ports })
        .replicas('Worker', 2, { ports })
        .obj(),
    );
    assert.equal(
      new Map(envPairs(pod(objects, 'test-job-master-0'))).get('PADDLE_MASTER'),
      '$(POD_IP_DUMMY):8080',
    );
  });
  test('without a master, worker 0 coordinates and nobody gets SERVER/TRAINER_NUM', () => {
    const objects = renderJob(makeJob('PaddleJob', 'p').replicas('Worker', 2).obj());
    assert.deepEqual(envPairs(pod(objects, 'p-worker-0')).slice(3), [
      ['POD_IP_DUMMY', '(status.podIP)'],
      ['PADDLE_MASTER', '$(POD_IP_DUMMY):36543'],
    ]);
    assert.deepEqual(envPairs(pod(objects, 'p-worker-1')).slice(3), [['PADDLE_MASTER', 'p-worker-0:36543']]);
    assert.equal(pod(objects, 'p-worker-0').metadata!.labels!['training.kubeflow.org/job-role'], undefined);
  });
  test('elastic bounds are defaulted from the Worker count', () => {
    const job = makeJob('PaddleJob', 'p').replicas('Worker', 3).spec({ elasticPolicy: {} });
    assert.deepEqual(withDefaults(job.obj()).spec.elasticPolicy, { minReplicas: 3, maxReplicas: 3 });
  });
});

describe('JAXJob (pkg/controller.v1/jax/envvar.go)', () => {
  test('worked example: Worker 2', () => {
    const objects = renderJob(makeJob('JAXJob', 'jaxjob').replicas('Worker', 2).obj());
    assert.deepEqual(envPairs(pod(objects, 'jaxjob-worker-1')), [
      ['PYTHONUNBUFFERED', '1'],
      ['COORDINATOR_PORT', '6666'],
      ['COORDINATOR_ADDRESS', 'jaxjob-worker-0'],
      ['NUM_PROCESSES', '2'],
      ['PROCESS_ID', '1'],
    ]);
    assert.equal(
      pod(objects, 'jaxjob-worker-0').metadata!.labels!['training.kubeflow.org/job-role'],
      'master',
    );
    assert.equal(pod(objects, 'jaxjob-worker-0').spec!.restartPolicy, 'Never');
  });
  test('test case: index 0 of test-jaxjob', () => {
    const objects = renderJob(
      makeJob('JAXJob', 'test-jaxjob')
        .replicas('Worker', 1, { ports: [{ name: 'jaxjob-port', containerPort: 6666 }] })
        .obj(),
    );
    assert.deepEqual(envPairs(pod(objects, 'test-jaxjob-worker-0')), [
      ['PYTHONUNBUFFERED', '1'],
      ['COORDINATOR_PORT', '6666'],
      ['COORDINATOR_ADDRESS', 'test-jaxjob-worker-0'],
      ['NUM_PROCESSES', '1'],
      ['PROCESS_ID', '0'],
    ]);
  });
});
