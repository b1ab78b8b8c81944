import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KIND_NAMES, KINDS } from '../../src/api/kinds.ts';
import {
  collectionPath,
  CONFIG_MAP,
  CRD,
  JOB_RESOURCES,
  NAMESPACE,
  objectPath,
  POD,
  ResourceRegistry,
  UnknownResourceError,
} from '../../src/kube/resources.ts';

const registry = new ResourceRegistry();

describe('resource registry', () => {
  test('knows every kind the operator touches, by apiVersion and kind', () => {
    const types: [string, string, string][] = [
      ['v1', 'Pod', 'pods'],
      ['v1', 'Service', 'services'],
      ['v1', 'ConfigMap', 'configmaps'],
      ['v1', 'ServiceAccount', 'serviceaccounts'],
      ['v1', 'Event', 'events'],
      ['events.k8s.io/v1', 'Event', 'events'],
      ['v1', 'Namespace', 'namespaces'],
      ['rbac.authorization.k8s.io/v1', 'Role', 'roles'],
      ['rbac.authorization.k8s.io/v1', 'RoleBinding', 'rolebindings'],
      ['autoscaling/v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers'],
      ['coordination.k8s.io/v1', 'Lease', 'leases'],
      ['scheduling.volcano.sh/v1beta1', 'PodGroup', 'podgroups'],
      ['scheduling.x-k8s.io/v1alpha1', 'PodGroup', 'podgroups'],
      ['apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'customresourcedefinitions'],
      ...KIND_NAMES.map((kind): [string, string, string] => ['kubeflow.org/v1', kind, KINDS[kind].plural]),
    ];
    for (const [apiVersion, kind, plural] of types) {
      assert.equal(registry.lookup({ apiVersion, kind }).plural, plural, `${apiVersion} ${kind}`);
    }
  });

  test('an unknown type is an error that says how to fix it; registered types are found', () => {
    const type = { apiVersion: 'example.com/v1', kind: 'Widget' };
    assert.throws(() => registry.lookup(type), UnknownResourceError);
    assert.equal(registry.find(type), undefined);
    const own = new ResourceRegistry();
    own.register({
      group: 'example.com',
      version: 'v1',
      kind: 'Widget',
      plural: 'widgets',
      namespaced: true,
    });
    assert.equal(own.lookup(type).plural, 'widgets');
  });
});

describe('paths', () => {
  test('core and grouped collections, in one namespace or all', () => {
    assert.equal(collectionPath(POD, 'ns'), '/api/v1/namespaces/ns/pods');
    assert.equal(collectionPath(POD), '/api/v1/pods');
    assert.equal(collectionPath(JOB_RESOURCES.TFJob, 'ns'), '/apis/kubeflow.org/v1/namespaces/ns/tfjobs');
    assert.equal(collectionPath(CRD), '/apis/apiextensions.k8s.io/v1/customresourcedefinitions');
  });

  test('objects and their status and scale subresources', () => {
    assert.equal(objectPath(CONFIG_MAP, 'c', 'ns'), '/api/v1/namespaces/ns/configmaps/c');
    assert.equal(
      objectPath(JOB_RESOURCES.PyTorchJob, 'a', 'ns', 'status'),
      '/apis/kubeflow.org/v1/namespaces/ns/pytorchjobs/a/status',
    );
    assert.equal(
      objectPath(JOB_RESOURCES.PyTorchJob, 'a', 'ns', 'scale'),
      '/apis/kubeflow.org/v1/namespaces/ns/pytorchjobs/a/scale',
    );
    assert.equal(objectPath(NAMESPACE, 'ns'), '/api/v1/namespaces/ns');
  });

  test('names are escaped', () => {
    assert.equal(objectPath(CONFIG_MAP, 'a/b?c', 'ns'), '/api/v1/namespaces/ns/configmaps/a%2Fb%3Fc');
  });

  test('scope mistakes are caught before any request', () => {
    assert.throws(() => objectPath(POD, 'p'), /namespaced: a namespace is required/);
    assert.throws(() => objectPath(NAMESPACE, 'n', 'ns'), /cluster-scoped/);
    assert.throws(() => collectionPath(CRD, 'ns'), /cluster-scoped/);
    assert.throws(() => objectPath(POD, '', 'ns'), /a name is required/);
  });
});
