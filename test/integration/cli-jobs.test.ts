// The job commands as a user runs them (the bin, in a child process) against the real API server, with
// the operator in process and pods driven by setPodPhase; `wait`'s progress checked on a pipe and on a
// pseudo-terminal (util-linux `script`), logs from a fake kubelet.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import type { Job } from '../../src/api/types.ts';
import { makeJob } from '../support/builders.ts';
import { cli, type CliResult } from './cli.ts';
import { startFakeKubelet, type FakeKubelet } from './fake-kubelet.ts';
import * as harness from './harness.ts';
import {
  getJob,
  hasCondition,
  operatorNamespace,
  setPhases,
  waitForJob,
  waitForObjects,
} from './operator.ts';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'training-operator.js');
const dir = mkdtempSync(join(tmpdir(), 'cli-jobs-'));

/** The same on a pseudo-terminal: `script` gives the command a TTY and exits with its code (-e). */
function cliOnTerminal(ns: string, args: string[]): Promise<CliResult> & { stdout: () => string } {
  const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
  const command = [process.execPath, bin, ...args, '--kubeconfig', harness.cluster().kubeconfigPath, '-n', ns]
    .map(quote)
    .join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: root });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr: '' })),
  );
  return Object.assign(done, { stdout: () => stdout });
}

function file(name: string, ...jobs: Job[]): string {
  const path = join(dir, name);
  writeFileSync(path, jobs.map((job) => stringify(job)).join('---\n'));
  return path;
}

/** A table with its AGE and DURATION cells blanked: they tick between two runs. */
const withoutTimes = (text: string) => text.replace(/ \d+s +\d+s$/gm, ' <times>');

/** A PyTorchJob with no namespace: the command's -n places it. */
function pytorch(name: string, workers = 2): Job {
  const job = makeJob('PyTorchJob', name).replicas('Master', 1).replicas('Worker', workers).obj();
  delete job.metadata.namespace;
  return job;
}

