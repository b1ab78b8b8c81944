// Objects the API server refuses (docs/operator.md, "Status"): every job shows Created and a
// ReplicaFailure condition naming the refused object with the API server's message; an invalid object
// fails the job and its pods go; a ResourceQuota or LimitRange refusal is retried at most 30 s apart,
// without a write loop, and passes once the quota is raised. A good job alongside is unaffected. A
// delete a ValidatingAdmissionPolicy refuses shows as FailedDelete until the policy goes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1Container,
} from '@kubernetes/client-node';
import type { Job } from '../../src/api/types.ts';
import { makeJob } from '../support/builders.ts';
import * as harness from './harness.ts';
import {
  createJob,
  getJob,
  hasCondition,
  namesOf,
  patchJob,
  podsOf,
  servicesOf,
  settle,
  sleep,
  startOperator,
  waitForEvent,
  waitForObjects,
} from './operator.ts';

/** A PyTorchJob of one Master (and one Worker with `worker`) whose containers the callbacks may change. */
function job(
  name: string,
  ns: string,
  options: {
    worker?: boolean;
    masterContainers?: (c: V1Container[]) => void;
    workerContainers?: (c: V1Container[]) => void;
  },
): Job {
  const builder = makeJob('PyTorchJob', name, ns).replicas('Master', 1);
  if (options.worker) builder.replicas('Worker', 1);
  const built = builder.obj();
  const specs = built.spec.pytorchReplicaSpecs;
  options.masterContainers?.(specs.Master.template!.spec!.containers);
  if (specs.Worker) options.workerContainers?.(specs.Worker.template!.spec!.containers);
  return built;
}

const replicaFailure = (j: Job) => j.status?.conditions?.find((c) => c.type === 'ReplicaFailure');

interface Case {
  name: string;
  ns: string;
  /** The refused object and what the API server says about it. */
  refused: RegExp;
  permanent: boolean;
}

