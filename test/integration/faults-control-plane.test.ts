// Faults of the control plane under a running operator process: kube-apiserver killed and restarted,
// etcd paused, a leader-elected pair through a 15 s API server outage, and a refused list. The file
// runs a control plane of its own (harness.ownCluster), since it takes it down. Each outage test
// reports (t.diagnostic) how long after the API server answered again a job created then had its pods:
// the figures docs/operator.md quotes. The bounds asserted are generous; the targets are 5 s (one
// operator) and 10 s (a leader-elected pair, which must first win the lease again).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiException, CoordinationV1Api } from '@kubernetes/client-node';
import YAML from 'yaml';
import type { Job } from '../../src/api/types.ts';
import { KubeClient } from '../../src/kube/client.ts';
import { loadKubeConfig } from '../../src/kube/config.ts';
import { LeaderElector } from '../../src/manager/leader.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { killComponent, pauseComponent, restartComponent } from '../cluster/control-plane.ts';
import { makeJob } from '../support/builders.ts';
import {
  isLeading,
  logged,
  printLogs,
  readyz,
  startOperatorProcess,
  waitReady,
  type OperatorProcess,
} from './faults.ts';
import * as harness from './harness.ts';
import { createJob, podsOf, servicesOf, sleep, waitForObjects } from './operator.ts';

let cluster: { dir: string; stop: () => Promise<void> } | undefined;
before(async () => void (cluster = await harness.ownCluster()), { timeout: 180_000 });
after(() => cluster?.stop());

const dir = () => cluster!.dir;
const twoPods = (name: string, ns: string) =>
  makeJob('PyTorchJob', name, ns).replicas('Master', 1).replicas('Worker', 1).obj();
const objectNames = (name: string) => [`${name}-master-0`, `${name}-worker-0`];

/** Creates the job as soon as the API server serves the kind again (its CRD handlers start last). */
async function createWhenServed(job: Job): Promise<void> {
  await harness.waitFor(
    () =>
      createJob(job).then(
        () => true,
        (error: unknown) => {
          if (error instanceof ApiException && error.code === 409) return true;
          throw error;
        },
      ),
    90_000,
    `create ${job.metadata.name}`,
  );
}

/**
 * Restarts kube-apiserver and creates a job named `after` from the moment it answers. Until its /readyz
 * passes it refuses most requests (503 while its paths are installed, 429 while its watch caches fill),
 * which is time no client can save: returns the seconds from /readyz passing to the job's pods and
 * services, and reports every step from its first answer.
 */
async function restartThenCreate(t: { diagnostic(message: string): void }, ns: string): Promise<number> {
  const restarted = restartComponent(dir(), 'kube-apiserver');
  const created = createWhenServed(twoPods('after', ns)).then(() => Date.now());
  const { answered, healthy } = await restarted;
  const createdAt = await created;
  await waitForObjects(ns, 'after', objectNames('after'), undefined, 60_000);
  const since = (time: number) => ((time - answered) / 1000).toFixed(1);
  t.diagnostic(
    `kube-apiserver answered again at 0 s; job created at ${since(createdAt)} s; /readyz ok at ` +
      `${since(healthy)} s; its pods and services at ${since(Date.now())} s`,
  );
  return (Date.now() - healthy) / 1000;
}

async function uidsIn(ns: string): Promise<string[]> {
  const uids = async (name: string) => [
    ...(await podsOf(ns, name)).map((pod) => `pod ${pod.metadata!.name}@${pod.metadata!.uid}`),
    ...(await servicesOf(ns, name)).map((svc) => `service ${svc.metadata!.name}@${svc.metadata!.uid}`),
  ];
  return (await Promise.all(['before', 'after'].map(uids))).flat().sort();
}

function assertRunning(...operators: OperatorProcess[]): void {
  for (const operator of operators)
    assert.equal(operator.exit, undefined, `${operator.identity} exited:\n${printLogs(operator)}`);
}

