// What `validate` and `synth` work on: the job as the API server stores it on create (unknown fields
// pruned, nulls dropped, schema defaults applied, name generated), the request's field validation
// (Strict, Warn, Ignore) and the input the parser refuses.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InputError } from '../../src/api/errors.ts';
import { replicaSpecs } from '../../src/api/job.ts';
import { MAX_ALIAS_COUNT, MAX_NESTING_DEPTH, parseJobDocuments } from '../../src/api/parse.ts';
import { GENERATED_NAME_PLACEHOLDER } from '../../src/api/schema.ts';
import type { Job } from '../../src/api/types.ts';
import { validateJob } from '../../src/api/validate.ts';
import { synthCommand } from '../../src/cli/synth.ts';
import { validateCommand } from '../../src/cli/validate.ts';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const JOB = `apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata:
  name: train
spec:
  pytorchReplicaSpecs:
    Worker:
      replicas: 2
      template:
        spec:
          containers:
            - name: pytorch
              image: busybox
              ports: [{ name: metrics, containerPort: 8080 }]
              resources:
                limits:
                  nvidia.com/gpu:
`;

const parseOne = (text: string) => {
  const [parsed] = parseJobDocuments(text, 'job.yaml');
  return parsed;
};

const container = (job: Job) => replicaSpecs(job).Worker.template!.spec!.containers[0];

