// The pure parts of the job commands and the client (kind names, durations, the spec diff, replica
// progress), and docs/cli.md naming every command and every flag the command line has.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { resolveKind } from '../../src/client/kinds.ts';
import { jobState, replicaProgress } from '../../src/client/status.ts';
import type { TrainingJob } from '../../src/client/types.ts';
import { parseTimeout, shortDuration } from '../../src/cli/cluster.ts';
import { unifiedDiff } from '../../src/cli/text-diff.ts';
import { loadKubeConfig } from '../../src/kube/config.ts';
import { parseCondition } from '../../src/cli/wait.ts';
import { runBin } from '../support/bin.ts';
import { makeJob } from '../support/builders.ts';

const root = join(import.meta.dirname, '..', '..');

describe('job command helpers', () => {
  test('kinds as kubectl spells them, in any case', () => {
    for (const name of [
      'pytorchjob',
      'pytorchjobs',
      'PyTorchJob',
      'PYTORCHJOBS',
      'pytorchjobs.kubeflow.org',
    ]) {
      assert.equal(resolveKind(name), 'PyTorchJob', name);
    }
    assert.equal(resolveKind('tfjob'), 'TFJob');
    assert.equal(resolveKind('MPIJobs'), 'MPIJob');
    assert.throws(() => resolveKind('job'), /unknown job kind "job": one of PyTorchJob, TFJob/);
  });

  test('durations: kubectl’s short ages, and --timeout values', () => {
    assert.deepEqual(
      [5_000, 119_000, 200_000, 3_600_000, 5 * 3_600_000 + 60_000, 30 * 3_600_000, 50 * 3_600_000].map(
        shortDuration,
      ),
      ['5s', '119s', '3m20s', '60m', '5h1m', '30h', '2d2h'],
    );
    assert.equal(parseTimeout('90'), 90_000);
    assert.equal(parseTimeout('1h30m'), 5_400_000);
    assert.equal(parseTimeout('500ms'), 500);
    assert.throws(() => parseTimeout('soon'), /--timeout soon: not a duration/);
    assert.equal(parseCondition('condition=succeeded'), 'Succeeded');
    assert.throws(() => parseCondition('Done'), /--for Done: one of Created, Running/);
  });

  test('a unified diff: hunks with three lines of context, deletions before additions', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].join('\n');
    const after = ['a', 'b', 'c', 'd', 'E', 'f', 'g', 'h', 'i', 'j', 'k'].join('\n');
    assert.deepEqual(unifiedDiff(before, after, ['old', 'new']), [
      '--- old',
      '+++ new',
      '@@ -2,9 +2,10 @@',
      ' b',
      ' c',
      ' d',
      '-e',
      '+E',
      ' f',
      ' g',
      ' h',
      ' i',
      ' j',
      '+k',
    ]);
    assert.deepEqual(unifiedDiff('same\n', 'same\n', ['a', 'b']), []);
    assert.deepEqual(unifiedDiff('', 'x\n', ['/dev/null', 'b']), [
      '--- /dev/null',
      '+++ b',
      '@@ -0,0 +1,1 @@',
      '+x',
    ]);
  });

  test('replica progress from spec and status; the state is the newest true condition', () => {
    const job = makeJob('TFJob', 'dist')
      .replicas('Worker', 2)
      .replicas('PS', 1)
      .obj() as unknown as TrainingJob;
    job.status = {
      conditions: [
        { type: 'Created', status: 'True' },
        { type: 'Running', status: 'True' },
        { type: 'ReplicaFailure', status: 'True' },
      ],
      replicaStatuses: { Worker: { active: 1, succeeded: 1 } },
    };
    assert.equal(jobState(job), 'Running');
    assert.deepEqual(replicaProgress(job), [
      { type: 'PS', total: 1, active: 0, succeeded: 0, failed: 0 },
      { type: 'Worker', total: 2, active: 1, succeeded: 1, failed: 0 },
    ]);
    assert.equal(jobState({ ...job, status: undefined }), 'Pending');
  });
});

/** Commands and their flags, from the command line's own --help. */
function help(args: string[]): string {
  const result = runBin([...args, '--help']);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

test('docs/cli.md documents every command and every flag (run’s in docs/operator.md)', () => {
  const doc = readFileSync(join(root, 'docs', 'cli.md'), 'utf8');
  const commands = [...help([]).matchAll(/^ {2}training-operator (\S+)/gm)].map((match) => match[1]);
  assert.ok(commands.includes('submit') && commands.includes('diff'), commands.join());
  for (const command of commands) {
    assert.ok(doc.includes(`## ${command}\n`), `a section for ${command}`);
    if (command === 'run') continue;
    const options = help([command]).split('\nOptions:\n')[1] ?? '';
    const flags = [...options.matchAll(/^ {2}(?:-\w, | {4})(--[\w-]+)/gm)].map((match) => match[1]);
    for (const flag of flags.filter((f) => f !== '--help' && f !== '--version')) {
      assert.ok(doc.includes(`\`${flag}`), `${command} ${flag}`);
    }
  }
});

test('the kubeconfig as the job commands read it: --context, the context’s namespace, in-cluster’s', () => {
  const dir = mkdtempSync(join(tmpdir(), 'job-cli-kubeconfig-'));
  const file = join(dir, 'config');
  writeFileSync(
    file,
    JSON.stringify({
      clusters: [{ name: 'c', cluster: { server: 'https://c:6443' } }],
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: [
        { name: 'plain', context: { cluster: 'c', user: 'u' } },
        { name: 'team', context: { cluster: 'c', user: 'u', namespace: 'research' } },
      ],
      'current-context': 'plain',
    }),
  );
  assert.equal(loadKubeConfig({ kubeconfig: file }).namespace, undefined);
  const team = loadKubeConfig({ kubeconfig: file, context: 'team' });
  assert.deepEqual([team.currentContext, team.namespace], ['team', 'research']);
  assert.throws(() => loadKubeConfig({ kubeconfig: file, context: 'nope' }), /context "nope" does not exist/);

  const account = join(dir, 'var/run/secrets/kubernetes.io/serviceaccount');
  mkdirSync(account, { recursive: true });
  writeFileSync(join(account, 'token'), 'token');
  writeFileSync(join(account, 'namespace'), 'jobs\n');
  const saved = { KUBECONFIG: process.env.KUBECONFIG, HOST: process.env.KUBERNETES_SERVICE_HOST };
  delete process.env.KUBECONFIG;
  process.env.KUBERNETES_SERVICE_HOST = '10.0.0.1';
  try {
    assert.equal(loadKubeConfig({}, { inClusterRoot: dir, homeDir: dir }).namespace, 'jobs');
  } finally {
    if (saved.KUBECONFIG === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved.KUBECONFIG;
    if (saved.HOST === undefined) delete process.env.KUBERNETES_SERVICE_HOST;
    else process.env.KUBERNETES_SERVICE_HOST = saved.HOST;
  }
});