describe('faults of the control plane', { timeout: 600_000 }, () => {
  test('kube-apiserver killed and restarted: the operator reconnects by itself, a job created then gets its pods', async (t) => {
    const ns = await harness.namespace('apiserver-restart');
    const operator = await startOperatorProcess(t, { namespace: ns });
    await waitReady(operator);
    await createJob(twoPods('before', ns));
    await waitForObjects(ns, 'before', objectNames('before'));

    await killComponent(dir(), 'kube-apiserver');
    await harness.waitFor(
      () => logged(operator, 'cannot list or watch; retrying').length > 0,
      15_000,
      'the operator to log the outage',
    );
    await sleep(5_000);
    const seconds = await restartThenCreate(t, ns);
    assert.ok(seconds < 10, `pods ${seconds} s after /readyz passed`);

    assertRunning(operator);
    await harness.waitFor(
      () => logged(operator, 'listing and watching again').length > 0,
      10_000,
      'the operator to log the recovery',
    );
    const outage = logged(operator, 'cannot list or watch; retrying')[0];
    assert.match(String(outage.informer), new RegExp(`in namespace ${ns}$`));
    assert.equal(outage.level, 40);
    assert.equal((await readyz(operator)).status, 200);
  });

  test('etcd paused for 10 s: the operator recovers by itself, a job created afterwards gets its pods', async (t) => {
    const ns = await harness.namespace('etcd-pause');
    const operator = await startOperatorProcess(t, { namespace: ns });
    await waitReady(operator);
    await createJob(twoPods('before', ns));
    await waitForObjects(ns, 'before', objectNames('before'));

    pauseComponent(dir(), 'etcd', true);
    try {
      await sleep(10_000);
    } finally {
      pauseComponent(dir(), 'etcd', false);
    }
    const resumed = Date.now();
    await createWhenServed(twoPods('after', ns));
    await waitForObjects(ns, 'after', objectNames('after'), undefined, 60_000);
    const seconds = (Date.now() - resumed) / 1000;
    t.diagnostic(
      `etcd paused 10 s: a job created once it resumed had its pods ${seconds.toFixed(1)} s later`,
    );
    assert.ok(seconds < 20, `pods after ${seconds} s`);
    assertRunning(operator);
  });

  test('a leader whose API server hangs (etcd paused) stops leading within its renew deadline', async (t) => {
    const ns = await harness.namespace('lease-stall');
    const kubeConfig = loadKubeConfig({ kubeconfig: harness.cluster().kubeconfigPath });
    const client = await KubeClient.create(kubeConfig, { qps: 0 });
    t.after(() => client.close());
    const renewDeadlineMs = 4000;
    const elector = new LeaderElector(
      client,
      {
        namespace: ns,
        name: 'stall',
        identity: 'stalled',
        leaseDurationSeconds: 6,
        renewDeadlineMs,
        retryPeriodMs: 500,
      },
      createLogger('silent'),
    );
    const stop = new AbortController();
    t.after(() => stop.abort());
    assert.equal(await elector.acquire(stop.signal), true);
    const holding = elector.hold(stop.signal);
    await sleep(1000);
    pauseComponent(dir(), 'etcd', true);
    const paused = Date.now();
    try {
      // Its requests hang: only their timeout lets it notice the deadline in time.
      assert.equal(await holding, false);
    } finally {
      pauseComponent(dir(), 'etcd', false);
    }
    const seconds = (Date.now() - paused) / 1000;
    assert.ok(seconds <= renewDeadlineMs / 1000 + 1, `stopped leading ${seconds} s after etcd paused`);
    assert.equal(elector.leading, false);
  });

  test('two leader-elected replicas through a 15 s kube-apiserver outage: neither exits, then one leads, nothing duplicated', async (t) => {
    const ns = await harness.namespace('leader-outage');
    const a = await startOperatorProcess(t, { namespace: ns, identity: 'replica-a', leaseNamespace: ns });
    await harness.waitFor(() => isLeading(a), 30_000, 'replica-a to lead');
    const b = await startOperatorProcess(t, { namespace: ns, identity: 'replica-b', leaseNamespace: ns });
    await waitReady(a);
    await createJob(twoPods('before', ns));
    await waitForObjects(ns, 'before', objectNames('before'));
    const before = await uidsIn(ns);

    await killComponent(dir(), 'kube-apiserver');
    const killed = Date.now();
    // The renew deadline is 10 s: the leader stops reconciling during the outage, but stays up.
    await harness.waitFor(() => !isLeading(a), 20_000, 'replica-a to stop leading');
    await sleep(15_000 - (Date.now() - killed));
    const seconds = await restartThenCreate(t, ns);
    assert.ok(seconds < 20, `pods ${seconds} s after /readyz passed`);

    assertRunning(a, b);
    const leaders = [a, b].filter(isLeading);
    assert.equal(leaders.length, 1, `leaders: ${leaders.map((r) => r.identity).join(', ') || 'none'}`);
    const lease = await harness
      .client(CoordinationV1Api)
      .readNamespacedLease({ name: 'training-operator-test', namespace: ns });
    assert.equal(lease.spec!.holderIdentity, leaders[0].identity);
    assert.ok(logged(b, 'leader election: cannot reach the lease; retrying').length > 0, printLogs(b));
    // The job from before the outage kept its objects; each job has exactly its own, also a while later.
    const after = await uidsIn(ns);
    assert.equal(after.length, 8, after.join('\n'));
    assert.deepEqual(
      after.filter((entry) => entry.includes(' before-')),
      before,
    );
    await sleep(3_000);
    assert.deepEqual(await uidsIn(ns), after);
  });

  test('a list the API server refuses: /readyz is 503 and names the cache and the error; the log says it too', async (t) => {
    const ns = await harness.namespace('forbidden');
    // A ServiceAccount without any RBAC binding: every list is 403 Forbidden.
    await harness.kubectl(['create', 'serviceaccount', 'nobody', '-n', ns]);
    const token = (await harness.kubectl(['create', 'token', 'nobody', '-n', ns, '--duration=1h'])).trim();
    const config = YAML.parse(readFileSync(harness.cluster().kubeconfigPath, 'utf8')) as {
      users: { user: Record<string, unknown> }[];
    };
    config.users[0].user = { token };
    const kubeconfig = join(dir(), 'nobody.kubeconfig');
    writeFileSync(kubeconfig, YAML.stringify(config), { mode: 0o600 });
    const operator = await startOperatorProcess(t, { namespace: ns, kubeconfig });
    const { status, body } = await harness.waitFor(
      async () => {
        const probe = await readyz(operator);
        return probe.body.includes('403') && probe;
      },
      20_000,
      '/readyz to show the 403',
    );
    assert.equal(status, 503);
    assert.match(
      body,
      new RegExp(
        `^- pytorchjobs in namespace ${ns}: not synced, last error: 403 Forbidden: .*forbidden`,
        'm',
      ),
    );
    // The log line may reach the pipe a moment after /readyz answered.
    await harness
      .waitFor(
        () =>
          logged(operator, 'cannot list or watch; retrying').some((line) =>
            String(line.err).startsWith('403 Forbidden'),
          ),
        10_000,
        'the 403 in the log',
      )
      .catch((error: Error) => assert.fail(`${error.message}\n${printLogs(operator)}`));
    assertRunning(operator);
  });
});
