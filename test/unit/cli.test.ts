// The CLI as a user runs it: the real bin script in a child process, with no kubeconfig and no network.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { KIND_NAMES } from '../../src/api/kinds.ts';
import { runBin } from '../support/bin.ts';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'training-operator.js');

const kindsOf = (yaml: string) => parseAllDocuments(yaml).map((d) => (d.toJS() as { kind: string }).kind);

describe('training-operator synth', () => {
  test('every example synthesizes; every kind is covered', () => {
    const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.yaml'));
    for (const file of examples) {
      const { code, stdout, stderr } = runBin(['synth', '-f', join('examples', file)]);
      assert.equal(code, 0, `${file}: ${stderr}`);
      assert.ok(kindsOf(stdout).includes('Pod'), file);
    }
    for (const kind of KIND_NAMES)
      assert.ok(examples.includes(`${kind.toLowerCase()}.yaml`), `an example of ${kind}`);
  });

  test('reads standard input and adds a PodGroup with --gang-scheduler volcano', () => {
    const { code, stdout } = runBin(
      ['synth', '-f', '-', '--gang-scheduler', 'volcano'],
      readExample('jaxjob.yaml'),
    );
    assert.equal(code, 0);
    assert.deepEqual(kindsOf(stdout), ['PodGroup', 'Pod', 'Service', 'Pod', 'Service']);
  });

  test("the MPI launcher's kubectl-delivery image: the reference's default, or the flag's", () => {
    const deliveryImage = (args: string[]) => {
      const { stdout } = runBin(['synth', '-f', 'examples/mpijob.yaml', ...args]);
      const launcher = parseAllDocuments(stdout)
        .map(
          (d) => d.toJS() as { kind: string; spec?: { initContainers?: { name: string; image: string }[] } },
        )
        .find((o) => o.kind === 'Pod' && o.spec?.initContainers?.length);
      return launcher?.spec?.initContainers?.find((c) => c.name === 'kubectl-delivery')?.image;
    };
    assert.equal(deliveryImage([]), 'ghcr.io/kubeflow/training-v1/kubectl-delivery:latest');
    assert.equal(
      deliveryImage(['--mpi-kubectl-delivery-image', 'registry.example/kubectl-delivery:v1']),
      'registry.example/kubectl-delivery:v1',
    );
  });

  test('the same input gives the same bytes', () => {
    assert.equal(
      runBin(['synth', '-f', 'examples/mpijob.yaml']).stdout,
      runBin(['synth', '-f', 'examples/mpijob.yaml']).stdout,
    );
  });
});

describe('unusable input gets a clear message and exit 2, never a stack trace', () => {
  const cases: [string, string, RegExp][] = [
    ['empty input', '', /no job found \(the input is empty\)/],
    ['malformed YAML', 'kind: [unclosed', /malformed YAML at line 1/],
    [
      'another API version',
      'apiVersion: kubeflow.org/v1alpha1\nkind: PyTorchJob\nmetadata: {name: a}\n',
      /apiVersion kubeflow\.org\/v1alpha1; only kubeflow\.org\/v1 is served/,
    ],
    ['an unknown kind', 'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n', /v1 Pod is not a training job/],
    ['a list', '- a\n- b\n', /expected a Kubernetes object/],
    ['an alias bomb', aliasBomb(), /standard input: YAML aliases expand to more than 100 copies/],
    ['deep nesting', `${'['.repeat(2_000)}${']'.repeat(2_000)}`, /nested more than 500 levels deep/],
  ];
  for (const [what, input, message] of cases) {
    test(what, () => {
      for (const command of ['synth', 'validate']) {
        const { code, stderr } = runBin([command, '-f', '-'], input);
        assert.equal(code, 2, `${command}: ${stderr}`);
        assert.match(stderr, message);
        assert.doesNotMatch(stderr, /\n\s+at /);
      }
    });
  }

  test('a missing file and a missing command', () => {
    assert.match(runBin(['validate', '-f', 'nope.yaml']).stderr, /nope\.yaml: no such file/);
    const { code, stderr } = runBin([]);
    assert.equal(code, 2);
    assert.match(stderr, /name a command/);
  });
});

describe('output into a pipe its reader closes early (`| head`)', () => {
  test('ends quietly: exit 0, nothing on stderr, no EPIPE stack trace', async () => {
    // A thousand workers: megabytes of YAML, far more than a pipe buffers, so the write after the close fails.
    const job = readExample('pytorchjob.yaml').replace(/replicas: 2$/m, 'replicas: 1000');
    const child = spawn(process.execPath, [bin, 'synth', '-f', '-'], { cwd: root });
    child.stdin.end(job);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.once('data', () => child.stdout.destroy());
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(stderr, '');
    assert.equal(code, 0);
  });
});

function readExample(file: string): string {
  return readFileSync(join(root, 'examples', file), 'utf8');
}

/** Nine lists of nine aliases of the previous one, six times over: 9^6 strings from a few lines. */
function aliasBomb(): string {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i <= 6; i++)
    lines.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  return `${lines.join('\n')}\n`;
}
