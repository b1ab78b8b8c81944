// Our CRDs (crds/*.yaml) install on a real API server with server-side apply and become Established,
// serve every kubeflow.org/v1 kind, and the PodGroup CRDs of both gang schedulers are there too.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ApiextensionsV1Api, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import YAML from 'yaml';
import { GROUP, KIND_NAMES, KINDS, VERSION } from '../../src/api/kinds.ts';
import { ownCrdFiles } from '../cluster/control-plane.ts';
import * as harness from './harness.ts';

const crdFiles = ownCrdFiles();

const conditionOf = (crd: V1CustomResourceDefinition, type: string) =>
  crd.status?.conditions?.find((c) => c.type === type)?.status;

async function readEstablished(name: string): Promise<V1CustomResourceDefinition> {
  const api = harness.client(ApiextensionsV1Api);
  return harness.waitFor(
    async () => {
      const crd = await api.readCustomResourceDefinition({ name });
      return conditionOf(crd, 'Established') === 'True' ? crd : undefined;
    },
    30_000,
    `CRD ${name} to be Established`,
  );
}

describe('CRDs on a real API server', () => {
  test('crds/ holds the CRDs', () => {
    assert.ok(crdFiles.length > 0, 'no CRD YAML in crds/');
  });

  test('server-side apply accepts every CRD, and each one is Established with its names accepted', async () => {
    const names = crdFiles.flatMap((file) =>
      YAML.parseAllDocuments(readFileSync(file, 'utf8'))
        .map((doc) => doc.toJS() as V1CustomResourceDefinition | null)
        .filter((crd): crd is V1CustomResourceDefinition => crd?.kind === 'CustomResourceDefinition')
        .map((crd) => crd.metadata?.name ?? ''),
    );
    assert.ok(names.length > 0, 'crds/ holds no CustomResourceDefinition');
    await harness.kubectl([
      'apply',
      '--server-side',
      `--field-manager=${harness.FIELD_MANAGER}`,
      ...crdFiles.flatMap((f) => ['-f', f]),
    ]);
    for (const name of names) {
      const crd = await readEstablished(name);
      assert.equal(conditionOf(crd, 'NamesAccepted'), 'True', `${name} NamesAccepted`);
    }
  });

  test(`every ${GROUP}/${VERSION} kind is served`, async () => {
    const discovery = JSON.parse(await harness.kubectl(['get', '--raw', `/apis/${GROUP}/${VERSION}`])) as {
      resources: { name: string; kind: string }[];
    };
    const served = new Map(discovery.resources.map((r) => [r.name, r.kind]));
    for (const kind of KIND_NAMES) assert.equal(served.get(KINDS[kind].plural), kind, `${kind} is served`);
  });

  test('the Volcano and scheduler-plugins PodGroup CRDs are Established', async () => {
    for (const name of ['podgroups.scheduling.volcano.sh', 'podgroups.scheduling.x-k8s.io']) {
      const crd = await readEstablished(name);
      assert.equal(crd.spec.names.kind, 'PodGroup');
    }
  });
});
