import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { withDefaults } from '../../src/frameworks/registry.ts';
import { addQuantities, formatQuantity, parseQuantity } from '../../src/gang/quantity.ts';
import { gangSchedulerFor } from '../../src/gang/scheduler.ts';
import { minResources } from '../../src/gang/sizing.ts';
import { volcano } from '../../src/gang/volcano.ts';
import { makeJob } from '../support/builders.ts';
import { find, pod, renderJob } from '../support/render.ts';

const resources = (cpu: string, memory: string) => ({ resources: { requests: { cpu, memory } } });
const job = () =>
  makeJob('PyTorchJob', 'gang', 'team')
    .replicas('Master', 1, { container: resources('1', '2Gi') })
    .replicas('Worker', 2, { container: resources('500m', '1Gi') });

describe('gang scheduling (pkg/controller.v1/common/scheduling.go)', () => {
  test('scheduler name: volcano in any case, anything else is scheduler-plugins', () => {
    assert.equal(gangSchedulerFor('Volcano'), volcano);
    const plugins = gangSchedulerFor('scheduler-plugins-scheduler')!;
    assert.deepEqual(plugins.podGroupType, { apiVersion: 'scheduling.x-k8s.io/v1alpha1', kind: 'PodGroup' });
    assert.equal(plugins.podGroupCrd, 'podgroups.scheduling.x-k8s.io');
    assert.equal(
      plugins.podDecoration(withDefaults(job().obj()), 'Worker').schedulerName,
      'scheduler-plugins-scheduler',
    );
    assert.equal(volcano.podGroupCrd, 'podgroups.scheduling.volcano.sh');
    assert.equal(gangSchedulerFor(''), undefined);
    assert.equal(gangSchedulerFor(undefined), undefined);
  });

  test('Volcano holds pods until it admits the PodGroup; scheduler-plugins never does', () => {
    const group = (phase?: string) => ({
      apiVersion: 'scheduling.volcano.sh/v1beta1',
      kind: 'PodGroup',
      metadata: { name: 'gang' },
      ...(phase && { status: { phase } }),
    });
    assert.equal(volcano.podsWaitForPodGroup(undefined), true);
    assert.equal(volcano.podsWaitForPodGroup(group()), true);
    assert.equal(volcano.podsWaitForPodGroup(group('Pending')), true);
    assert.equal(volcano.podsWaitForPodGroup(group('Inqueue')), false);
    assert.equal(gangSchedulerFor('other')!.podsWaitForPodGroup(undefined), false);
  });

  test("Volcano's choice of queue is kept; scheduler-plugins changes nothing", () => {
    const desired = volcano.podGroup(withDefaults(job().obj()));
    const live = { ...desired, spec: { ...(desired.spec as object), queue: 'moved' } };
    assert.equal((volcano.keepSchedulerChanges(desired, live).spec as { queue: string }).queue, 'moved');
    assert.equal(
      (desired.spec as { queue: string }).queue,
      'default',
      'the desired object is left as it was',
    );
    const noQueue = { ...desired, spec: {} };
    assert.equal(volcano.keepSchedulerChanges(desired, noQueue), desired);
    assert.equal(gangSchedulerFor('other')!.keepSchedulerChanges(desired, live), desired);
  });

  test('Volcano PodGroup: minMember = all replicas, queue default, summed requests; pods annotated', () => {
    const objects = renderJob(job().obj(), { gangSchedulerName: 'volcano' });
    const group = find(objects, 'PodGroup', 'gang');
    assert.equal(group.apiVersion, 'scheduling.volcano.sh/v1beta1');
    assert.deepEqual(group.spec, {
      minMember: 3,
      queue: 'default',
      minResources: { cpu: '2', memory: '4Gi' },
    });
    const worker = pod(objects, 'gang-worker-1');
    assert.equal(worker.spec!.schedulerName, 'volcano');
    assert.deepEqual(worker.metadata!.annotations, {
      'scheduling.k8s.io/group-name': 'gang',
      'volcano.sh/task-spec': 'worker',
    });
    assert.equal(objects[0].kind, 'PodGroup');
  });

  test('scheduler-plugins PodGroup and pod label; a template scheduler is kept', () => {
    const built = job()
      .runPolicy({ schedulingPolicy: { minAvailable: 2, scheduleTimeoutSeconds: 30 } })
      .obj();
    (
      built.spec.pytorchReplicaSpecs as Record<string, { template: { spec: { schedulerName?: string } } }>
    ).Master.template.spec.schedulerName = 'mine';
    const objects = renderJob(built, { gangSchedulerName: 'scheduler-plugins' });
    const group = find(objects, 'PodGroup', 'gang');
    assert.equal(group.apiVersion, 'scheduling.x-k8s.io/v1alpha1');
    assert.deepEqual(group.spec, {
      minMember: 2,
      minResources: { cpu: '1500m', memory: '3Gi' },
      scheduleTimeoutSeconds: 30,
    });
    assert.equal(pod(objects, 'gang-worker-0').spec!.schedulerName, 'scheduler-plugins');
    assert.equal(pod(objects, 'gang-worker-0').metadata!.labels!['scheduling.x-k8s.io/pod-group'], 'gang');
    assert.equal(pod(objects, 'gang-master-0').spec!.schedulerName, 'mine');
  });

  test('explicit minResources, queue and priority class win', () => {
    const built = job()
      .runPolicy({ schedulingPolicy: { queue: 'q', priorityClass: 'high', minResources: { cpu: '8' } } })
      .obj();
    assert.deepEqual(find(renderJob(built, { gangSchedulerName: 'volcano' }), 'PodGroup', 'gang').spec, {
      minMember: 3,
      queue: 'q',
      priorityClassName: 'high',
      minResources: { cpu: '8' },
    });
  });

  test('limits stand in for missing requests; init containers do not count', () => {
    const built = makeJob('TFJob', 'l')
      .replicas('Worker', 2, { container: { resources: { limits: { 'nvidia.com/gpu': '1' } } } })
      .obj();
    assert.deepEqual(minResources(withDefaults(built)), { 'nvidia.com/gpu': '2' });
  });

  test('no gang scheduler, no PodGroup and no decoration', () => {
    const objects = renderJob(job().obj());
    assert.equal(
      objects.some((o) => o.kind === 'PodGroup'),
      false,
    );
    assert.equal(pod(objects, 'gang-worker-0').spec!.schedulerName, undefined);
  });
});

describe('resource quantities', () => {
  const sum = (...values: string[]) => formatQuantity(addQuantities(values.map(parseQuantity)));
  test('decimal and binary sums in canonical form', () => {
    assert.equal(sum('1', '500m'), '1500m');
    assert.equal(sum('500m', '500m'), '1');
    assert.equal(sum('512Mi', '512Mi'), '1Gi');
    assert.equal(sum('1500', '500'), '2k');
    assert.equal(sum('1e3'), '1k');
    assert.equal(sum('0.5', '0.25'), '750m');
    assert.equal(sum('1Gi', '1G'), '2073741824');
  });
  test('invalid quantities are refused', () => {
    assert.throws(() => parseQuantity('lots'), /invalid resource quantity "lots"/);
  });
});
