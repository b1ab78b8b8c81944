// The YAML that `synth`, `crds` and `install-manifests` print is read back the same by a YAML 1.2 parser
// and by a YAML 1.1 one (kubectl's go-yaml v2, PyYAML, Ruby and many CI tools read 1.1, where `1:4` is the
// integer 64, `0755` is 493 and `on` is true). The `yaml` package's `version: '1.1'` mode is such a parser.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../src/api/types.ts';
import { synthCommand } from '../../src/cli/synth.ts';
import { needsQuotes, toYaml } from '../../src/cli/yaml.ts';

const UPSTREAM = join(import.meta.dirname, '../fixtures/compat/upstream-examples');

const readBoth = (text: string) =>
  (['1.1', '1.2'] as const).map((version) =>
    parseAllDocuments(text, { version }).map((doc) => doc.toJS({ maxAliasCount: -1 }) as unknown),
  );

/** Strings that YAML 1.1 or 1.2 parsers take for numbers, booleans, nulls, timestamps or merge keys. */
const AMBIGUOUS = [
  ...['1:4', '190:20:30.15', '0755', '0o17', '0b101', '0x1F', '1_000', '+12', '08', '12', '-3'],
  ...['1.5', '.5', '1e3', '6.8523015e+5', '.inf', '-.Inf', '.NaN'],
  ...['yes', 'No', 'ON', 'off', 'y', 'N', 'true', 'False', '~', 'null', 'NULL', ''],
  ...['2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5'],
  ...['<<', '='],
];
const PLAIN = ['x', 'auto', 'c10d', '10Gi', '1.2.3', 'on1', 'yesterday', 'nvidia.com/gpu', 'TCP', '1-4'];

interface Pod {
  kind: string;
  spec: { containers: { env: { name: string; value: string }[] }[] };
}

function synthesized(files: string[]): string {
  const out: string[] = [];
  const code = synthCommand(
    { files, namespace: 'default', fieldValidation: 'Warn' },
    { out: (line) => out.push(line), err: () => undefined },
  );
  assert.equal(code, 0);
  return out.join('\n');
}

describe('YAML every parser reads the same', () => {
  test('ambiguous strings are quoted, as keys and as values; plain ones are not', () => {
    for (const text of AMBIGUOUS) assert.ok(needsQuotes(text), text);
    for (const text of PLAIN) assert.ok(!needsQuotes(text), text);
    const object = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a' },
      data: Object.fromEntries([...AMBIGUOUS, ...PLAIN].map((text) => [text, text])),
      list: [...AMBIGUOUS, ...PLAIN],
    } as KubeObject;
    const [yaml11, yaml12] = readBoth(toYaml([object]));
    assert.deepEqual(yaml11, [object]);
    assert.deepEqual(yaml12, [object]);
  });

  test('an elastic PyTorchJob: PET_NNODES 1:4 stays a string', () => {
    const job = readFileSync(join(UPSTREAM, 'pytorch_elastic_echo_echo.yaml'), 'utf8');
    const [objects] = readBoth(synthesized([writeTemp(job.replace('maxReplicas: 2', 'maxReplicas: 4'))]));
    const values = (objects as Pod[])
      .filter((o) => o.kind === 'Pod')
      .flatMap((pod) => pod.spec.containers[0].env)
      .filter((variable) => variable.name === 'PET_NNODES')
      .map((variable) => variable.value);
    assert.ok(values.length > 0);
    assert.deepEqual(new Set(values), new Set(['1:4']));
  });

  test('every object synthesized from the compatibility corpus reads the same in YAML 1.1 and 1.2', () => {
    const files = readdirSync(UPSTREAM)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(UPSTREAM, f));
    assert.ok(files.length >= 20, `only ${files.length} files in ${UPSTREAM}`);
    for (const file of files) {
      const [yaml11, yaml12] = readBoth(synthesized([file]));
      assert.ok(yaml12.length > 0, file);
      assert.deepEqual(yaml11, yaml12, file);
    }
  });
});

function writeTemp(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'yaml-output-')), 'job.yaml');
  writeFileSync(path, text);
  return path;
}
