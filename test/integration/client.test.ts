// The TypeScript client (src/client) against the real API server, with the operator in process and pods
// driven by setPodPhase; logs through the API server's pods/log from a fake kubelet.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { PyTorchJob } from '../../generated/kubeflow.org/v1/index.ts';
import type { Job } from '../../src/api/types.ts';
import {
  ConflictError,
  InvalidError,
  JobFailedError,
  NotFoundError,
  TrainingClient,
  WaitTimeoutError,
  type JobProgress,
  type LogLine,
  type TrainingJob,
} from '../../src/client/index.ts';
import { loadKubeConfig } from '../../src/kube/config.ts';
import { makeJob } from '../support/builders.ts';
import { startFakeKubelet, type FakeKubelet } from './fake-kubelet.ts';
import * as harness from './harness.ts';
import { operatorNamespace, setPhases, waitForObjects } from './operator.ts';

const asTraining = (job: Job) => job as unknown as TrainingJob;
const pytorch = (ns: string, name: string, workers = 2) =>
  makeJob('PyTorchJob', name, ns)
    .replicas('Master', 1)
    .replicas('Worker', workers)
    .obj() as unknown as PyTorchJob;

let client: TrainingClient;

before(async () => {
  client = await TrainingClient.connect({ kubeconfig: harness.cluster().kubeconfigPath });
});
after(() => client.close());

