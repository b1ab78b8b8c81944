// Gang scheduling against the real PodGroup CRDs of Volcano and scheduler-plugins, and the elastic
// PyTorch HPA: created, kept in sync with the job, removed when the job stops.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AutoscalingV2Api, CustomObjectsApi } from '@kubernetes/client-node';
import { DEFAULT_RENDER_OPTIONS } from '../../src/frameworks/framework.ts';
import { makeJob } from '../support/builders.ts';
import * as harness from './harness.ts';
import { createJob, hasCondition, patchJob, podsOf, startOperator, waitForJob } from './operator.ts';

const podGroups = {
  volcano: { group: 'scheduling.volcano.sh', version: 'v1beta1', plural: 'podgroups' },
  'scheduler-plugins': { group: 'scheduling.x-k8s.io', version: 'v1alpha1', plural: 'podgroups' },
};

interface PodGroup {
  metadata: { name: string; ownerReferences?: { kind: string; name: string; controller?: boolean }[] };
  spec: Record<string, unknown>;
}

async function podGroup(
  scheduler: keyof typeof podGroups,
  namespace: string,
  name: string,
): Promise<PodGroup | undefined> {
  return (await harness
    .client(CustomObjectsApi)
    .getNamespacedCustomObject({ ...podGroups[scheduler], namespace, name })
    .catch(() => undefined)) as PodGroup | undefined;
}

/** Volcano's PodGroup CRD has no status subresource: the scheduler writes status on the object itself. */
async function setPodGroupPhase(namespace: string, name: string, phase: string): Promise<void> {
  const patch = JSON.stringify({ status: { phase } });
  await harness.kubectl([
    'patch',
    'podgroup.scheduling.volcano.sh',
    name,
    '-n',
    namespace,
    '--type=merge',
    '-p',
    patch,
  ]);
}

const resources = { resources: { requests: { cpu: '1', memory: '1Gi' } } };
const gangJob = (namespace: string) =>
  makeJob('PyTorchJob', 'gang', namespace)
    .replicas('Master', 1, { container: resources })
    .replicas('Worker', 2, { container: resources });

