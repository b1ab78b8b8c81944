// Cross-checks between the offline CLI and the real API server with our CRDs:
// - every upstream example (the compatibility corpus, test/fixtures/compat) passes both
//   `training-operator validate` and a server-side dry-run create;
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

/**
 * Server-side dry-run create with the API server's default field validation (Warn): one upstream example
 * carries `apiVersion`/`kind` inside a pod template, which the API server prunes with a warning. Server-side
 * apply refuses any undeclared field, also with the upstream CRDs, so users create such files.
 */
const createDryRun = (namespace: string, yaml: string) =>
  harness.kubectl(['create', '--dry-run=server', '--validate=warn', '-n', namespace, '-f', '-'], yaml);

describe('upstream examples: accepted offline and by the API server', () => {
  const files = yamlFiles(compatDir).map((f) => join(compatDir, f));

  test('training-operator validate accepts the whole compatibility corpus', async () => {
    assert.ok(files.length > 0, `no YAML in ${compatDir}`);
    // --validate=warn as the dry-run create below: one example has fields the schema prunes.
    const validated = await cli(['validate', '--validate=warn', ...files.flatMap((f) => ['-f', f])]);
    assert.equal(validated.code, 0, `training-operator validate:\n${validated.stdout}${validated.stderr}`);
  });

  for (const file of files) {
    test(`the API server accepts ${basename(file)} (dry-run create)`, async () => {
      const ns = await harness.namespace('compat');
      await createDryRun(ns, inNamespace(readFileSync(file, 'utf8'), ns));
    });
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
