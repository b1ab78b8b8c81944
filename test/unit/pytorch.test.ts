import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { withDefaults } from '../../src/frameworks/registry.ts';
import { makeJob } from '../support/builders.ts';
import { envPairs, find, names, pod, renderJob } from '../support/render.ts';

const port = (containerPort: number) => [{ name: 'pytorchjob-port', containerPort }];

describe('PyTorchJob env (pkg/controller.v1/pytorch/envvar.go)', () => {
  const objects = renderJob(makeJob('PyTorchJob', 'mnist').replicas('Master', 1).replicas('Worker', 2).obj());
  const common = (rank: number): [string, string][] => [
    ['PYTHONUNBUFFERED', '1'],
    ['MASTER_PORT', '23456'],
    ['PET_MASTER_PORT', '23456'],
    ['MASTER_ADDR', 'mnist-master-0'],
    ['PET_MASTER_ADDR', 'mnist-master-0'],
    ['WORLD_SIZE', '3'],
    ['RANK', String(rank)],
    ['PET_NODE_RANK', String(rank)],
    ['PET_NPROC_PER_NODE', 'auto'],
    ['PET_NNODES', '3'],
  ];

  test('master and workers get ranks by index, world size from all replicas', () => {
    assert.deepEqual(envPairs(pod(objects, 'mnist-master-0')), common(0));
    assert.deepEqual(envPairs(pod(objects, 'mnist-worker-0')), common(1));
    assert.deepEqual(envPairs(pod(objects, 'mnist-worker-1')), common(2));
  });

  test('pods and headless services share names, in a stable order', () => {
    assert.deepEqual(names(objects), [
      'Pod/mnist-master-0',
      'Service/mnist-master-0',
      'Pod/mnist-worker-0',
      'Service/mnist-worker-0',
      'Pod/mnist-worker-1',
      'Service/mnist-worker-1',
    ]);
  });

  test('only workers wait for the master with an init container', () => {
    assert.equal(pod(objects, 'mnist-master-0').spec!.initContainers, undefined);
    const [init] = pod(objects, 'mnist-worker-1').spec!.initContainers!;
    assert.equal(init.name, 'init-pytorch');
    assert.equal(init.image, 'alpine:3.10');
    assert.equal(init.imagePullPolicy, 'IfNotPresent');
    assert.deepEqual(init.resources, {
      limits: { cpu: '100m', memory: '20Mi' },
      requests: { cpu: '50m', memory: '10Mi' },
    });
    assert.deepEqual(init.command, [
      'sh',
      '-c',
      'err=1;for i in $(seq 100); do if nslookup mnist-master-0; then err=0 && break; fi;echo waiting for master; sleep 2; done; exit $err',
    ]);
  });

  test('the master carries job-role master; the default port is appended to the pytorch container', () => {
    assert.equal(
      pod(objects, 'mnist-master-0').metadata!.labels!['training.kubeflow.org/job-role'],
      'master',
    );
    assert.equal(
      pod(objects, 'mnist-worker-0').metadata!.labels!['training.kubeflow.org/job-role'],
      undefined,
    );
    assert.deepEqual(pod(objects, 'mnist-worker-0').spec!.containers[0].ports, port(23456));
    assert.equal(pod(objects, 'mnist-worker-0').spec!.restartPolicy, 'OnFailure');
  });

  test('nprocPerNode "4" multiplies the world size and is passed on', () => {
    const job = makeJob('PyTorchJob', 'mnist')
      .replicas('Master', 1)
      .replicas('Worker', 2)
      .spec({ nprocPerNode: '4' });
    const env = new Map(envPairs(pod(renderJob(job.obj()), 'mnist-worker-0')));
    assert.equal(env.get('WORLD_SIZE'), '12');
    assert.equal(env.get('PET_NPROC_PER_NODE'), '4');
    assert.equal(env.get('RANK'), '1');
  });

  test('controller test case: MASTER_PORT equals the master service port 8080', () => {
    const objects8080 = renderJob(
      makeJob('PyTorchJob', 'test-job')
        .replicas('Master', 1, { ports: port(8080) })
        .replicas('Worker', 2, { ports: port(8080) })
        .obj(),
    );
    const env = new Map(envPairs(pod(objects8080, 'test-job-master-0')));
    const service = find(objects8080, 'Service', 'test-job-master-0') as unknown as {
      spec: { ports: { port: number }[] };
    };
    assert.equal(env.get('MASTER_PORT'), '8080');
    assert.equal(service.spec.ports[0].port, 8080);
    assert.equal(env.get('MASTER_ADDR'), 'test-job-master-0');
    assert.deepEqual(pod(objects8080, 'test-job-master-0').spec!.containers[0].ports, port(8080));
  });

  test('a worker-only job gets no MASTER_*, RANK or WORLD_SIZE and worker 0 is the master role', () => {
    const objects1 = renderJob(makeJob('PyTorchJob', 'solo').replicas('Worker', 2).obj());
    assert.deepEqual(envPairs(pod(objects1, 'solo-worker-1')), [
      ['PYTHONUNBUFFERED', '1'],
      ['PET_NPROC_PER_NODE', 'auto'],
      ['PET_NNODES', '2'],
    ]);
    assert.equal(
      pod(objects1, 'solo-worker-0').metadata!.labels!['training.kubeflow.org/job-role'],
      'master',
    );
    assert.equal(pod(objects1, 'solo-worker-0').spec!.initContainers, undefined);
  });
});

