import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import { KIND_NAMES } from '../../src/api/kinds.ts';
import { DEFAULT_RENDER_OPTIONS } from '../../src/frameworks/framework.ts';
import { withDefaults } from '../../src/frameworks/registry.ts';
import { render } from '../../src/render/render.ts';
import { makeJob } from '../support/builders.ts';
import { find, pod, renderJob } from '../support/render.ts';

const twoReplicaTypes: Record<string, [string, string]> = {
  PyTorchJob: ['Master', 'Worker'],
  TFJob: ['PS', 'Worker'],
  XGBoostJob: ['Master', 'Worker'],
  MPIJob: ['Launcher', 'Worker'],
  PaddleJob: ['Master', 'Worker'],
  JAXJob: ['Worker', 'Worker'],
};

describe('render invariants', () => {
  for (const kind of KIND_NAMES) {
    const [first, second] = twoReplicaTypes[kind];
    const job = () => makeJob(kind, 'inv', 'ns').replicas(first, 1).replicas(second, 2).uid('1234-uid');

    test(`${kind}: byte-identical output for the same job`, () => {
      assert.equal(stringify(renderJob(job().obj())), stringify(renderJob(job().obj())));
    });

    test(`${kind}: every object is namespaced, labelled and owned by the job`, () => {
      for (const object of renderJob(job().obj())) {
        assert.equal(object.metadata.namespace, 'ns', `${object.kind}/${object.metadata.name}`);
        assert.deepEqual(object.metadata.ownerReferences, [
          {
            apiVersion: 'kubeflow.org/v1',
            kind,
            name: 'inv',
            uid: '1234-uid',
            controller: true,
            blockOwnerDeletion: true,
          },
        ]);
        assert.equal(object.metadata.labels?.['training.kubeflow.org/job-name'], 'inv');
      }
    });

    test(`${kind}: rendering leaves the defaulted job untouched`, () => {
      const defaulted = withDefaults(job().obj());
      const before = structuredClone(defaulted);
      render(defaulted, { ...DEFAULT_RENDER_OPTIONS, gangSchedulerName: 'volcano' });
      assert.deepEqual(defaulted, before);
    });

    test(`${kind}: suspended or managed elsewhere renders nothing`, () => {
      assert.deepEqual(renderJob(job().runPolicy({ suspend: true }).obj()), []);
      assert.deepEqual(renderJob(job().runPolicy({ managedBy: 'kueue.x-k8s.io/multikueue' }).obj()), []);
      assert.notDeepEqual(
        renderJob(job().runPolicy({ managedBy: 'kubeflow.org/training-operator' }).obj()),
        [],
      );
    });
  }

  test('offline (no uid) objects carry no owner reference', () => {
    for (const object of renderJob(makeJob('JAXJob', 'x').replicas('Worker', 1).obj())) {
      assert.equal(object.metadata.ownerReferences, undefined);
    }
  });

  test('template labels, annotations and finalizers reach the pod; operator labels win', () => {
    const job = makeJob('TFJob', 'meta').replicas('Worker', 1).obj();
    const worker = (job.spec.tfReplicaSpecs as Record<string, { template: object }>).Worker;
    worker.template = {
      ...worker.template,
      metadata: {
        name: 'ignored',
        labels: { label1: '1', 'training.kubeflow.org/replica-type': 'spoofed' },
        annotations: { annotation1: '1' },
        finalizers: ['example.com/keep'],
      },
    };
    const target = pod(renderJob(job), 'meta-worker-0');
    assert.equal(target.metadata!.labels!.label1, '1');
    assert.equal(target.metadata!.labels!['training.kubeflow.org/replica-type'], 'worker');
    assert.deepEqual(target.metadata!.annotations, { annotation1: '1' });
    assert.deepEqual(target.metadata!.finalizers, ['example.com/keep']);
  });

  test('services: labels = selector = the four replica labels, headless, named ports', () => {
    const service = find(
      renderJob(makeJob('TFJob', 'svc').replicas('Worker', 2).obj()),
      'Service',
      'svc-worker-1',
    );
    const selector = {
      'training.kubeflow.org/job-name': 'svc',
      'training.kubeflow.org/operator-name': 'tfjob-controller',
      'training.kubeflow.org/replica-index': '1',
      'training.kubeflow.org/replica-type': 'worker',
    };
    assert.deepEqual(service.metadata.labels, selector);
    assert.deepEqual(service.spec, {
      clusterIP: 'None',
      selector,
      ports: [{ name: 'tfjob-port', port: 2222 }],
    });
  });

  test('names replace "/" and lower-case the type', () => {
    assert.ok(find(renderJob(makeJob('TFJob', 'a/b').replicas('Worker', 1).obj()), 'Pod', 'a-b-worker-0'));
  });
});