const dir = mkdtempSync(join(tmpdir(), 'stored-object-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function run(command: (output: { out: (l: string) => void; err: (l: string) => void }) => number) {
  const out: string[] = [];
  const err: string[] = [];
  const code = command({ out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

describe('the stored job', () => {
  test('nulls the schema does not allow are dropped, with a warning', () => {
    const { errors, warnings, stored } = validateJob(parseOne(JOB).job);
    assert.deepEqual(errors, []);
    assert.deepEqual(container(stored).resources!.limits, {});
    assert.deepEqual(warnings, [
      'spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].resources.limits.nvidia.com/gpu: null dropped: the API server stores the job without this field',
    ]);
  });

  test('schema defaults of the pod template are applied (ports get protocol TCP)', () => {
    const { stored } = validateJob(parseOne(JOB).job);
    assert.deepEqual(container(stored).ports, [{ name: 'metrics', containerPort: 8080, protocol: 'TCP' }]);
  });

  test('unknown fields, in metadata too, are pruned; status is dropped; the input is left alone', () => {
    const text = JOB.replace('  name: train\n', '  name: train\n  label: {a: b}\n').replace(
      '          containers:',
      '          podAntiAffinity: {}\n          containers:',
    );
    const { job } = parseOne(`${text}status: {conditions: []}\n`);
    const { errors, warnings, stored } = validateJob(job);
    assert.deepEqual(errors, []);
    assert.deepEqual(warnings.slice(0, 2), [
      'unknown field "metadata.label"',
      'unknown field "spec.pytorchReplicaSpecs.Worker.template.spec.podAntiAffinity"',
    ]);
    assert.equal('label' in stored.metadata, false);
    assert.equal('status' in stored, false);
    assert.equal('podAntiAffinity' in replicaSpecs(stored).Worker.template!.spec!, false);
    assert.ok('status' in job && 'label' in job.metadata, 'the parsed job is not modified');
  });
});

describe('field validation: Strict, Warn, Ignore', () => {
  const text = JOB.replace(
    'spec:\n  pytorchReplicaSpecs:',
    'spec:\n  foo: 1\n  pytorchReplicaSpecs:',
  ).replace('      replicas: 2\n', '      replicas: 2\n      replicas: 3\n');

  test('repeated keys are found with their paths; the last one counts', () => {
    const { job, duplicateFields } = parseOne(text);
    assert.deepEqual(duplicateFields, ['spec.pytorchReplicaSpecs.Worker.replicas']);
    assert.equal(replicaSpecs(job).Worker.replicas, 3);
    const listed = parseOne(JOB.replace('image: busybox', 'image: busybox\n              image: alpine'));
    assert.deepEqual(listed.duplicateFields, [
      'spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].image',
    ]);
    assert.equal(container(listed.job).image, 'alpine');
  });

  test('Strict: errors without a path, duplicates first, as the API server lists them', () => {
    const { job, duplicateFields } = parseOne(text);
    const { errors } = validateJob(job, undefined, { fieldValidation: 'Strict', duplicateFields });
    assert.deepEqual(errors, [
      { path: '', message: 'duplicate field "spec.pytorchReplicaSpecs.Worker.replicas"' },
      { path: '', message: 'unknown field "spec.foo"' },
    ]);
  });

  test('Warn: warnings; Ignore: nothing, not even for dropped nulls', () => {
    const { job, duplicateFields } = parseOne(text);
    const warn = validateJob(job, undefined, { fieldValidation: 'Warn', duplicateFields });
    assert.deepEqual(warn.errors, []);
    assert.deepEqual(warn.warnings.slice(0, 2), [
      'duplicate field "spec.pytorchReplicaSpecs.Worker.replicas"',
      'unknown field "spec.foo"',
    ]);
    const ignore = validateJob(job, undefined, { fieldValidation: 'Ignore', duplicateFields });
    assert.deepEqual([ignore.errors, ignore.warnings], [[], []]);
  });

  test('validate: strict by default (exit 1), --validate=warn and ignore exit 0', () => {
    const path = file('fields.yaml', text);
    const strict = run((output) => validateCommand([path], output));
    assert.equal(strict.code, 1);
    assert.deepEqual(strict.out, [
      'PyTorchJob/train: duplicate field "spec.pytorchReplicaSpecs.Worker.replicas"',
      'PyTorchJob/train: unknown field "spec.foo"',
    ]);
    const warn = run((output) => validateCommand([path], output, 'Warn'));
    assert.equal(warn.code, 0);
    assert.deepEqual(warn.out, []);
    assert.ok(warn.err.includes('PyTorchJob/train: warning: unknown field "spec.foo"'), warn.err.join('\n'));
    const ignore = run((output) => validateCommand([path], output, 'Ignore'));
    assert.deepEqual([ignore.code, ignore.out, ignore.err], [0, [], []]);
  });

  test('synth: refuses under Strict, renders the stored job under Warn', () => {
    const path = file('synth.yaml', text);
    const strict = run((output) => synthCommand({ files: [path], namespace: 'default' }, output));
    assert.equal(strict.code, 1);
    assert.deepEqual(strict.out, []);
    const warn = run((output) =>
      synthCommand({ files: [path], namespace: 'default', fieldValidation: 'Warn' }, output),
    );
    assert.equal(warn.code, 0);
    const pods = parseAllDocuments(warn.out.join('\n'))
      .map((d) => d.toJS() as { kind: string; spec: { containers: { ports: object[] }[] } })
      .filter((o) => o.kind === 'Pod');
    assert.equal(pods.length, 3, 'the last replicas (3) counts');
  });
});

describe('generateName', () => {
  const text = JOB.replace('  name: train\n', '  generateName: train-\n');

  test('the API server generates the name before validation; a placeholder stands for its suffix', () => {
    const { job } = parseOne(text);
    const { errors, stored } = validateJob(job);
    assert.deepEqual(errors, []);
    assert.equal(stored.metadata.name, `train-${GENERATED_NAME_PLACEHOLDER}`);
  });

  test('every other error is reported, and an invalid generateName too', () => {
    const bad = text
      .replace('generateName: train-', 'generateName: Train-')
      .replace('replicas: 2', 'replicas: -1');
    const result = run((output) => validateCommand([file('bad.yaml', bad)], output));
    assert.equal(result.code, 1);
    assert.ok(
      result.out.some((l) =>
        l.startsWith('PyTorchJob/Train-00000: metadata.generateName: Invalid value: "Train-"'),
      ),
      result.out.join('\n'),
    );
    assert.ok(
      result.out.some((l) => l.includes('spec.pytorchReplicaSpecs[Worker].replicas')),
      result.out.join('\n'),
    );
  });

  test('a long prefix is cut to leave room for the suffix, as the API server cuts it', () => {
    const { stored } = validateJob(parseOne(text.replace('train-', `${'a'.repeat(70)}-`)).job);
    assert.equal(stored.metadata.name, `${'a'.repeat(58)}${GENERATED_NAME_PLACEHOLDER}`);
  });

  test('synth prints the placeholder name and says so on stderr', () => {
    const result = run((output) =>
      synthCommand({ files: [file('generate.yaml', text)], namespace: 'default' }, output),
    );
    assert.equal(result.code, 0, result.err.join('\n'));
    assert.match(result.out.join('\n'), /name: train-00000-worker-0/);
    assert.ok(
      result.err.some((l) =>
        /^PyTorchJob\/train-00000: metadata\.generateName: .*placeholder suffix 00000/.test(l),
      ),
      result.err.join('\n'),
    );
  });

  test('a job with neither name nor generateName is unusable input', () => {
    assert.throws(
      () => parseOne(JOB.replace('  name: train\n', '  labels: {a: b}\n')),
      (e: Error) =>
        e instanceof InputError && /job\.yaml: PyTorchJob has neither metadata\.name nor/.test(e.message),
    );
  });
});

describe('unusable input: a clear message with the file name', () => {
  const nested = (depth: number) =>
    `{"apiVersion":"kubeflow.org/v1","kind":"PyTorchJob","metadata":{"name":"a"},"spec":{"foo":${'['.repeat(depth - 2)}1${']'.repeat(depth - 2)}}}`;

  test(`JSON nested ${MAX_NESTING_DEPTH} levels deep is read, and the deep unknown field pruned`, () => {
    const { job } = parseOne(nested(MAX_NESTING_DEPTH));
    const { warnings, stored } = validateJob(job);
    assert.ok(warnings.includes('unknown field "spec.foo"'));
    assert.equal('foo' in stored.spec, false);
  });

  test('deeper nesting is refused with the limit, not as malformed YAML', () => {
    for (const text of [
      nested(MAX_NESTING_DEPTH + 1),
      nested(1_200),
      `${Array.from({ length: MAX_NESTING_DEPTH + 1 }, (_, i) => `${' '.repeat(i)}a:`).join('\n')} 1\n`,
    ]) {
      assert.throws(
        () => parseOne(text),
        (e: Error) =>
          e instanceof InputError &&
          e.message.startsWith(`job.yaml: nested more than ${MAX_NESTING_DEPTH} levels deep at line`),
      );
    }
  });

  test('an alias bomb is refused', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const name of 'bcdefg') {
      const previous = String.fromCharCode(name.charCodeAt(0) - 1);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
    }
    assert.throws(
      () => parseOne(levels.join('\n')),
      (e: Error) =>
        e instanceof InputError &&
        e.message ===
          `job.yaml: YAML aliases expand to more than ${MAX_ALIAS_COUNT} copies (an "alias bomb"); refused`,
    );
  });
});
