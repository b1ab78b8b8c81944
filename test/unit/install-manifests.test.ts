// `training-operator install-manifests` as a user runs it: the real bin script in a child process.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../src/api/types.ts';
import { runBin } from '../support/bin.ts';

const objectsIn = (yaml: string) => parseAllDocuments(yaml).map((document) => document.toJS() as KubeObject);

const kindsOf = (objects: KubeObject[]) => objects.map((object) => object.kind);

describe('training-operator install-manifests', () => {
  test('by default: the namespace, then what the chart installs with its default values', () => {
    const { code, stdout } = runBin(['install-manifests']);
    assert.equal(code, 0);
    const objects = objectsIn(stdout);
    assert.deepEqual(kindsOf(objects), [
      'Namespace',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Service',
      'Deployment',
    ]);
    assert.ok(
      objects.every((o) => o.kind.startsWith('Cluster') || o.kind === 'Namespace' || o.metadata.namespace),
    );
  });

  test('--with-crds puts the CRDs of `training-operator crds` first, as they are', () => {
    const crds = runBin(['crds']).stdout;
    assert.ok(runBin(['install-manifests', '--with-crds']).stdout.startsWith(`${crds.trimEnd()}\n---\n`));
  });

  test('the chart’s main values as options', () => {
    const { code, stdout } = runBin([
      'install-manifests',
      '-n',
      'ml-system',
      '--watch-namespace',
      'team-a,team-b',
      '--replicas=3',
      '--enable-scheme=pytorchjob',
      '--gang-scheduler-name=volcano',
      '--no-create-namespace',
    ]);
    assert.equal(code, 0);
    const objects = objectsIn(stdout);
    const roles = objects
      .filter((o) => o.kind === 'Role')
      .map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    assert.deepEqual(roles, [
      'team-a/training-operator',
      'team-b/training-operator',
      'ml-system/training-operator-leader-election',
    ]);
    const deployment = objects.find((o) => o.kind === 'Deployment')!;
    assert.equal((deployment.spec as { replicas: number }).replicas, 3);
    assert.ok(!kindsOf(objects).includes('Namespace'));
  });

  const refused: [string, string[], RegExp][] = [
    ['an unknown kind', ['--enable-scheme=kerasjob'], /scheme kerasjob is not supported/],
    ['no replica', ['--replicas=0'], /replicas must be a whole number of at least 1 \(got 0\)/],
    ['an invalid namespace', ['--watch-namespace=Team_A'], /"Team_A" is not a valid namespace name/],
    ['a negative QPS', ['--kube-api-qps=-1'], /kube-api-qps must be 0 or more/],
  ];
  for (const [what, args, message] of refused) {
    test(`refuses ${what} with exit 2 and prints nothing`, () => {
      const { code, stdout, stderr } = runBin(['install-manifests', ...args]);
      assert.equal(code, 2);
      assert.equal(stdout, '');
      assert.match(stderr, message);
    });
  }
});