describe('job commands', () => {
  test('submit validates offline and creates nothing from an invalid file; get lists; describe shows everything', async (t) => {
    const { ns } = await operatorNamespace(t, 'cli-get');
    const invalid = pytorch('bad', -1);
    const refused = await cli(ns, ['submit', '-f', file('bad.yaml', pytorch('fine'), invalid)]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^PyTorchJob\/bad: spec\.pytorchReplicaSpecs\[Worker\]\.replicas: /m);
    assert.equal((await cli(ns, ['get'])).stderr, `No jobs found in namespace ${ns}.\n`);

    const submitted = await cli(ns, ['submit', '-f', file('demo.yaml', pytorch('demo'))]);
    assert.deepEqual([submitted.code, submitted.stdout], [0, 'PyTorchJob/demo created\n']);
    const names = ['demo-master-0', 'demo-worker-0', 'demo-worker-1'];
    await waitForObjects(ns, 'demo', names);
    await setPhases(ns, names.slice(0, 2), 'Running');
    await harness.waitFor(
      async () => (await getJob(ns, 'PyTorchJob', 'demo')).status?.replicaStatuses?.Worker?.active === 1,
      10_000,
      'one worker active',
    );

    const table = await cli(ns, ['get']);
    assert.equal(table.code, 0);
    const [header, row] = table.stdout.trim().split('\n');
    assert.match(header, /^NAME +STATE +REPLICAS +AGE +DURATION$/);
    assert.match(row, /^pytorchjob\/demo +Running +Master 1\/1, Worker 1\/2 +\d+s +\d+s$/);
    for (const args of [
      ['get', 'pytorchjobs'],
      ['get', 'PyTorchJob', 'demo'],
      ['get', 'pytorchjob/demo'],
      ['get', 'demo'],
    ]) {
      assert.equal(withoutTimes((await cli(ns, args)).stdout), withoutTimes(table.stdout), args.join(' '));
    }
    const wide = await cli(ns, ['get', '-o', 'wide']);
    assert.match(
      wide.stdout,
      /SUCCEEDED +FAILED +MESSAGE\n.*Master 0, Worker 0 +Master 0, Worker 0 +PyTorchJob demo is running\./,
    );
    const all = await cli(ns, ['get', '-A']);
    assert.match(all.stdout, new RegExp(`^${ns} +pytorchjob/demo +Running`, 'm'));
    const json = JSON.parse((await cli(ns, ['get', 'pytorchjobs', '-o', 'json'])).stdout) as {
      kind: string;
      items: Job[];
    };
    assert.deepEqual([json.kind, json.items.map((job) => job.metadata.name)], ['List', ['demo']]);
    const yaml = (await cli(ns, ['get', 'demo', '-o', 'yaml'])).stdout;
    assert.match(yaml, /^apiVersion: kubeflow.org\/v1\nkind: PyTorchJob\n/);
    const unknown = await cli(ns, ['get', 'tfjob', 'nope']);
    assert.deepEqual(
      [unknown.code, unknown.stderr],
      [1, `training-operator: TFJob "nope" in namespace "${ns}" not found\n`],
    );
    assert.equal((await cli(ns, ['get', 'foojob', 'x'])).code, 2);

    const described = await cli(ns, ['describe', 'demo']);
    assert.equal(described.code, 0, described.stderr);
    const text = described.stdout;
    for (const line of [
      /^Name: +demo$/m,
      /^Kind: +PyTorchJob$/m,
      /^State: +Running$/m,
      /^ {2}Running +True +PyTorchJobRunning +\d+s +PyTorchJob demo is running\.$/m,
      /^ {2}Worker +2 +1 +0 +0$/m,
      /^ {2}demo-worker-0 +worker +0 +Running +<none> +0 +\d+s$/m,
      /^ {2}demo-worker-1 +worker +1 +Pending +<none>/m,
      /^ {2}Normal +SuccessfulCreatePod +\d+s +pytorchjob\/demo +Created pod: demo-worker-1$/m,
    ]) {
      assert.match(text, line);
    }
  });

  test('wait shows progress as plain lines on a pipe, exits 0 on the condition, 1 when the job fails, 3 on timeout', async (t) => {
    const { ns } = await operatorNamespace(t, 'cli-wait');
    await cli(ns, ['submit', '-f', file('w.yaml', pytorch('w'))]);
    const names = ['w-master-0', 'w-worker-0', 'w-worker-1'];
    await waitForObjects(ns, 'w', names);
    await waitForJob(ns, 'PyTorchJob', 'w', (job) => hasCondition(job, 'Created'), 'Created');

    const timedOut = await cli(ns, ['wait', 'w', '--for=Running', '--timeout=1s']);
    assert.equal(timedOut.code, 3);
    assert.match(timedOut.stderr, /timed out after 1s waiting for Running \(state: Created\)/);

    const waiting = cli(ns, ['wait', 'w', '--for', 'Succeeded']);
    await harness.waitFor(() => waiting.stdout().includes('Worker: 0/2'), 10_000, 'the first progress');
    await setPhases(ns, names, 'Running');
    await harness.waitFor(() => waiting.stdout().includes('Worker: 2/2 running'), 10_000, 'Running progress');
    await setPhases(ns, names, 'Succeeded');
    const done = await waiting;
    assert.equal(done.code, 0, done.stderr);
    const lines = done.stdout.trim().split('\n');
    assert.equal(lines[0], 'PyTorchJob/w: Created');
    assert.ok(lines.includes('PyTorchJob/w: Running'));
    assert.ok(lines.includes('  Worker: 2/2 running, 0 succeeded, 0 failed'));
    assert.equal(lines.at(-1), 'PyTorchJob/w: condition Succeeded met');
    assert.ok(!done.stdout.includes('\x1b'), 'no terminal codes on a pipe');
    // A line is printed only when it changed.
    for (let i = 1; i < lines.length; i++) assert.notEqual(lines[i], lines[i - 1]);

    const crash = makeJob('PyTorchJob', 'crash').replicas('Worker', 1, { restartPolicy: 'Never' }).obj();
    delete crash.metadata.namespace;
    await cli(ns, ['submit', '-f', file('crash.yaml', crash)]);
    await waitForObjects(ns, 'crash', ['crash-worker-0']);
    const failing = cli(ns, ['wait', 'pytorchjob/crash']);
    await harness.waitFor(() => failing.stdout().includes('Created'), 10_000, 'waiting');
    await setPhases(ns, ['crash-worker-0'], 'Failed', 3);
    const failed = await failing;
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /^PyTorchJob\/crash failed: PyTorchJobFailed: .+/m);
    assert.equal((await cli(ns, ['wait', 'crash', '--for=Failed'])).code, 0);
  });

  test('wait on a terminal redraws one line per replica type in place', async (t) => {
    const { ns } = await operatorNamespace(t, 'cli-tty');
    await cli(ns, ['submit', '-f', file('tty.yaml', pytorch('tty'))]);
    const names = ['tty-master-0', 'tty-worker-0', 'tty-worker-1'];
    await waitForObjects(ns, 'tty', names);
    const waiting = cliOnTerminal(ns, ['wait', 'tty', '--for=Succeeded', '--timeout=60s']);
    await harness.waitFor(() => waiting.stdout().includes('Worker: 0/2'), 15_000, 'the first drawing');
    await setPhases(ns, names, 'Running');
    await harness.waitFor(() => waiting.stdout().includes('Worker: 2/2'), 10_000, 'Running drawn');
    await setPhases(ns, names, 'Succeeded');
    const done = await waiting;
    assert.equal(done.code, 0, done.stdout);
    const output = done.stdout;
    // Every redraw moves up over the state line and the two replica lines, and clears each line.
    assert.ok(
      output.includes('\x1b[3A\r\x1b[2KPyTorchJob/tty: Running\r\n\r\x1b[2K  Master: 1/1 running'),
      JSON.stringify(output),
    );
    assert.ok(output.includes('\x1b[3A\r\x1b[2KPyTorchJob/tty: Succeeded'));
    assert.match(output, /PyTorchJob\/tty: condition Succeeded met\r\n$/);
    // The first drawing moves nowhere.
    assert.ok(output.indexOf('\x1b[3A') > output.indexOf('Worker: 0/2'));
  });

  describe('logs and delete', () => {
    let kubelet: FakeKubelet;
    before(async () => {
      kubelet = await startFakeKubelet();
    });
    after(() => kubelet.stop());

    test('logs: the master by default, a rank, every rank with pod prefixes; -f ends when the pods finish; delete --wait', async (t) => {
      const { ns } = await operatorNamespace(t, 'cli-logs');
      const jobFile = file('logs.yaml', pytorch('talk'));
      await cli(ns, ['submit', '-f', jobFile]);
      const names = ['talk-master-0', 'talk-worker-0', 'talk-worker-1'];
      await waitForObjects(ns, 'talk', names);
      for (const pod of names) await kubelet.bind(ns, pod);
      await setPhases(ns, names, 'Running');
      for (const pod of names) kubelet.write(ns, pod, 'pytorch', `hello from ${pod}`);

      assert.equal((await cli(ns, ['logs', 'talk'])).stdout, 'hello from talk-master-0\n');
      assert.equal(
        (await cli(ns, ['logs', 'talk', '--replica-type', 'Worker', '--index', '1'])).stdout,
        'hello from talk-worker-1\n',
      );
      assert.equal(
        (await cli(ns, ['logs', 'talk', '--all'])).stdout,
        names.map((pod) => `[pod/${pod}/pytorch] hello from ${pod}\n`).join(''),
      );
      assert.equal(
        (await cli(ns, ['logs', 'talk', '-r', 'worker'])).stdout,
        names
          .slice(1)
          .map((pod) => `[pod/${pod}/pytorch] hello from ${pod}\n`)
          .join(''),
      );

      const following = cli(ns, ['logs', 'talk', '--all', '-f']);
      await harness.waitFor(() => following.stdout().split('\n').length > 3, 10_000, 'the lines so far');
      kubelet.write(ns, 'talk-worker-0', 'pytorch', 'epoch 1');
      await harness.waitFor(
        () => following.stdout().includes('[pod/talk-worker-0/pytorch] epoch 1\n'),
        10_000,
        'a new line',
      );
      for (const pod of names) kubelet.end(ns, pod, 'pytorch');
      await setPhases(ns, names, 'Succeeded');
      const followed = await following;
      assert.equal(followed.code, 0, followed.stderr);

      const deleted = await cli(ns, ['delete', 'talk', '--wait', '--timeout=30s']);
      assert.deepEqual([deleted.code, deleted.stdout], [0, 'PyTorchJob/talk deleted\n']);
      assert.equal((await cli(ns, ['get'])).stderr, `No jobs found in namespace ${ns}.\n`);
      const again = await cli(ns, ['delete', '-f', jobFile]);
      assert.deepEqual(
        [again.code, again.stderr],
        [1, `training-operator: PyTorchJob "talk" in namespace "${ns}" not found\n`],
      );
    });
    test('submit --wait --logs streams every rank as the pods start, then waits for Succeeded', async (t) => {
      const { ns } = await operatorNamespace(t, 'cli-submit-logs');
      const submitting = cli(ns, ['submit', '-f', file('run.yaml', pytorch('run', 1)), '--wait', '--logs']);
      const names = ['run-master-0', 'run-worker-0'];
      await waitForObjects(ns, 'run', names);
      for (const pod of names) {
        await kubelet.bind(ns, pod);
        kubelet.write(ns, pod, 'pytorch', `${pod} trains`);
      }
      await setPhases(ns, names, 'Running');
      await harness.waitFor(
        () => submitting.stdout().includes('[pod/run-worker-0/pytorch] run-worker-0 trains'),
        10_000,
        'logs',
      );
      for (const pod of names) kubelet.end(ns, pod, 'pytorch');
      await setPhases(ns, names, 'Succeeded');
      const done = await submitting;
      assert.equal(done.code, 0, done.stderr);
      const lines = done.stdout.trim().split('\n');
      assert.equal(lines[0], 'PyTorchJob/run created');
      assert.deepEqual(lines.filter((line) => line.startsWith('[pod/')).sort(), [
        '[pod/run-master-0/pytorch] run-master-0 trains',
        '[pod/run-worker-0/pytorch] run-worker-0 trains',
      ]);
      assert.equal(lines.at(-1), 'PyTorchJob/run: condition Succeeded met');
    });
  });

  test('diff: nothing for the live job; a Worker count changed shows the spec change and the pods and services to create; --gang-scheduler adds the PodGroup', async (t) => {
    const { ns } = await operatorNamespace(t, 'cli-diff');
    const same = file('same.yaml', pytorch('scale'));
    await cli(ns, ['submit', '-f', same]);
    await waitForObjects(ns, 'scale', ['scale-master-0', 'scale-worker-0', 'scale-worker-1']);
    await harness.waitFor(
      async () => (await getJob(ns, 'PyTorchJob', 'scale')).status?.conditions?.length,
      10_000,
      'status',
    );

    const unchanged = await cli(ns, ['diff', '-f', same]);
    assert.deepEqual([unchanged.code, unchanged.stdout, unchanged.stderr], [0, '', '']);

    const scaled = await cli(ns, ['diff', '-f', file('scaled.yaml', pytorch('scale', 3))]);
    assert.equal(scaled.code, 1, scaled.stderr);
    const where = 'PyTorchJob/scale in namespace ' + ns;
    assert.ok(
      scaled.stdout.startsWith(`--- ${where}: live spec\n+++ ${where}: spec from the file\n@@ `),
      scaled.stdout,
    );
    assert.match(scaled.stdout, /\n {3}Worker:\n- {4}replicas: 2\n\+ {4}replicas: 3\n/);
    assert.ok(
      scaled.stdout.endsWith(
        `${where}: the operator would then:\n  create  Pod/scale-worker-2\n  create  Service/scale-worker-2\n`,
      ),
      scaled.stdout,
    );
    const fewer = await cli(ns, ['diff', '-f', file('fewer.yaml', pytorch('scale', 1))]);
    assert.match(fewer.stdout, /delete {2}Pod\/scale-worker-1\n {2}delete {2}Service\/scale-worker-1\n$/);

    const fresh = await cli(ns, ['diff', '-f', file('fresh.yaml', pytorch('fresh', 1))]);
    assert.equal(fresh.code, 1);
    assert.match(fresh.stdout, /^--- \/dev\/null \(no such job\)\n/);
    assert.match(
      fresh.stdout,
      /create {2}Pod\/fresh-master-0\n {2}create {2}Service\/fresh-master-0\n {2}create {2}Pod\/fresh-worker-0\n/,
    );

    // With the operator's gang scheduler named, its PodGroup is among what the operator would create.
    const volcano = ['--gang-scheduler', 'volcano'];
    const freshGang = await cli(ns, ['diff', '-f', file('fresh.yaml', pytorch('fresh', 1)), ...volcano]);
    assert.equal(freshGang.code, 1, freshGang.stderr);
    assert.match(freshGang.stdout, /\n {2}create {2}PodGroup\/fresh\n/);
    assert.doesNotMatch(fresh.stdout, /PodGroup/);
    const liveGang = await cli(ns, ['diff', '-f', same, ...volcano]);
    assert.equal(liveGang.code, 1, liveGang.stderr);
    assert.match(liveGang.stdout, /the operator would then:\n(.*\n)* {2}create {2}PodGroup\/scale\n/);

    const invalid = pytorch('scale', -1);
    const refused = await cli(ns, ['diff', '-f', file('invalid.yaml', invalid)]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^PyTorchJob\/scale: spec\.pytorchReplicaSpecs\[Worker\]\.replicas: /m);
  });
});
