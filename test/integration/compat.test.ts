// Cross-checks between the offline CLI and the real API server with our CRDs:
// - every upstream example (the compatibility corpus, test/fixtures/compat) gets the same verdict from
//   `training-operator validate` and a server-side dry-run create, under kubectl's strict and warn field
//   validation, with the same unknown fields named;
// - what `training-operator synth` prints for our examples is accepted by the API server, with and
//   without gang scheduling (the PodGroup CRDs are installed), by a server-side dry-run apply.
// The invalid-job corpus has its own file, invalid-corpus.test.ts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { repoRoot } from '../cluster/control-plane.ts';
import * as harness from './harness.ts';

const compatDir = join(repoRoot, 'test/fixtures/compat/upstream-examples');
const examplesDir = join(repoRoot, 'examples');

const yamlFiles = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
    : [];

const execFileAsync = promisify(execFile);

/** Runs the `training-operator` command line; resolves with its exit code and output. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      [join(repoRoot, 'bin/training-operator.js'), ...args],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const { code, stdout = '', stderr = '' } = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof code === 'number' ? code : -1, stdout, stderr };
  }
}

/** Some examples name a namespace (`kubeflow`); each test uses its own instead. */
function inNamespace(yaml: string, namespace: string): string {
  return YAML.parseAllDocuments(yaml)
    .map((doc) => doc.toJS() as { metadata?: { namespace?: string } } | null)
    .filter((obj) => obj !== null)
    .map((obj) => YAML.stringify({ ...obj, metadata: { ...obj.metadata, namespace } }))
    .join('---\n');
}

/** Server-side dry-run apply: what `kubectl apply --server-side` of synth output would do. */
const applyDryRun = (namespace: string, yaml: string) =>
  harness.kubectl(
    [
      'apply',
      '--server-side',
      '--dry-run=server',
      `--field-manager=${harness.FIELD_MANAGER}`,
      '-n',
      namespace,
      '-f',
      '-',
    ],
    yaml,
  );

/** The `unknown field "…"` and `duplicate field "…"` paths named in a message, sorted. */
const strictFields = (text: string) =>
  [...text.matchAll(/(?:unknown|duplicate) field "([^"]+)"/g)].map((m) => m[1]).sort();

/** Server-side dry-run create with kubectl's `--validate` mode; resolves with kubectl's error, or '' if accepted. */
const createDryRun = (namespace: string, yaml: string, mode: 'strict' | 'warn') =>
  harness
    .kubectl(['create', '--dry-run=server', `--validate=${mode}`, '-n', namespace, '-f', '-'], yaml)
    .then(
      () => '',
      (error: unknown) => String(error),
    );

describe('upstream examples: validate and the API server agree, under strict and warn field validation', () => {
  const files = yamlFiles(compatDir).map((f) => join(compatDir, f));

  test('the corpus is there', () =>
    assert.ok(files.length >= 20, `only ${files.length} files in ${compatDir}`));

  for (const file of files) {
    for (const mode of ['strict', 'warn'] as const) {
      test(`${basename(file)}, --validate=${mode}: the same verdict and the same unknown fields`, async () => {
        const ns = await harness.namespace('compat');
        const offline = await cli(['validate', `--validate=${mode}`, '-f', file]);
        const server = await createDryRun(ns, inNamespace(readFileSync(file, 'utf8'), ns), mode);
        const verdict = (refused: boolean) => (refused ? 'refused' : 'accepted');
        assert.equal(
          verdict(offline.code !== 0),
          verdict(server !== ''),
          `validate: ${offline.stdout}${offline.stderr}\nAPI server: ${server}`,
        );
        assert.deepEqual(strictFields(offline.stdout), strictFields(server));
        // Under warn, every upstream example is accepted: the fields that strict refuses are pruned.
        if (mode === 'warn') assert.equal(offline.code, 0, offline.stdout);
      });
    }
  }
});

describe('synth output is accepted by the API server', () => {
  const files = yamlFiles(examplesDir).map((f) => join(examplesDir, f));

  for (const gang of [[], ['--gang-scheduler', 'volcano'], ['--gang-scheduler', 'scheduler-plugins']]) {
    test(`every example, synthesized ${gang.length ? gang.join(' ') : 'without gang scheduling'}`, async () => {
      assert.ok(files.length > 0, `no YAML in ${examplesDir}`);
      const ns = await harness.namespace('synth');
      const synth = await cli(['synth', ...files.flatMap((f) => ['-f', f]), '-n', ns, ...gang]);
      assert.equal(synth.code, 0, `training-operator synth:\n${synth.stderr}`);
      assert.ok(synth.stdout.trim(), 'synth printed objects');
      await applyDryRun(ns, synth.stdout);
    });
  }
});
