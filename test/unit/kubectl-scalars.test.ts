// Plain scalars are read as kubectl reads them (go-yaml v2 under sigs.k8s.io/yaml), so that `validate`
// judges what kubectl sends. The expected values were read back from `kubectl create --dry-run=client
// -o json` (v1.35) of the same document.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJobDocuments } from '../../src/api/parse.ts';

const AS_KUBECTL_READS: [string, unknown][] = [
  ['yes', true],
  ['Y', true],
  ['on', true],
  ['off', false],
  ['"yes"', 'yes'],
  ['~', null],
  ['', null],
  ['0755', 493],
  ['"0755"', '0755'],
  ['0o17', 15],
  ['+0x1F', 31],
  ['0x_1F', 31],
  ['-0b101', -5],
  ['1_000', 1000],
  ['08', 8],
  ['00', 0],
  ['.5', 0.5],
  ['-.5', -0.5],
  ['1.', 1],
  ['1e3', 1000],
  ['12e', '12e'],
  ['0b2', '0b2'],
  ['0o8', '0o8'],
  ['1:4', '1:4'],
  ['2001-12-14', '2001-12-14'],
  ['2001-12-14T21:59:43.10-05:00', '2001-12-14T21:59:43.10-05:00'],
  ['10Gi', '10Gi'],
  ['1.2.3', '1.2.3'],
  ['0.0.0.0', '0.0.0.0'],
];

const read = (yaml: string) =>
  (
    parseJobDocuments(`apiVersion: kubeflow.org/v1\nkind: TFJob\nmetadata: {name: a}\n${yaml}`, 'job.yaml')[0]
      .job as unknown as { x: unknown }
  ).x;

test('plain scalars: YAML 1.1 booleans and numbers as go-yaml v2 resolves them, no sexagesimal, no timestamps', () => {
  for (const [text, value] of AS_KUBECTL_READS) assert.deepEqual(read(`x: ${text}\n`), value, text);
});

test('keys too (`on:` is the key "true"), and merge keys', () => {
  assert.deepEqual(read('x: {on: a, n: b, 1: c}\n'), { true: 'a', false: 'b', 1: 'c' });
  assert.deepEqual(read('x: {<<: {a: 1, b: 2}, b: 3}\n'), { a: 1, b: 3 });
});
