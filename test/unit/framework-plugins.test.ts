// What the generic code learns from the frameworks' declarations (src/frameworks/framework.ts): the kinds
// they own and patch, what suspending deletes, their warnings, their settings and flags.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateJob } from '../../src/api/validate.ts';
import {
  FRAMEWORK_FLAGS,
  frameworkSettingsOf,
  RUN_OPTIONS,
  SYNTH_FRAMEWORK_FLAGS,
} from '../../src/cli/run-options.ts';
import { ownedKinds } from '../../src/frameworks/registry.ts';
import { OwnedObjects } from '../../src/manager/owned.ts';
import { patchedKinds, reconcile } from '../../src/reconcile/reconcile.ts';
import { makeJob } from '../support/builders.ts';
import { pod, renderJob } from '../support/render.ts';
import { World } from '../support/world.ts';

const kindsOf = (owned: { kind: string }[]) => owned.map((o) => o.kind);

describe('owned and patched kinds come from the frameworks', () => {
  test('pods and services for every kind; MPI its config and RBAC; PyTorch its HPA; each once', () => {
    assert.deepEqual(kindsOf(ownedKinds(['TFJob', 'JAXJob'])), ['Pod', 'Service']);
    assert.deepEqual(kindsOf(ownedKinds(['PyTorchJob', 'MPIJob', 'PyTorchJob'])), [
      'Pod',
      'Service',
      'HorizontalPodAutoscaler',
      'ConfigMap',
      'ServiceAccount',
      'Role',
      'RoleBinding',
    ]);
  });

  test('patched: the framework’s patched kinds and the PodGroup, never pods, services or bindings', () => {
    assert.deepEqual([...patchedKinds('MPIJob')].sort(), ['ConfigMap', 'PodGroup', 'Role']);
    assert.deepEqual([...patchedKinds('PyTorchJob')].sort(), ['HorizontalPodAutoscaler', 'PodGroup']);
    assert.deepEqual([...patchedKinds('TFJob')], ['PodGroup']);
  });

  test('a drifted MPI ConfigMap is patched back; a drifted ServiceAccount is left as it is', () => {
    const world = new World(makeJob('MPIJob', 'pi').replicas('Launcher', 1).replicas('Worker', 1).obj());
    world.step();
    for (const object of world.objects) {
      if (object.kind === 'ConfigMap') object.data = { hostfile: 'edited' };
      if (object.kind === 'ServiceAccount') object.automountServiceAccountToken = false;
    }
    const plan = world.step();
    assert.deepEqual(
      plan.update.map((o) => o.kind),
      ['ConfigMap'],
    );
  });

  test('suspending an elastic PyTorchJob deletes its HPA with its pods', () => {
    const metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization' } } }];
    const job = makeJob('PyTorchJob', 'e')
      .replicas('Worker', 1)
      .spec({ elasticPolicy: { minReplicas: 1, maxReplicas: 2, metrics } });
    const world = new World(job.obj());
    world.step();
    assert.deepEqual(world.names('HorizontalPodAutoscaler'), ['e']);
    world.job.spec.runPolicy = { suspend: true };
    world.step();
    assert.deepEqual(world.names('HorizontalPodAutoscaler'), []);
    assert.deepEqual(world.names('Pod'), []);
  });
});

describe('deletes in flight are reconcile() input', () => {
  test('a failed pod whose delete was sent is not deleted again; the job still restarts', () => {
    const world = new World(makeJob('PyTorchJob', 'demo').replicas('Master', 1).obj());
    world.step();
    world.setPhase('demo-master-0', 'Failed', 137);
    const uid = world.pod('demo-master-0').metadata!.uid!;
    const context = { options: {}, now: world.now };
    assert.deepEqual(
      reconcile(world.job, world.objects, context).delete.map((ref) => ref.uid),
      [uid],
    );
    const plan = reconcile(world.job, world.objects, { ...context, deleting: new Set([uid]) });
    assert.deepEqual(plan.delete, []);
    assert.ok(plan.status?.conditions?.some((c) => c.type === 'Restarting' && c.status === 'True'));
  });

  test('the manager reports a sent delete until the caches show it, or for 60 s at most', () => {
    const owned = new OwnedObjects();
    const world = new World(makeJob('PyTorchJob', 'demo').replicas('Master', 1).obj());
    world.step();
    const objects = world.objects;
    const target = objects[0];
    owned.deleted(
      { apiVersion: 'v1', kind: target.kind, name: target.metadata.name, uid: target.metadata.uid },
      0,
    );
    assert.deepEqual([...owned.deleting(objects, 59_999)], [target.metadata.uid]);
    assert.deepEqual([...owned.deleting(objects, 60_000)], []);
  });
});

describe('warnings come from the frameworks', () => {
  const elastic = { elasticPolicy: { minReplicas: 1, maxReplicas: 2, nProcPerNode: 2 } };
  test('PyTorch: elasticPolicy.nProcPerNode is deprecated', () => {
    const job = makeJob('PyTorchJob', 'e').replicas('Worker', 1).spec(elastic).obj();
    assert.deepEqual(validateJob(job).warnings, [
      'spec.elasticPolicy.nProcPerNode is deprecated, use spec.nprocPerNode instead',
    ]);
  });

  test('Paddle has an elasticPolicy too, without the PyTorch warning (nor the field)', () => {
    const job = makeJob('PaddleJob', 'e').replicas('Worker', 1).spec(elastic).obj();
    assert.deepEqual(validateJob(job).warnings, ['unknown field "spec.elasticPolicy.nProcPerNode"']);
  });
});

describe('framework settings and their flags', () => {
  test('the flags keep their names, types and defaults', () => {
    assert.deepEqual(
      Object.entries(FRAMEWORK_FLAGS).map(([flag, option]) => [flag, option.type, option.default as unknown]),
      [
        ['pytorch-init-container-image', 'string', 'alpine:3.10'],
        ['pytorch-init-container-max-tries', 'number', 100],
        ['cluster-domain', 'string', process.env.CUSTOM_CLUSTER_DOMAIN],
        ['mpi-kubectl-delivery-image', 'string', 'ghcr.io/kubeflow/training-v1/kubectl-delivery:latest'],
      ],
    );
    for (const flag of Object.keys(FRAMEWORK_FLAGS)) assert.ok(flag in RUN_OPTIONS, flag);
    assert.deepEqual(Object.keys(SYNTH_FRAMEWORK_FLAGS), ['mpi-kubectl-delivery-image']);
  });

  test('parsed arguments become RenderOptions.settings, and reach the framework', () => {
    const settings = frameworkSettingsOf({
      'pytorch-init-container-image': 'busybox:1',
      'pytorch-init-container-max-tries': 3,
      'gang-scheduler-name': 'not.a.setting',
    });
    assert.deepEqual(settings, {
      'pytorch-init-container-image': 'busybox:1',
      'pytorch-init-container-max-tries': 3,
    });
    const job = makeJob('PyTorchJob', 'p').replicas('Master', 1).replicas('Worker', 1).obj();
    const [init] = pod(renderJob(job, { settings }), 'p-worker-0').spec!.initContainers!;
    assert.equal(init.image, 'busybox:1');
    assert.match(init.command!.at(-1)!, /\$\(seq 3\)/);
    const [byDefault] = pod(renderJob(job), 'p-worker-0').spec!.initContainers!;
    assert.equal(byDefault.image, 'alpine:3.10');
    assert.match(byDefault.command!.at(-1)!, /\$\(seq 100\)/);
  });
});