describe('gang scheduling', () => {
  test('Volcano: the PodGroup comes first, pods wait until it leaves Pending, then carry the group', async (t) => {
    const namespace = await harness.namespace('volcano');
    const operator = await startOperator([namespace], {
      render: { ...DEFAULT_RENDER_OPTIONS, gangSchedulerName: 'volcano' },
    });
    t.after(() => operator.stop());
    await createJob(gangJob(namespace).obj());
    const group = await harness.waitFor(() => podGroup('volcano', namespace, 'gang'), 15_000, 'the PodGroup');
    assert.deepEqual(group.spec, {
      minMember: 3,
      queue: 'default',
      minResources: { cpu: '3', memory: '3Gi' },
    });
    assert.equal(group.metadata.ownerReferences?.[0].name, 'gang');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.deepEqual(await podsOf(namespace, 'gang'), [], 'no pods while the PodGroup is Pending');

    await setPodGroupPhase(namespace, 'gang', 'Inqueue');
    const pods = await harness.waitFor(
      async () => {
        const list = await podsOf(namespace, 'gang');
        return list.length === 3 && list;
      },
      15_000,
      'pods once the PodGroup is admitted',
    );
    for (const pod of pods) {
      assert.equal(pod.spec!.schedulerName, 'volcano');
      assert.equal(pod.metadata!.annotations!['scheduling.k8s.io/group-name'], 'gang');
    }

    await patchJob(namespace, 'PyTorchJob', 'gang', {
      spec: { runPolicy: { schedulingPolicy: { minAvailable: 2 } } },
    });
    await harness.waitFor(
      async () => (await podGroup('volcano', namespace, 'gang'))?.spec.minMember === 2,
      15_000,
      'minMember to follow the job',
    );

    await patchJob(namespace, 'PyTorchJob', 'gang', { spec: { runPolicy: { suspend: true } } });
    await harness.waitFor(
      async () => !(await podGroup('volcano', namespace, 'gang')),
      15_000,
      'the PodGroup deleted on suspend',
    );
  });

  test('scheduler-plugins: PodGroup with the schedule timeout, pods labelled and sent to its scheduler, removed on finish', async (t) => {
    const namespace = await harness.namespace('coscheduling');
    const operator = await startOperator([namespace], {
      render: { ...DEFAULT_RENDER_OPTIONS, gangSchedulerName: 'scheduler-plugins-scheduler' },
    });
    t.after(() => operator.stop());
    await createJob(
      gangJob(namespace)
        .runPolicy({ schedulingPolicy: { scheduleTimeoutSeconds: 60 } })
        .obj(),
    );
    const group = await harness.waitFor(
      () => podGroup('scheduler-plugins', namespace, 'gang'),
      15_000,
      'the PodGroup',
    );
    assert.deepEqual(group.spec, {
      minMember: 3,
      minResources: { cpu: '3', memory: '3Gi' },
      scheduleTimeoutSeconds: 60,
    });
    const pods = await harness.waitFor(
      async () => {
        const list = await podsOf(namespace, 'gang');
        return list.length === 3 && list;
      },
      15_000,
      'pods (scheduler-plugins never holds them back)',
    );
    for (const pod of pods) {
      assert.equal(pod.spec!.schedulerName, 'scheduler-plugins-scheduler');
      assert.equal(pod.metadata!.labels!['scheduling.x-k8s.io/pod-group'], 'gang');
    }
    await harness.setPodPhase(namespace, 'gang-master-0', 'Succeeded');
    await waitForJob(namespace, 'PyTorchJob', 'gang', (job) => hasCondition(job, 'Succeeded'), 'Succeeded');
    await harness.waitFor(
      async () => !(await podGroup('scheduler-plugins', namespace, 'gang')),
      15_000,
      'the PodGroup deleted on finish',
    );
  });
});

describe('PyTorch elastic', () => {
  test('metrics create an autoscaling/v2 HPA on the job; suspending deletes it', async (t) => {
    const namespace = await harness.namespace('elastic');
    const operator = await startOperator([namespace]);
    t.after(() => operator.stop());
    const metrics = [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
      },
    ];
    await createJob(
      makeJob('PyTorchJob', 'elastic', namespace)
        .replicas('Worker', 2)
        .spec({ elasticPolicy: { rdzvBackend: 'c10d', minReplicas: 1, maxReplicas: 4, metrics } })
        .obj(),
    );
    const hpas = harness.client(AutoscalingV2Api);
    const hpa = await harness.waitFor(
      () => hpas.readNamespacedHorizontalPodAutoscaler({ name: 'elastic', namespace }).catch(() => undefined),
      15_000,
      'the HPA',
    );
    assert.deepEqual(JSON.parse(JSON.stringify(hpa.spec)), {
      scaleTargetRef: { apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', name: 'elastic' },
      minReplicas: 1,
      maxReplicas: 4,
      metrics,
    });
    await patchJob(namespace, 'PyTorchJob', 'elastic', { spec: { elasticPolicy: { maxReplicas: 6 } } });
    await harness.waitFor(
      async () =>
        (await hpas.readNamespacedHorizontalPodAutoscaler({ name: 'elastic', namespace })).spec!
          .maxReplicas === 6,
      15_000,
      'maxReplicas to follow',
    );
    await patchJob(namespace, 'PyTorchJob', 'elastic', { spec: { runPolicy: { suspend: true } } });
    await harness.waitFor(
      async () =>
        !(await hpas
          .readNamespacedHorizontalPodAutoscaler({ name: 'elastic', namespace })
          .catch(() => undefined)),
      15_000,
      'the HPA deleted on suspend',
    );
  });
});
