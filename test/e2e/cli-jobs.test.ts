// The job commands on the simulated cluster, as a user runs them: submit --wait, logs, describe, delete
// --wait for a PyTorchJob and a TFJob, and a failing job that exits 1 with the reason. Pods are scheduled,
// run and finish on kwok's fake nodes by themselves (the finish annotation), and their container logs
// come through the API server from the fake nodes.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import type { Job } from '../../src/api/types.ts';
import { cli } from '../integration/cli.ts';
import * as harness from '../integration/harness.ts';
import { operatorNamespace, podsOf } from '../integration/operator.ts';
import { makeJob } from '../support/builders.ts';
import { finishing } from './sim-jobs.ts';

const dir = mkdtempSync(join(tmpdir(), 'e2e-cli-'));

function file(job: Job): string {
  const path = join(dir, `${job.metadata.name}.yaml`);
  // No namespace in the file: the command's -n places the job.
  const written = structuredClone(job);
  delete written.metadata.namespace;
  writeFileSync(path, stringify(written));
  return path;
}

/** submit --wait, then logs, then delete --wait; the pods are collected after. */
async function submitWaitLogsDelete(ns: string, job: Job, logArgs: string[], loggingPods: string[]) {
  const name = job.metadata.name;
  const submitted = await cli(ns, ['submit', '-f', file(job), '--wait', '--timeout=90s']);
  assert.equal(submitted.code, 0, submitted.stderr);
  const lines = submitted.stdout.trim().split('\n');
  assert.equal(lines[0], `${job.kind}/${name} created`);
  assert.ok(lines.includes(`${job.kind}/${name}: Succeeded`), submitted.stdout);
  assert.equal(lines.at(-1), `${job.kind}/${name}: condition Succeeded met`);

  const got = await cli(ns, ['get', `${job.kind.toLowerCase()}/${name}`]);
  assert.match(got.stdout, new RegExp(`^${job.kind.toLowerCase()}/${name} +Succeeded `, 'm'));

  const logs = await cli(ns, ['logs', name, ...logArgs]);
  assert.equal(logs.code, 0, logs.stderr);
  for (const pod of loggingPods) {
    assert.match(logs.stdout, new RegExp(`^\\[pod/${pod}/${containerOf(job)}\\] .+`, 'm'), logs.stdout);
  }

  const deleted = await cli(ns, ['delete', name, '--wait', '--timeout=60s']);
  assert.deepEqual([deleted.code, deleted.stdout], [0, `${job.kind}/${name} deleted\n`]);
  await harness.waitFor(async () => (await podsOf(ns, name)).length === 0, 60_000, 'pods collected');
}

const containerOf = (job: Job) => (job.kind === 'TFJob' ? 'tensorflow' : 'pytorch');

describe('job commands on the simulated cluster', () => {
  before(() => assert.ok(harness.cluster().sim, 'e2e tests need the sim cluster: run them with `npm test`'));

  test('a PyTorchJob: submit --wait, logs of every rank, delete --wait', async (t) => {
    const { ns } = await operatorNamespace(t, 'e2e-cli-pytorch');
    const job = makeJob('PyTorchJob', 'mnist').replicas('Master', 1).replicas('Worker', 2).obj();
    await submitWaitLogsDelete(
      ns,
      finishing(job, ['Master', 'Worker'], 'Succeeded'),
      ['--all'],
      ['mnist-master-0', 'mnist-worker-0', 'mnist-worker-1'],
    );
  });

  test('a TFJob with a parameter server: submit --wait, the workers’ logs, delete --wait', async (t) => {
    const { ns } = await operatorNamespace(t, 'e2e-cli-tf');
    const job = makeJob('TFJob', 'dist').replicas('Worker', 2).replicas('PS', 1).obj();
    await submitWaitLogsDelete(
      ns,
      finishing(job, ['Worker'], 'Succeeded'),
      ['--replica-type', 'Worker'],
      ['dist-worker-0', 'dist-worker-1'],
    );
  });

  test('a failing job: submit --wait exits 1 with the reason; describe shows it', async (t) => {
    const { ns } = await operatorNamespace(t, 'e2e-cli-fail');
    const job = makeJob('PyTorchJob', 'crash').replicas('Worker', 1, { restartPolicy: 'ExitCode' }).obj();
    const submitted = await cli(ns, [
      'submit',
      '-f',
      file(finishing(job, ['Worker'], 'Failed', 1)),
      '--wait',
    ]);
    assert.equal(submitted.code, 1, submitted.stdout);
    assert.equal(
      submitted.stderr,
      'PyTorchJob/crash failed: PyTorchJobFailed: job "crash" is failing because "Worker" replica(s) failed.\n',
    );
    const described = await cli(ns, ['describe', 'crash']);
    assert.match(described.stdout, /^State: +Failed$/m);
    assert.match(described.stdout, /^ {2}Failed +True +PyTorchJobFailed +\d+s +job "crash" is failing/m);
    assert.match(described.stdout, /^ {2}crash-worker-0 +worker +0 +Failed +kwok-node-\d/m);
    assert.equal((await cli(ns, ['wait', 'crash', '--for=Failed', '--timeout=10s'])).code, 0);
    assert.equal((await cli(ns, ['wait', 'crash', '--for=Succeeded', '--timeout=10s'])).code, 1);
  });
});
