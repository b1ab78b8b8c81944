// Gang scheduling on the simulated cluster with a real coscheduler (scheduler-plugins' kube-scheduler with
// the Coscheduling plugin): a gang that cannot fit gets no pod bound at all, where a plain scheduler would
// bind those that fit; once the job is changed so that the gang fits, the same pods run to Succeeded.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import type { Job } from '../../src/api/types.ts';
import { DEFAULT_RENDER_OPTIONS } from '../../src/frameworks/framework.ts';
import {
  COSCHEDULER_NAME,
  COSCHEDULING_PERMIT_WAIT_SECONDS,
  FAKE_NODES,
  NODE_CAPACITY,
} from '../cluster/sim.ts';
import * as harness from '../integration/harness.ts';
import {
  createJob,
  getJob,
  hasCondition,
  patchJob,
  podsOf,
  sleep,
  startOperator,
  waitForObjects,
} from '../integration/operator.ts';
import { makeJob } from '../support/builders.ts';
import { finishing, runsToSucceeded } from './sim-jobs.ts';

async function gangNamespace(t: { after(fn: () => Promise<void>): void }, prefix: string): Promise<string> {
  const ns = await harness.namespace(prefix);
  const operator = await startOperator([ns], {
    render: { ...DEFAULT_RENDER_OPTIONS, gangSchedulerName: COSCHEDULER_NAME },
  });
  t.after(() => operator.stop());
  return ns;
}

/**
 * How long a gang may take to run once it fits: the coscheduler's cache of PodGroups can lag behind the
 * edit, and its pods then wait for the next flush of unschedulable pods (up to 30 s + 10 s, see sim.ts).
 */
const RESCHEDULE_MS = 90_000;

const isBound = (pod: V1Pod) => Boolean(pod.spec?.nodeName);
const scheduledCondition = (pod: V1Pod) => pod.status?.conditions?.find((c) => c.type === 'PodScheduled');

/**
 * The reference's check for an unschedulable gang (sdk e2e `verify_unschedulable_job_e2e`), made
 * stricter: three times 5 s apart — longer than the coscheduler holds a partial gang at Permit — the job
 * is Created and not Running, and none of its `pods` pods is bound to a node.
 */
async function staysUnscheduled(ns: string, name: string, pods: number): Promise<void> {
  assert.ok(3 * 5 > COSCHEDULING_PERMIT_WAIT_SECONDS);
  for (let check = 0; check < 3; check++) {
    await sleep(5_000);
    const job = await getJob(ns, 'PyTorchJob', name);
    assert.ok(hasCondition(job, 'Created'), JSON.stringify(job.status?.conditions));
    assert.equal(hasCondition(job, 'Running'), false, 'Running');
    const list = await podsOf(ns, name);
    assert.equal(list.length, pods);
    assert.deepEqual(
      list.filter(isBound).map((pod) => pod.metadata!.name),
      [],
      'pods bound to a node',
    );
  }
}

/** Every pod of the job goes to the coscheduler, which has looked at it and found the gang unschedulable. */
async function rejectedByCoscheduler(ns: string, name: string): Promise<void> {
  const pods = await podsOf(ns, name);
  for (const pod of pods) assert.equal(pod.spec!.schedulerName, COSCHEDULER_NAME);
  await harness.waitFor(
    async () => (await podsOf(ns, name)).some((pod) => scheduledCondition(pod)?.status === 'False'),
    30_000,
    'the coscheduler to report a pod unschedulable',
  );
}

/** The pods (and services) of a PyTorchJob with one master and `workers` workers. */
const podNames = (name: string, workers: number) => [
  `${name}-master-0`,
  ...Array.from({ length: workers }, (_, i) => `${name}-worker-${i}`),
];

/** Master 1 + Worker `workers`, each pod asking for `cpu`; the master finishes by itself once running. */
function pytorchGang(ns: string, name: string, workers: number, cpu: string): Job {
  const container = { resources: { requests: { cpu } } };
  const job = makeJob('PyTorchJob', name, ns)
    .replicas('Master', 1, { container })
    .replicas('Worker', workers, { container })
    .obj();
  return finishing(job, ['Master'], 'Succeeded');
}

describe('gang scheduling with the coscheduler', () => {
  test('a gang whose PodGroup needs more members than the job has stays unscheduled, then runs once minAvailable fits', async (t) => {
    const ns = await gangNamespace(t, 'e2e-gang-members');
    const job = pytorchGang(ns, 'gang', 1, '1');
    job.spec.runPolicy = { schedulingPolicy: { minAvailable: 10 } };
    await createJob(job, { schedulable: true });
    await waitForObjects(ns, 'gang', podNames('gang', 1));
    await rejectedByCoscheduler(ns, 'gang');
    await staysUnscheduled(ns, 'gang', 2);

    await patchJob(ns, 'PyTorchJob', 'gang', {
      spec: { runPolicy: { schedulingPolicy: { minAvailable: 2 } } },
    });
    await runsToSucceeded(ns, 'PyTorchJob', 'gang', RESCHEDULE_MS);
  });

  test('a gang that does not fit on the nodes gets no pod bound, though most of it would fit; scaled down, it runs', async (t) => {
    // A node holds one such pod; the gang (master + one worker per node) has one pod more than nodes.
    const cpu = String(Math.floor(Number(NODE_CAPACITY.cpu) / 2) + 4);
    const workers = FAKE_NODES.length;
    const ns = await gangNamespace(t, 'e2e-gang-fit');
    await createJob(pytorchGang(ns, 'big', workers, cpu), { schedulable: true });
    await waitForObjects(ns, 'big', podNames('big', workers));
    await rejectedByCoscheduler(ns, 'big');
    await staysUnscheduled(ns, 'big', workers + 1);

    const fits = { spec: { pytorchReplicaSpecs: { Worker: { replicas: workers - 1 } } } };
    await patchJob(ns, 'PyTorchJob', 'big', fits);
    const done = await runsToSucceeded(ns, 'PyTorchJob', 'big', RESCHEDULE_MS);
    assert.equal(done.status!.replicaStatuses!.Master.succeeded, 1);
  });
});