test('refused objects: truthful status, no write loop, retried once the quota is raised', async (t) => {
  const ns = await harness.namespace('refused');
  const quotaNs = await harness.namespace('refused-quota');
  const limitNs = await harness.namespace('refused-limit');
  const core = harness.client(CoreV1Api);

  // No kube-controller-manager here: the quota's status, which admission reads, is set by hand.
  await core.createNamespacedResourceQuota({
    namespace: quotaNs,
    body: { metadata: { name: 'pods' }, spec: { hard: { pods: '1' } } },
  });
  const setQuota = async (pods: string, used?: string) => {
    await core.patchNamespacedResourceQuota(
      { name: 'pods', namespace: quotaNs, body: { spec: { hard: { pods } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await core.patchNamespacedResourceQuotaStatus(
      {
        name: 'pods',
        namespace: quotaNs,
        body: { status: { hard: { pods }, ...(used && { used: { pods: used } }) } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  };
  await setQuota('1', '0');
  await core.createNamespacedLimitRange({
    namespace: limitNs,
    body: { metadata: { name: 'cpu' }, spec: { limits: [{ type: 'Container', max: { cpu: '1' } }] } },
  });

  const operator = await startOperator([ns, quotaNs, limitNs]);
  t.after(() => operator.stop());

  const cases: Case[] = [
    {
      name: 'bad-container',
      ns,
      refused:
        /^Pod "bad-container-master-0" is invalid: spec\.containers\[1\]\.name: Invalid value: "Side_Car"/,
      permanent: true,
    },
    {
      name: 'pull-policy',
      ns,
      refused:
        /^Pod "pull-policy-master-0" is invalid: spec\.containers\[0\]\.imagePullPolicy: Unsupported value: "Sometimes"/,
      permanent: true,
    },
    {
      name: 'no-volume',
      ns,
      refused:
        /^Pod "no-volume-master-0" is invalid: spec\.containers\[0\]\.volumeMounts\[0\]\.name: Not found: "data"/,
      permanent: true,
    },
    {
      name: 'quota',
      ns: quotaNs,
      refused:
        /^pods "quota-(master|worker)-0" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=1, limited: pods=1$/,
      permanent: false,
    },
    {
      name: 'limit',
      ns: limitNs,
      refused: /^pods "limit-worker-0" is forbidden: maximum cpu usage per Container is 1, but limit is 2$/,
      permanent: false,
    },
  ];
  const jobs: Record<string, Job> = {
    'bad-container': job('bad-container', ns, {
      masterContainers: (c) => c.push({ name: 'Side_Car', image: 'example.com/side:1' }),
    }),
    'pull-policy': job('pull-policy', ns, {
      masterContainers: (c) => (c[0].imagePullPolicy = 'Sometimes'),
    }),
    'no-volume': job('no-volume', ns, {
      masterContainers: (c) => (c[0].volumeMounts = [{ name: 'data', mountPath: '/data' }]),
    }),
    quota: job('quota', quotaNs, { worker: true }),
    limit: job('limit', limitNs, {
      worker: true,
      masterContainers: (c) => (c[0].resources = { limits: { cpu: '500m' } }),
      workerContainers: (c) => (c[0].resources = { limits: { cpu: '2' } }),
    }),
  };

  const started = Date.now();
  await createJob(job('good', ns, { worker: true }));
  for (const c of cases) await createJob(jobs[c.name]);

  // Within 10 s: Created and ReplicaFailure naming the object; invalid objects also fail the job.
  for (const c of cases) {
    const stored = await harness.waitFor(
      async () => {
        const j = await getJob(c.ns, 'PyTorchJob', c.name);
        return hasCondition(j, 'Created') && replicaFailure(j) && j;
      },
      Math.max(1, 10_000 - (Date.now() - started)),
      `${c.name}: Created and ReplicaFailure`,
    );
    const failure = replicaFailure(stored)!;
    assert.equal(failure.status, 'True');
    assert.equal(failure.reason, 'FailedCreate');
    assert.match(failure.message!, c.refused, c.name);
    assert.equal(hasCondition(stored, 'Failed'), c.permanent, `${c.name}: Failed`);
    assert.equal(stored.status!.conditions!.at(-1)!.type, c.permanent ? 'Failed' : 'Created', c.name);
  }
  await waitForObjects(ns, 'good', ['good-master-0', 'good-worker-0']);
  await waitForEvent(quotaNs, 'PyTorchJob', 'quota', 'FailedCreatePod');

  // A failed job's pods and services go; a job refused for now keeps what it has.
  for (const c of cases.filter((x) => x.permanent)) {
    await harness.waitFor(
      async () => (await podsOf(ns, c.name)).length + (await servicesOf(ns, c.name)).length === 0,
      10_000,
      `${c.name}: pods and services deleted`,
    );
  }
  assert.equal((await podsOf(quotaNs, 'quota')).length, 1);
  assert.deepEqual(namesOf(await podsOf(limitNs, 'limit')), ['limit-master-0']);

  // With every refusal standing: fewer than 20 writes in 30 s, all jobs together.
  await settle(operator);
  operator.client.requests.reset();
  await sleep(30_000);
  const writes = operator.client.requests.writes();
  t.diagnostic(
    `writes in 30 s while refused: ${writes} ${JSON.stringify(operator.client.requests.snapshot())}`,
  );
  assert.ok(writes < 20, `writes: ${JSON.stringify(operator.client.requests.snapshot())}`);
  for (const c of cases) {
    assert.ok(replicaFailure(await getJob(c.ns, 'PyTorchJob', c.name)), `${c.name}: still ReplicaFailure`);
  }

  // The quota is raised and the LimitRange allows more: the pods come at the next retry, at most 30 s
  // away (40 s allowed for a loaded machine), and the condition goes.
  await setQuota('5');
  await core.replaceNamespacedLimitRange({
    name: 'cpu',
    namespace: limitNs,
    body: { metadata: { name: 'cpu' }, spec: { limits: [{ type: 'Container', max: { cpu: '4' } }] } },
  });
  const raised = Date.now();
  await waitForObjects(quotaNs, 'quota', ['quota-master-0', 'quota-worker-0'], undefined, 40_000);
  await waitForObjects(limitNs, 'limit', ['limit-master-0', 'limit-worker-0'], undefined, 40_000);
  for (const [name, namespace] of [
    ['quota', quotaNs],
    ['limit', limitNs],
  ]) {
    await harness.waitFor(
      async () => !replicaFailure(await getJob(namespace, 'PyTorchJob', name)),
      5_000,
      `${name}: ReplicaFailure removed`,
    );
  }
  t.diagnostic(`pods after the quota was raised: ${Date.now() - raised} ms`);
});

test('a refused delete: FailedDelete while a policy forbids it, the State column still Suspended, then gone', async (t) => {
  const ns = await harness.namespace('refused-delete');
  const policy = `deny-pod-delete-${ns}`;
  const admission = harness.client(AdmissionregistrationV1Api);
  await admission.createValidatingAdmissionPolicy({
    body: {
      metadata: { name: policy },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            { apiGroups: [''], apiVersions: ['v1'], operations: ['DELETE'], resources: ['pods'] },
          ],
        },
        validations: [{ expression: 'false', message: 'pods here are not deleted' }],
      },
    },
  });
  await admission.createValidatingAdmissionPolicyBinding({
    body: {
      metadata: { name: policy },
      spec: {
        policyName: policy,
        validationActions: ['Deny'],
        matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } },
      },
    },
  });
  const removePolicy = async () => {
    await admission.deleteValidatingAdmissionPolicyBinding({ name: policy }).catch(() => undefined);
    await admission.deleteValidatingAdmissionPolicy({ name: policy }).catch(() => undefined);
  };
  t.after(removePolicy);
  const operator = await startOperator([ns]);
  t.after(() => operator.stop());

  await createJob(job('held', ns, {}));
  await waitForObjects(ns, 'held', ['held-master-0']);
  // The API server loads policies through an informer of its own: wait until a dry-run delete is denied.
  const core = harness.client(CoreV1Api);
  await harness.waitFor(
    () =>
      core.deleteNamespacedPod({ name: 'held-master-0', namespace: ns, dryRun: 'All' }).then(
        () => false,
        (error: unknown) => /pods here are not deleted/.test(String(error)),
      ),
    15_000,
    'the policy in effect',
  );
  await patchJob(ns, 'PyTorchJob', 'held', { spec: { runPolicy: { suspend: true } } });
  const refused = await harness.waitFor(
    async () => {
      const j = await getJob(ns, 'PyTorchJob', 'held');
      return replicaFailure(j) && j;
    },
    15_000,
    'FailedDelete',
  );
  assert.deepEqual(
    refused.status!.conditions!.map((c) => `${c.type}=${c.status}:${c.reason}`),
    [
      'Created=True:PyTorchJobCreated',
      'ReplicaFailure=True:FailedDelete',
      'Suspended=True:PyTorchJobSuspended',
    ],
  );
  assert.match(
    replicaFailure(refused)!.message!,
    /^pods "held-master-0" is forbidden: .*pods here are not deleted/,
  );

  await removePolicy();
  await waitForObjects(ns, 'held', [], [], 40_000);
  await harness.waitFor(
    async () => !replicaFailure(await getJob(ns, 'PyTorchJob', 'held')),
    5_000,
    'ReplicaFailure removed',
  );
});