describe('PyTorchJob elastic (pytorch/elastic.go, pytorch/hpa.go)', () => {
  const metrics = [
    { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
  ];
  const elasticJob = () =>
    makeJob('PyTorchJob', 'elastic-job')
      .replicas('Worker', 1, { ports: port(8080) })
      .spec({
        elasticPolicy: { rdzvBackend: 'c10d', minReplicas: 1, maxReplicas: 3, maxRestarts: 3, metrics },
      });

  test('worker env carries the rendezvous settings', () => {
    assert.deepEqual(envPairs(pod(renderJob(elasticJob().obj()), 'elastic-job-worker-0')), [
      ['PYTHONUNBUFFERED', '1'],
      ['PET_NPROC_PER_NODE', 'auto'],
      ['PET_RDZV_ENDPOINT', 'elastic-job-worker-0:8080'],
      ['PET_RDZV_BACKEND', 'c10d'],
      ['PET_NNODES', '1:3'],
      ['PET_MAX_RESTARTS', '3'],
    ]);
  });

  test('every elastic setting becomes a PET_ variable', () => {
    const job = makeJob('PyTorchJob', 'e')
      .replicas('Worker', 1)
      .spec({
        elasticPolicy: {
          minReplicas: 1,
          maxReplicas: 3,
          rdzvBackend: 'c10d',
          rdzvPort: 1234,
          rdzvHost: 'localhost',
          rdzvId: 'rdzv-id',
          rdzvConf: [
            { key: 'rdzv-conf-name', value: 'rdzv-conf-value' },
            { key: 'rdzv-conf-name-1', value: 'rdzv-conf-value-1' },
          ],
          maxRestarts: 3,
        },
      });
    const env = new Map(envPairs(pod(renderJob(job.obj()), 'e-worker-0')));
    assert.equal(env.get('PET_RDZV_ENDPOINT'), 'localhost:1234');
    assert.equal(env.get('PET_RDZV_ID'), 'rdzv-id');
    assert.equal(
      env.get('PET_RDZV_CONF'),
      'rdzv-conf-name=rdzv-conf-value,rdzv-conf-name-1=rdzv-conf-value-1',
    );
    assert.equal(env.get('PET_NNODES'), '1:3');
    assert.equal(env.get('PET_MAX_RESTARTS'), '3');
  });

  test('metrics create an autoscaling/v2 HPA on the job scale subresource', () => {
    const hpa = find(renderJob(elasticJob().obj()), 'HorizontalPodAutoscaler', 'elastic-job');
    assert.equal(hpa.apiVersion, 'autoscaling/v2');
    assert.deepEqual(hpa.spec, {
      scaleTargetRef: { apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', name: 'elastic-job' },
      minReplicas: 1,
      maxReplicas: 3,
      metrics,
    });
  });

  test('no metrics, no HPA', () => {
    const job = makeJob('PyTorchJob', 'e')
      .replicas('Worker', 2)
      .spec({ elasticPolicy: { rdzvBackend: 'c10d' } });
    assert.deepEqual(
      renderJob(job.obj()).filter((o) => o.kind === 'HorizontalPodAutoscaler'),
      [],
    );
  });
});

describe('PyTorchJob defaults (pkg/apis/kubeflow.org/v1/pytorch_defaults_test.go)', () => {
  const defaulted = (elasticPolicy: object) =>
    withDefaults(makeJob('PyTorchJob', 't').replicas('Worker', 1).spec({ elasticPolicy }).obj()).spec;

  test('min and max both unset take the Worker count', () => {
    assert.deepEqual(defaulted({}).elasticPolicy, { minReplicas: 1, maxReplicas: 1 });
  });
  test('one bound fills the other', () => {
    assert.deepEqual(defaulted({ maxReplicas: 1 }).elasticPolicy, { minReplicas: 1, maxReplicas: 1 });
    assert.deepEqual(defaulted({ minReplicas: 1 }).elasticPolicy, { minReplicas: 1, maxReplicas: 1 });
  });
  test('nprocPerNode defaults to auto unless the deprecated elastic field is set', () => {
    assert.equal(defaulted({}).nprocPerNode, 'auto');
    assert.equal(
      withDefaults(makeJob('PyTorchJob', 't').replicas('Worker', 1).obj()).spec.nprocPerNode,
      'auto',
    );
    assert.equal(defaulted({ nProcPerNode: 2 }).nprocPerNode, undefined);
  });
  test('the stored job is not changed by defaulting', () => {
    const job = makeJob('PyTorchJob', 't').replicas('Worker', 1, { unsetReplicas: true }).obj();
    const before = structuredClone(job);
    withDefaults(job);
    assert.deepEqual(job, before);
  });
});
