// The operator as it runs in production: `training-operator run` in its own process, with leader
// election between two replicas, Prometheus metrics and health probes on their ports.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CoordinationV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { Job } from '../../src/api/types.ts';
import { freePort } from '../cluster/probe.ts';
import { makeJob } from '../support/builders.ts';
import * as harness from './harness.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'training-operator.js');

interface Replica {
  process: ChildProcess;
  metricsPort: number;
  healthPort: number;
  identity: string;
  log: string[];
}

const started: Replica[] = [];
after(() => started.forEach((replica) => replica.process.kill('SIGKILL')));

async function startReplica(namespace: string, identity: string, extraArgs: string[] = []): Promise<Replica> {
  const [metricsPort, healthPort] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [
      BIN,
      'run',
      `--kubeconfig=${harness.cluster().kubeconfigPath}`,
      `--namespace=${namespace}`,
      `--metrics-bind-address=127.0.0.1:${metricsPort}`,
      `--health-probe-bind-address=127.0.0.1:${healthPort}`,
      '--kube-api-qps=0',
      '--log-level=info',
      `--leader-election-identity=${identity}`,
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const replica: Replica = { process: child, metricsPort, healthPort, identity, log: [] };
  child.stdout.on('data', (chunk: Buffer) => replica.log.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => replica.log.push(chunk.toString()));
  started.push(replica);
  await harness
    .waitFor(
      () => httpStatus(healthPort, '/healthz').then((code) => code === 200),
      30_000,
      `${identity} to serve /healthz`,
    )
    .catch((error: Error) => {
      throw new Error(`${error.message}\n${identity} printed:\n${replica.log.join('')}`);
    });
  return replica;
}

async function httpStatus(port: number, path: string): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}${path}`)).status;
}

async function metrics(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

async function createJob(job: Job): Promise<void> {
  await harness.client(CustomObjectsApi).createNamespacedCustomObject({
    group: 'kubeflow.org',
    version: 'v1',
    namespace: job.metadata.namespace!,
    plural: 'pytorchjobs',
    body: job,
  });
}

async function jobState(namespace: string, name: string): Promise<string | undefined> {
  const job = (await harness.client(CustomObjectsApi).getNamespacedCustomObject({
    group: 'kubeflow.org',
    version: 'v1',
    namespace,
    plural: 'pytorchjobs',
    name,
  })) as Job;
  return job.status?.conditions?.at(-1)?.type;
}

async function podNames(namespace: string): Promise<string[]> {
  const pods = await harness.client(CoreV1Api).listNamespacedPod({ namespace });
  return pods.items.map((pod) => `${pod.metadata!.name}@${pod.metadata!.uid}`).sort();
}

async function leaseHolder(namespace: string): Promise<string | undefined> {
  const lease = await harness
    .client(CoordinationV1Api)
    .readNamespacedLease({ name: 'training-operator-test', namespace })
    .catch(() => undefined);
  return lease?.spec?.holderIdentity || undefined;
}

async function finishJob(namespace: string, name: string): Promise<void> {
  for (const pod of ['master-0', 'worker-0'])
    await harness.setPodPhase(namespace, `${name}-${pod}`, 'Running');
  await harness.setPodPhase(namespace, `${name}-master-0`, 'Succeeded');
}

describe('training-operator run', () => {
  test('metrics and health: the reference counters, durations and jobs by state, after a job succeeds', async () => {
    const namespace = await harness.namespace('metrics');
    const replica = await startReplica(namespace, 'metrics-a');
    await harness.waitFor(
      async () => (await httpStatus(replica.healthPort, '/readyz')) === 200,
      20_000,
      '/readyz',
    );
    await createJob(
      makeJob('PyTorchJob', 'measured', namespace).replicas('Master', 1).replicas('Worker', 1).obj(),
    );
    await harness.waitFor(async () => (await podNames(namespace)).length === 2, 20_000, 'pods');
    await finishJob(namespace, 'measured');
    await harness.waitFor(
      async () => (await jobState(namespace, 'measured')) === 'Succeeded',
      20_000,
      'Succeeded',
    );

    const labels = `job_namespace="${namespace}",framework="pytorch"`;
    const text = await harness.waitFor(
      async () => {
        const body = await metrics(replica.metricsPort);
        return body.includes(`training_operator_jobs_successful_total{${labels}} 1`) && body;
      },
      10_000,
      'the success to be counted',
    );
    assert.match(text, new RegExp(`training_operator_jobs_created_total\\{${labels}\\} 1`));
    assert.match(text, /# HELP training_operator_jobs_failed_total Counts number of jobs failed/);
    assert.match(text, /# HELP training_operator_jobs_deleted_total Counts number of jobs deleted/);
    assert.match(text, /# HELP training_operator_jobs_restarted_total Counts number of jobs restarted/);
    assert.match(text, /training_operator_job_all_pods_running_seconds_count\{framework="pytorch"\} 1/);
    assert.match(text, /training_operator_job_completion_seconds_count\{framework="pytorch"\} 1/);
    assert.match(text, /training_operator_jobs\{framework="pytorch",state="Succeeded"\} 1/);
    assert.match(text, /training_operator_reconcile_total\{kind="PyTorchJob",result="success"\} \d+/);
    assert.equal(await httpStatus(replica.healthPort, '/nothing'), 404);
  });

  test('leader election: one replica reconciles; when it is killed the other takes over without duplicates', async () => {
    const namespace = await harness.namespace('leader');
    const election = [
      '--leader-elect',
      `--leader-election-namespace=${namespace}`,
      '--leader-election-id=training-operator-test',
    ];
    const first = await startReplica(namespace, 'replica-a', election);
    await harness.waitFor(
      async () => (await leaseHolder(namespace)) === 'replica-a',
      20_000,
      'replica-a to lead',
    );
    const second = await startReplica(namespace, 'replica-b', election);
    assert.equal(
      await httpStatus(second.healthPort, '/readyz'),
      200,
      'a standby is ready, so rollouts finish',
    );

    await createJob(makeJob('PyTorchJob', 'ha', namespace).replicas('Master', 1).replicas('Worker', 1).obj());
    await harness.waitFor(async () => (await podNames(namespace)).length === 2, 20_000, 'pods');
    const before = await podNames(namespace);

    first.process.kill('SIGKILL');
    await harness.waitFor(
      async () => (await leaseHolder(namespace)) === 'replica-b',
      30_000,
      'replica-b to take over',
    );
    await finishJob(namespace, 'ha');
    await harness.waitFor(async () => (await jobState(namespace, 'ha')) === 'Succeeded', 20_000, 'Succeeded');
    assert.deepEqual(await podNames(namespace), before, 'the same pods, none duplicated or recreated');
    const lease = await harness
      .client(CoordinationV1Api)
      .readNamespacedLease({ name: 'training-operator-test', namespace });
    assert.equal(lease.spec!.leaseTransitions, 1);
    assert.ok(second.log.join('').includes('became leader'));
  });

  test('SIGTERM: the leader gives the lease up and exits cleanly', async () => {
    const namespace = await harness.namespace('release');
    const election = [
      '--leader-elect',
      `--leader-election-namespace=${namespace}`,
      '--leader-election-id=training-operator-test',
    ];
    const replica = await startReplica(namespace, 'replica-c', election);
    await harness.waitFor(
      async () => (await leaseHolder(namespace)) === 'replica-c',
      20_000,
      'replica-c to lead',
    );
    const exited = new Promise<number | null>((resolve) =>
      replica.process.once('exit', (code) => resolve(code)),
    );
    replica.process.kill('SIGTERM');
    assert.equal(await exited, 0, replica.log.join(''));
    assert.equal(await leaseHolder(namespace), undefined);
  });
});