describe('TrainingClient', () => {
  test('create, get, find, list, conditions; 404, 409 and 422 as typed errors naming the job and fields', async (t) => {
    const { ns } = await operatorNamespace(t, 'client-crud');
    const created = await client.create(pytorch(ns, 'mnist'));
    assert.equal(created.metadata?.namespace, ns);
    assert.ok(created.metadata?.uid);

    const ref = { kind: 'PyTorchJob', name: 'mnist', namespace: ns } as const;
    await harness.waitFor(() => client.isCreated(ref), 10_000, 'Created');
    assert.equal((await client.get(ref)).spec.pytorchReplicaSpecs.Worker.replicas, 2);
    assert.equal((await client.find('mnist', ns)).kind, 'PyTorchJob');
    assert.deepEqual(
      (await client.conditions(ref)).map((c) => c.type),
      ['Created'],
    );
    assert.equal(await client.isRunning(ref), false);
    assert.deepEqual(
      (await client.list(undefined, { namespace: ns })).map((job) => `${job.kind}/${job.metadata?.name}`),
      ['PyTorchJob/mnist'],
    );
    assert.deepEqual(await client.list('TFJob', { namespace: ns }), []);
    assert.ok(
      (await client.list('PyTorchJob', { allNamespaces: true })).some((j) => j.metadata?.namespace === ns),
    );

    await assert.rejects(client.get({ ...ref, name: 'nope' }), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.equal(err.message, `PyTorchJob "nope" in namespace "${ns}" not found`);
      return true;
    });
    await assert.rejects(client.find('nope', ns), /no job named "nope" in namespace/);
    await assert.rejects(client.create(pytorch(ns, 'mnist')), (err: unknown) => {
      assert.ok(err instanceof ConflictError);
      assert.equal(err.reason, 'AlreadyExists');
      assert.equal(err.message, `PyTorchJob "mnist" in namespace "${ns}" already exists`);
      return true;
    });
    const invalid = pytorch(ns, 'bad');
    invalid.spec.pytorchReplicaSpecs.Worker.replicas = -1;
    await assert.rejects(client.create(invalid), (err: unknown) => {
      assert.ok(err instanceof InvalidError, String(err));
      assert.equal(err.code, 422);
      const cause = err.causes.find((c) => c.field?.includes('Worker'));
      assert.ok(cause, JSON.stringify(err.causes));
      assert.match(
        err.message,
        /PyTorchJob "bad" in namespace ".*" is invalid:\n {2}spec\.pytorchReplicaSpecs/,
      );
      return true;
    });

    const stale = await client.get(ref);
    await client.patch(ref, { metadata: { labels: { team: 'a' } } });
    await assert.rejects(
      client.update(stale),
      (err: unknown) => err instanceof ConflictError && err.reason === 'Conflict',
    );
    const fresh = await client.get(ref);
    fresh.metadata!.labels = { ...fresh.metadata!.labels, team: 'b' };
    assert.equal((await client.update(fresh)).metadata?.labels?.team, 'b');
  });

  test('a client without a namespace uses the context’s, and --context selects another context', async () => {
    const ns = await harness.namespace('client-context');
    const { kubeconfigPath } = harness.cluster();
    const { mkdtempSync, writeFileSync, readFileSync } = await import('node:fs');
    const { parse, stringify } = await import('yaml');
    const doc = parse(readFileSync(kubeconfigPath, 'utf8')) as {
      contexts: { name: string; context: Record<string, string> }[];
    };
    const base = doc.contexts[0];
    doc.contexts.push({ name: 'team', context: { ...base.context, namespace: ns } });
    const file = `${mkdtempSync('/tmp/client-kubeconfig-')}/config`;
    writeFileSync(file, stringify(doc));
    assert.equal(loadKubeConfig({ kubeconfig: file }).namespace, undefined);
    const team = await TrainingClient.connect({ kubeconfig: file, context: 'team' });
    try {
      assert.equal(team.namespace, ns);
      // No namespace in the job: the context's.
      await team.create({ ...pytorch(ns, 'ctx'), metadata: { name: 'ctx' } });
      assert.equal(
        (await client.get({ kind: 'PyTorchJob', name: 'ctx', namespace: ns })).metadata?.name,
        'ctx',
      );
    } finally {
      team.close();
    }
    assert.throws(
      () => loadKubeConfig({ kubeconfig: file, context: 'nope' }),
      /context "nope" does not exist/,
    );
  });

  test('waitFor: watch-based, progress per replica type, Succeeded; pods by type, index and master', async (t) => {
    const { ns } = await operatorNamespace(t, 'client-wait');
    await client.create(pytorch(ns, 'train'));
    const ref = { kind: 'PyTorchJob', name: 'train', namespace: ns } as const;
    const names = ['train-master-0', 'train-worker-0', 'train-worker-1'];
    await waitForObjects(ns, 'train', names);

    const seen: JobProgress[] = [];
    const waiting = client.waitFor(ref, {
      for: ['Succeeded'],
      timeoutMs: 30_000,
      onProgress: (p) => seen.push(p),
    });
    await setPhases(ns, names, 'Running');
    await harness.waitFor(
      () => seen.some((p) => p.state === 'Running' && p.replicas[1].active === 2),
      10_000,
      'Running progress',
    );
    await setPhases(ns, names, 'Succeeded');
    const done = await waiting;
    assert.equal(done.status?.conditions?.at(-1)?.type, 'Succeeded');
    const running = seen.find((p) => p.state === 'Running' && p.replicas[1].active === 2)!;
    assert.deepEqual(running.replicas, [
      { type: 'Master', total: 1, active: 1, succeeded: 0, failed: 0 },
      { type: 'Worker', total: 2, active: 2, succeeded: 0, failed: 0 },
    ]);
    assert.equal(seen.at(-1)!.state, 'Succeeded');
    // Each report differs from the one before: the callback hears changes, not every watch event.
    for (let i = 1; i < seen.length; i++) {
      assert.notDeepEqual([seen[i].state, seen[i].replicas], [seen[i - 1].state, seen[i - 1].replicas]);
    }
    // Already true: resolves at once.
    assert.equal((await client.waitFor(ref, { for: ['Created'], timeoutMs: 5_000 })).metadata?.name, 'train');

    const podNames = async (filter: object) =>
      (await client.pods(ref, filter)).map((pod) => pod.metadata?.name);
    assert.deepEqual(await podNames({}), names);
    assert.deepEqual(await podNames({ replicaType: 'worker' }), ['train-worker-0', 'train-worker-1']);
    assert.deepEqual(await podNames({ replicaType: 'Worker', index: 1 }), ['train-worker-1']);
    assert.deepEqual(await podNames({ master: true }), ['train-master-0']);
  });

  test('waitFor rejects: the job failed, the time ran out, the job was deleted', async (t) => {
    const { ns } = await operatorNamespace(t, 'client-wait-fail');
    const job = makeJob('PyTorchJob', 'crash', ns).replicas('Worker', 1, { restartPolicy: 'Never' }).obj();
    await client.create(asTraining(job));
    const ref = { kind: 'PyTorchJob', name: 'crash', namespace: ns } as const;
    await waitForObjects(ns, 'crash', ['crash-worker-0']);
    await harness.waitFor(() => client.isCreated(ref), 10_000, 'Created');

    await assert.rejects(client.waitFor(ref, { for: ['Running'], timeoutMs: 500 }), (err: unknown) => {
      assert.ok(err instanceof WaitTimeoutError);
      assert.match(err.message, /timed out after 500ms waiting for Running \(state: Created\)/);
      return true;
    });

    // The rejection is expected before setPhases returns: its handler is attached first.
    const failing = assert.rejects(client.waitFor(ref, { timeoutMs: 30_000 }), (err: unknown) => {
      assert.ok(err instanceof JobFailedError);
      assert.equal(err.condition.reason, 'PyTorchJobFailed');
      assert.match(err.message, /PyTorchJob "crash" in namespace ".*" failed: PyTorchJobFailed: /);
      return true;
    });
    await setPhases(ns, ['crash-worker-0'], 'Failed', 2);
    await failing;
    // Waiting for Failed itself succeeds.
    assert.ok(await client.isFailed(ref));
    await client.waitFor(ref, { for: ['Failed'], timeoutMs: 5_000 });

    await client.create(pytorch(ns, 'gone'));
    const gone = { kind: 'PyTorchJob', name: 'gone', namespace: ns } as const;
    // Deleted only once the wait has seen the job, so that it is deleted during the wait.
    let seen!: () => void;
    const watching = new Promise<void>((resolve) => (seen = resolve));
    const deleted = assert.rejects(
      client.waitFor(gone, { timeoutMs: 30_000, onProgress: () => seen() }),
      /PyTorchJob "gone" in namespace ".*" was deleted/,
    );
    await watching;
    await client.delete(gone, { wait: true, timeoutMs: 10_000 });
    await deleted;
    await assert.rejects(client.delete(gone), NotFoundError);
  });

  describe('logs, through the API server from a fake kubelet', () => {
    let kubelet: FakeKubelet;
    before(async () => {
      kubelet = await startFakeKubelet();
    });
    after(() => kubelet.stop());

    test('one rank, every rank in rank order, and follow: interleaved as lines come, ending when the pods finish', async (t) => {
      const { ns } = await operatorNamespace(t, 'client-logs');
      await client.create(pytorch(ns, 'talk'));
      const ref = { kind: 'PyTorchJob', name: 'talk', namespace: ns } as const;
      const names = ['talk-master-0', 'talk-worker-0', 'talk-worker-1'];
      await waitForObjects(ns, 'talk', names);
      for (const pod of names) await kubelet.bind(ns, pod);
      await setPhases(ns, names, 'Running');
      for (const pod of names) kubelet.write(ns, pod, 'pytorch', `${pod} starts`);

      const collect = async (lines: AsyncIterable<LogLine>) => {
        const out: string[] = [];
        for await (const line of lines)
          out.push(`${line.pod} ${line.replicaType}/${line.index}: ${line.text}`);
        return out;
      };
      assert.deepEqual(await collect(client.logs(ref, { master: true })), [
        'talk-master-0 master/0: talk-master-0 starts',
      ]);
      assert.deepEqual(await collect(client.logs(ref, { replicaType: 'Worker' })), [
        'talk-worker-0 worker/0: talk-worker-0 starts',
        'talk-worker-1 worker/1: talk-worker-1 starts',
      ]);
      assert.ok(kubelet.requests.some((r) => r.startsWith(`${ns}/talk-master-0/pytorch`)));

      const followed: string[] = [];
      const following = (async () => {
        for await (const line of client.logs(ref, { follow: true }))
          followed.push(`${line.pod}: ${line.text}`);
      })();
      await harness.waitFor(() => followed.length === 3, 10_000, 'the lines so far');
      // Pods' streams are independent: each line is awaited before the next, so their order is known.
      kubelet.write(ns, 'talk-worker-1', 'pytorch', 'step 1');
      await harness.waitFor(() => followed.length === 4, 10_000, 'a new line as it comes');
      kubelet.write(ns, 'talk-master-0', 'pytorch', 'step 1');
      await harness.waitFor(() => followed.length === 5, 10_000, 'a line of another pod');
      assert.deepEqual(followed.slice(3), ['talk-worker-1: step 1', 'talk-master-0: step 1']);
      for (const pod of names) {
        kubelet.write(ns, pod, 'pytorch', 'done');
        kubelet.end(ns, pod, 'pytorch');
      }
      await setPhases(ns, names, 'Succeeded');
      await following;
      assert.equal(followed.filter((line) => line.endsWith(': done')).length, 3);
    });
  });
});
