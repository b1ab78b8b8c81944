// `training-operator validate` against the API server on what a create changes or refuses besides the
// schema rules (test/fixtures/field-validation, see its README): unknown fields, repeated keys, nulls,
// defaults, generateName. For each fixture, a server-side dry-run create
// - with kubectl --validate=strict: the same errors as `validate` (strict is the default of both);
// - with kubectl --validate=warn: the same unknown-field warnings, and the object the API server would
//   store equals the one `validate` and `synth` work on.
// Repeated keys never reach the API server through kubectl, which keeps the last one; fixtures written
// as JSON are sent as they are instead, with the fieldValidation parameter.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { KINDS } from '../../src/api/kinds.ts';
import { parseJobDocuments } from '../../src/api/parse.ts';
import { GENERATED_NAME_PLACEHOLDER } from '../../src/api/schema.ts';
import { validateJob } from '../../src/api/validate.ts';
import { validateCommand } from '../../src/cli/validate.ts';
import { repoRoot } from '../cluster/control-plane.ts';
import * as harness from './harness.ts';

const fixtureDir = join(repoRoot, 'test/fixtures/field-validation');
const execFileAsync = promisify(execFile);
const sorted = (lines: string[]) => [...lines].sort();

interface Answer {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** The cached kubectl; resolves with its output whether it succeeds or not. */
async function kubectl(args: string[], input?: string): Promise<Answer> {
  const { binDir, kubeconfigPath } = harness.cluster();
  const child = execFileAsync(join(binDir, 'kubectl'), ['--kubeconfig', kubeconfigPath, ...args], {
    maxBuffer: 16 * 1024 * 1024,
  });
  child.child.stdin?.end(input);
  try {
    const { stdout, stderr } = await child;
    return { ok: true, stdout, stderr };
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    return { ok: false, stdout, stderr };
  }
}

/** The 5 random characters of a generated name, which `validate` shows as its placeholder. */
function withPlaceholder(text: string, generateName: string | undefined): string {
  if (!generateName) return text;
  const escaped = generateName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(
    new RegExp(`${escaped}[bcdfghjklmnpqrstvwxz2456789]{5}`, 'g'),
    generateName + GENERATED_NAME_PLACEHOLDER,
  );
}

/** The errors of a refused create: a strict decoding error's list, or the field errors of a 422. */
function errorsOf(answer: Answer): string[] {
  if (answer.ok) return [];
  const strict = /strict decoding error: (.*)$/m.exec(answer.stderr);
  if (strict) return strict[1].split(/, (?=(?:unknown|duplicate) field ")/);
  const invalid = /is invalid: (.*)$/ms.exec(answer.stderr.trim());
  assert.ok(invalid, `an error kubectl reports this way: ${answer.stderr}`);
  const body = invalid[1].trim();
  return body.startsWith('* ') ? body.split('\n').map((line) => line.replace(/^\* /, '')) : [body];
}

const warningsOf = (stderr: string) =>
  stderr
    .split('\n')
    .filter((line) => line.startsWith('Warning: '))
    .map((line) => line.slice('Warning: '.length));

/** The stored object without what only the API server sets. */
function comparable(object: Record<string, unknown>): Record<string, unknown> {
  const metadata = { ...(object.metadata as Record<string, unknown>) };
  for (const field of [
    'creationTimestamp',
    'generation',
    'managedFields',
    'uid',
    'resourceVersion',
    'namespace',
  ]) {
    delete metadata[field];
  }
  return { ...object, metadata };
}

interface Fixture {
  file: string;
  text: string;
  expected: string[];
  namespace: string;
}

/** What the API server answers to a dry-run create of the fixture under a field validation. */
async function create(fixture: Fixture, fieldValidation: 'Strict' | 'Warn'): Promise<Answer> {
  const body = fixture.text.replace(/^#.*\n/gm, '');
  if (body.startsWith('{')) {
    const [{ job }] = parseJobDocuments(body, fixture.file);
    const path =
      `/apis/kubeflow.org/v1/namespaces/${fixture.namespace}/${KINDS[job.kind].plural}` +
      `?dryRun=All&fieldValidation=${fieldValidation}`;
    return kubectl(['create', '--raw', path, '-f', '-'], body);
  }
  const flag = fieldValidation === 'Strict' ? 'strict' : 'warn';
  return kubectl(
    ['create', '--dry-run=server', `--validate=${flag}`, '-n', fixture.namespace, '-o', 'json', '-f', '-'],
    fixture.text,
  );
}

/** `training-operator validate`'s errors (without the `<Kind>/<name>: ` prefix) and warnings. */
function offline(fixture: Fixture, fieldValidation: 'Strict' | 'Warn') {
  const out: string[] = [];
  const err: string[] = [];
  validateCommand(
    [join(fixtureDir, fixture.file)],
    { out: (l) => out.push(l), err: (l) => err.push(l) },
    fieldValidation,
  );
  const [{ job, duplicateFields }] = parseJobDocuments(fixture.text, fixture.file);
  const { stored } = validateJob(job, undefined, { fieldValidation, duplicateFields });
  const unprefixed = (line: string) => line.replace(/^[A-Za-z]+\/[^:]+: /, '');
  return {
    errors: out.map(unprefixed),
    // Dropped nulls are our own warning; the API server drops them silently.
    warnings: err
      .map(unprefixed)
      .map((l) => l.replace(/^warning: /, ''))
      .filter((l) => !l.includes('null dropped')),
    stored,
  };
}

describe('field validation: training-operator validate and the API server agree', () => {
  const files = readdirSync(fixtureDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();

  test('the fixtures are there', () => assert.ok(files.length >= 5, `only ${files.length} in ${fixtureDir}`));

  for (const file of files) {
    test(file, async () => {
      const text = readFileSync(join(fixtureDir, file), 'utf8');
      const expected = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1]);
      const fixture: Fixture = { file, text, expected, namespace: await harness.namespace('fields') };
      const [{ job }] = parseJobDocuments(text, file);
      const generateName = job.metadata.name ? undefined : job.metadata.generateName;

      const strict = await create(fixture, 'Strict');
      // The API server's order differs from kube-openapi's in places (invalid-corpus.test.ts sorts too).
      assert.deepEqual(
        sorted(errorsOf(strict).map((e) => withPlaceholder(e, generateName))),
        sorted(expected),
        'API server, strict',
      );
      assert.deepEqual(offline(fixture, 'Strict').errors, expected, 'training-operator validate');

      const warn = await create(fixture, 'Warn');
      const ours = offline(fixture, 'Warn');
      assert.deepEqual(ours.warnings, warningsOf(warn.stderr), 'warnings');
      if (!warn.ok) return;
      const stored = JSON.parse(withPlaceholder(warn.stdout, generateName)) as Record<string, unknown>;
      assert.deepEqual(comparable(ours.stored as never), comparable(stored), 'the stored object');
    });
  }
});
