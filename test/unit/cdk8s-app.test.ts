// The cdk8s app of cdk8s.yaml, as a platform engineer runs it: `npx cdk8s synth` in the repository, with
// the real cdk8s CLI, compared with what `training-operator install-manifests --with-crds` prints.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import YAML from 'yaml';

const root = join(import.meta.dirname, '..', '..');

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // No look-up of a newer cdk8s-cli on the registry: the test needs nothing outside the repository.
    env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', KUBECONFIG: '/nonexistent' },
  });
  assert.equal(result.status, 0, `${command} ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

const objectsIn = (yaml: string) =>
  YAML.parseAllDocuments(yaml).map((document) => document.toJS() as unknown);

describe('cdk8s.yaml', () => {
  const output = mkdtempSync(join(tmpdir(), 'cdk8s-synth-'));
  after(() => rmSync(output, { recursive: true, force: true }));

  test('names an app that writes into dist/, and the six CRDs as its imports', () => {
    const config = YAML.parse(readFileSync(join(root, 'cdk8s.yaml'), 'utf8')) as Record<string, unknown>;
    assert.equal(config.language, 'typescript');
    assert.match(String(config.output), /^dist\//);
    assert.deepEqual(
      (config.imports as string[]).toSorted(),
      readdirSync(join(root, 'crds'))
        .map((file) => `crds/${file}`)
        .toSorted(),
    );
  });

  test('npx cdk8s synth writes exactly what install-manifests --with-crds prints', () => {
    const log = run('npx', ['cdk8s', 'synth', '--output', output]);
    assert.match(log, /training-operator\.k8s\.yaml/);
    assert.deepEqual(readdirSync(output), ['training-operator.k8s.yaml']);
    const synthesized = objectsIn(readFileSync(join(output, 'training-operator.k8s.yaml'), 'utf8'));
    const printed = objectsIn(
      run(process.execPath, [join(root, 'bin', 'training-operator.js'), 'install-manifests', '--with-crds']),
    );
    assert.equal(synthesized.length, 6 + 1 + 5, 'six CRDs, the Namespace and five objects of the operator');
    assert.deepEqual(synthesized, printed);
  });
});
