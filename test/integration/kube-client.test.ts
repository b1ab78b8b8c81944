// KubeClient against the real kube-apiserver of the test run: CRUD on a custom resource of a CRD made
// here (with a status subresource), error mapping, paging, watches, and 410 Gone as the server sends it.
import assert from 'node:assert/strict';
import { before, after, describe, test } from 'node:test';
import { KubeClient } from '../../src/kube/client.ts';
import { loadKubeConfig } from '../../src/kube/config.ts';
import { isAlreadyExists, isConflict, isGone, isInvalid } from '../../src/kube/errors.ts';
import { CONFIG_MAP, CRD, RESOURCES, ResourceRegistry, type Resource } from '../../src/kube/resources.ts';
import type { KubeObjectLike, ObjectRef } from '../../src/kube/types.ts';
import * as harness from './harness.ts';

const WIDGET: Resource = {
  group: 'kube-test.training-operator.dev',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  namespaced: true,
};
const WIDGET_API = `${WIDGET.group}/${WIDGET.version}`;

interface Widget extends KubeObjectLike {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${WIDGET.plural}.${WIDGET.group}` },
  spec: {
    group: WIDGET.group,
    scope: 'Namespaced',
    names: { kind: WIDGET.kind, plural: WIDGET.plural, singular: 'widget', listKind: 'WidgetList' },
    versions: [
      {
        name: WIDGET.version,
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                'x-kubernetes-preserve-unknown-fields': true,
                properties: { size: { type: 'integer', minimum: 0 } },
              },
              status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            },
          },
        },
      },
    ],
  },
};

/** Applies the Widget CRD (idempotent, so reruns on one cluster work) and waits until it is served. */
async function installWidgetCrd(client: KubeClient): Promise<void> {
  await client.apply(crd);
  await harness.waitFor(
    async () => {
      const current = await client.get<
        KubeObjectLike & { status?: { conditions?: { type: string; status: string }[] } }
      >({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: CRD.kind,
        name: crd.metadata.name,
      });
      return current?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    },
    30_000,
    'the Widget CRD to be Established',
  );
}

const widget = (namespace: string, name: string, spec: Record<string, unknown> = { size: 1 }): Widget => ({
  apiVersion: WIDGET_API,
  kind: WIDGET.kind,
  metadata: { name, namespace, labels: { app: 'kube-client-test' } },
  spec,
});

describe('KubeClient on a real API server', () => {
  let client: KubeClient;
  let ns: string;
  const ref = (name: string): ObjectRef => ({
    apiVersion: WIDGET_API,
    kind: WIDGET.kind,
    namespace: ns,
    name,
  });

  before(async () => {
    harness.cluster();
    client = await KubeClient.create(loadKubeConfig(), {
      qps: 0,
      resources: new ResourceRegistry([...RESOURCES, WIDGET]),
    });
    await installWidgetCrd(client);
    ns = await harness.namespace('kube-client');
  });

  after(() => client.close());

  test('create, get, list by label: custom fields kept, timestamps stay strings', async () => {
    const created = await client.create(widget(ns, 'a', { size: 2, extra: { nested: [1, 2] } }));
    assert.equal(created.metadata?.namespace, ns);
    const read = await client.get<Widget & { metadata: { creationTimestamp: unknown } }>(ref('a'));
    assert.deepEqual(read?.spec, { size: 2, extra: { nested: [1, 2] } });
    assert.equal(typeof read?.metadata.creationTimestamp, 'string');
    await client.create(widget(ns, 'other'));
    await client.patch(ref('other'), { metadata: { labels: { app: 'else' } } }, 'merge');
    const listed = await client.list<Widget>(WIDGET, {
      namespace: ns,
      labelSelector: 'app=kube-client-test',
    });
    assert.deepEqual(
      listed.items.map((w) => w.metadata?.name),
      ['a'],
    );
    assert.match(listed.resourceVersion, /^\d+$/);
    assert.equal(await client.get(ref('missing')), undefined);
  });

  test('merge patch, server-side apply and a status write with the resourceVersion read', async () => {
    await client.create(widget(ns, 'b'));
    const merged = await client.patch<Widget>(ref('b'), { spec: { size: 3 } }, 'merge');
    assert.equal(merged.spec?.size, 3);
    const applied = await client.apply<Widget>(widget(ns, 'b', { size: 4, color: 'red' }), {
      fieldManager: 'kube-client-test',
    });
    assert.deepEqual(applied.spec, { size: 4, color: 'red' });
    const withStatus = await client.replaceStatus<Widget>({ ...applied, status: { phase: 'Ready' } });
    assert.deepEqual(withStatus.status, { phase: 'Ready' });
    assert.deepEqual((await client.get<Widget>(ref('b')))?.spec, { size: 4, color: 'red' }, 'spec untouched');
    const statusPatched = await client.patch<Widget>(ref('b'), { status: { phase: 'Done' } }, 'merge', {
      subresource: 'status',
    });
    assert.deepEqual(statusPatched.status, { phase: 'Done' });
  });

  test('AlreadyExists, Conflict and Invalid are mapped', async () => {
    const first = await client.create(widget(ns, 'c'));
    await assert.rejects(client.create(widget(ns, 'c')), (err: Error) => {
      assert.ok(isAlreadyExists(err));
      assert.equal(err.message, `409 AlreadyExists: ${WIDGET.plural}.${WIDGET.group} "c" already exists`);
      return true;
    });
    await client.patch(ref('c'), { spec: { size: 5 } }, 'merge');
    await assert.rejects(client.replace({ ...first, spec: { size: 6 } }), (err) => isConflict(err));
    await assert.rejects(client.replaceStatus({ ...first, status: { phase: 'x' } }), (err) =>
      isConflict(err),
    );
    await assert.rejects(client.patch(ref('c'), { spec: { size: -1 } }, 'merge'), (err) => isInvalid(err));
  });

  test('delete: true, then gone, then false; a uid precondition protects a newer incarnation', async () => {
    const old = await client.create(widget(ns, 'd'));
    assert.equal(await client.delete(ref('d'), { propagationPolicy: 'Background' }), true);
    assert.equal(await client.get(ref('d')), undefined);
    assert.equal(await client.delete(ref('d')), false);
    await client.create(widget(ns, 'd'));
    await assert.rejects(client.delete(ref('d'), { preconditions: { uid: old.metadata?.uid } }), (err) =>
      isConflict(err),
    );
    assert.ok(await client.get(ref('d')), 'the new incarnation survived');
  });

  test('listAll pages through continue tokens to one snapshot; built-in items get apiVersion and kind', async () => {
    for (let i = 0; i < 5; i++) {
      await client.create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `cm-${i}`, namespace: ns },
      });
    }
    const before = client.requests.count('list', 'configmaps');
    const all = await client.listAll(CONFIG_MAP, { namespace: ns, pageSize: 2 });
    const names = all.items.map((c) => c.metadata?.name).filter((n) => n?.startsWith('cm-'));
    assert.deepEqual(names, ['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4']);
    assert.ok(all.items.every((c) => c.apiVersion === 'v1' && c.kind === 'ConfigMap'));
    assert.ok(client.requests.count('list', 'configmaps') - before >= 3, 'at least three pages');
  });

  test('a watch gets events and ends when the server closes it (timeoutSeconds)', async () => {
    const start = await client.list(WIDGET, { namespace: ns });
    const events: string[] = [];
    const watching = client.watch<Widget>(
      WIDGET,
      { namespace: ns, resourceVersion: start.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 2 },
      (e) => events.push(`${e.type} ${e.object.metadata?.name ?? ''}`),
    );
    await client.create(widget(ns, 'w'));
    await client.delete(ref('w'));
    await watching;
    assert.deepEqual(
      events.filter((e) => !e.startsWith('BOOKMARK')),
      ['ADDED w', 'DELETED w'],
    );
  });

  test('a watch from a resourceVersion older than the CRD rejects with 410 Gone', async () => {
    await assert.rejects(
      client.watch(WIDGET, { namespace: ns, resourceVersion: '1' }, () => {}),
      (err: Error) => isGone(err) && /too old resource version/.test(err.message),
    );
  });

  test('an abort ends a running watch', async () => {
    const controller = new AbortController();
    const watching = client.watch(WIDGET, { namespace: ns }, () => {}, controller.signal);
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(watching, { name: 'AbortError' });
  });
});
