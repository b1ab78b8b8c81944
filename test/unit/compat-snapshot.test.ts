// Pins what `training-operator synth` prints for every job of the compatibility corpus
// (test/fixtures/compat/upstream-examples): any change to the rendered pods, services, env, RBAC or HPAs
// shows up as a diff of test/fixtures/compat/synth-snapshot.yaml. When the change is intended, regenerate it
// with `UPDATE_SNAPSHOTS=1 node scripts/test.mjs test/unit/compat-snapshot.test.ts` and review the diff.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { synthCommand } from '../../src/cli/synth.ts';

const compatDir = join(import.meta.dirname, '../fixtures/compat');
const corpusDir = join(compatDir, 'upstream-examples');
const snapshotFile = join(compatDir, 'synth-snapshot.yaml');

/**
 * `training-operator synth --validate=warn -f FILE` for each corpus file, in process, under a `# FILE`
 * heading (warn: one upstream file has fields that strict field validation refuses, as kubectl apply does).
 */
function synthesizeCorpus(): string {
  const files = readdirSync(corpusDir)
    .filter((file) => file.endsWith('.yaml'))
    .sort();
  assert.ok(files.length >= 20, `only ${files.length} files in ${corpusDir}`);
  return files
    .map((file) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = synthCommand(
        { files: [join(corpusDir, file)], namespace: 'default', fieldValidation: 'Warn' },
        { out: (line) => out.push(`${line}\n`), err: (line) => err.push(line) },
      );
      assert.equal(code, 0, `synth ${file}: ${err.join('\n')}`);
      assert.ok(out.length > 0, `synth ${file} printed nothing: ${err.join('\n')}`);
      return `# ${file}\n${out.join('')}`;
    })
    .join('---\n');
}

/** The first line where the texts differ, with the corpus file it belongs to; undefined when equal. */
function firstDifference(actual: string, expected: string): string | undefined {
  const [a, e] = [actual.split('\n'), expected.split('\n')];
  const line = a.findIndex((text, i) => text !== e[i]);
  const at = line === -1 ? (a.length === e.length ? -1 : a.length) : line;
  if (at === -1) return undefined;
  const file = a.slice(0, at + 1).findLast((text) => text.startsWith('# ')) ?? '';
  return `line ${at + 1} (${file.slice(2)}):\n  snapshot: ${e[at] ?? '<end>'}\n  synth:    ${a[at] ?? '<end>'}`;
}

test('synth output for the compatibility corpus matches test/fixtures/compat/synth-snapshot.yaml', () => {
  const actual = synthesizeCorpus();
  if (process.env.UPDATE_SNAPSHOTS === '1') writeFileSync(snapshotFile, actual);
  const difference = firstDifference(actual, readFileSync(snapshotFile, 'utf8'));
  assert.equal(
    difference,
    undefined,
    `synth output differs from the snapshot at ${difference}\nIf intended, regenerate and review: ` +
      'UPDATE_SNAPSHOTS=1 node scripts/test.mjs test/unit/compat-snapshot.test.ts; git diff test/fixtures/compat',
  );
});
