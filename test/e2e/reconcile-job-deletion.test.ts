// Deleting a job on the sim cluster, where kube-controller-manager garbage-collects: like the reference's
// controllers (pkg/controller.v1/, release-1.9), the operator adds no finalizers, and everything it created
// goes with the job through the controller owner references (blockOwnerDeletion holds a foreground deletion
// until they are gone).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { CoreV1Api, CustomObjectsApi, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { makeJob } from '../support/builders.ts';
import * as harness from '../integration/harness.ts';
import {
  createJob,
  hasCondition,
  namesOf,
  operatorNamespace,
  podsOf,
  servicesOf,
  waitForJob,
  waitForObjects,
} from '../integration/operator.ts';

/** Names of what MPI's launcher needs besides pods, as far as they still exist. */
async function mpiObjects(ns: string): Promise<string[]> {
  const core = harness.client(CoreV1Api);
  const rbac = harness.client(RbacAuthorizationV1Api);
  const exists = (read: Promise<unknown>, name: string) => read.then(() => [name]).catch(() => []);
  return (
    await Promise.all([
      exists(core.readNamespacedConfigMap({ name: 'pi-config', namespace: ns }), 'ConfigMap'),
      exists(core.readNamespacedServiceAccount({ name: 'pi-launcher', namespace: ns }), 'ServiceAccount'),
      exists(rbac.readNamespacedRole({ name: 'pi-launcher', namespace: ns }), 'Role'),
      exists(rbac.readNamespacedRoleBinding({ name: 'pi-launcher', namespace: ns }), 'RoleBinding'),
    ])
  ).flat();
}

describe('job deletion on the sim cluster', () => {
  before(() => assert.ok(harness.cluster().sim, 'e2e tests need the sim cluster: run them with `npm test`'));

  test('a finished PyTorchJob deleted in the background takes its pods and services along', async (t) => {
    const { ns } = await operatorNamespace(t, 'e2e-delete');
    await createJob(makeJob('PyTorchJob', 'demo', ns).replicas('Master', 1).replicas('Worker', 1).obj(), {
      schedulable: true,
    });
    // kwok runs the pods; the master finishing completes the job.
    await waitForJob(
      ns,
      'PyTorchJob',
      'demo',
      (j) => j.status?.replicaStatuses?.Worker?.active === 1,
      'running',
      30_000,
    );
    await harness.finishPod(ns, 'demo-master-0', 'Succeeded');
    const job = await waitForJob(ns, 'PyTorchJob', 'demo', (j) => hasCondition(j, 'Succeeded'), 'Succeeded');
    assert.equal(job.metadata.finalizers, undefined, 'the operator adds no finalizers');

    await harness.remove(job);
    await waitForObjects(ns, 'demo', [], [], 30_000);
  });

  test('a running MPIJob deleted in the foreground: the job waits for its pods, ConfigMap and RBAC', async (t) => {
    const { ns } = await operatorNamespace(t, 'e2e-foreground');
    await createJob(makeJob('MPIJob', 'pi', ns).replicas('Launcher', 1).replicas('Worker', 2).obj(), {
      schedulable: true,
    });
    // kwok runs the launcher and the workers.
    const job = await waitForJob(ns, 'MPIJob', 'pi', (j) => hasCondition(j, 'Running'), 'Running', 30_000);
    assert.deepEqual(await mpiObjects(ns), ['ConfigMap', 'ServiceAccount', 'Role', 'RoleBinding']);

    await harness.remove(job, { propagationPolicy: 'Foreground' });
    const api = harness.client(CustomObjectsApi);
    const resource = { group: 'kubeflow.org', version: 'v1', namespace: ns, plural: 'mpijobs', name: 'pi' };
    await harness.waitFor(
      () =>
        api.getNamespacedCustomObject(resource).then(
          () => false,
          (error: { code?: number }) => error.code === 404,
        ),
      30_000,
      'the MPIJob to be gone',
    );
    // Foreground: the job is gone only once its dependents are.
    assert.deepEqual(namesOf(await podsOf(ns, 'pi')), []);
    assert.deepEqual(namesOf(await servicesOf(ns, 'pi')), []);
    assert.deepEqual(await mpiObjects(ns), []);
  });
});
