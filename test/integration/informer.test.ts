// The informer against the real API server: events, label filtering, watches the server closes, and
// a relist after a real 410 Gone. The 410 comes from watching Volcano PodGroups (a CRD installed after
// the server started, so its watch cache begins at a recent revision) from resourceVersion 1.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { KubeClient, type WatchOptions } from '../../src/kube/client.ts';
import { loadKubeConfig } from '../../src/kube/config.ts';
import { CONFIG_MAP, VOLCANO_POD_GROUP } from '../../src/kube/resources.ts';
import type { KubeObjectLike, ObjectRef, WatchEvent } from '../../src/kube/types.ts';
import { Informer, type ListWatcher } from '../../src/manager/informer.ts';
import * as harness from './harness.ts';

interface Named extends KubeObjectLike {
  metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
}

/** Records handler calls as `add a`, `update a`, `delete a`. */
function record<T extends Named>(informer: Informer<T>): string[] {
  const events: string[] = [];
  informer
    .on('add', (o) => events.push(`add ${o.metadata.name}`))
    .on('update', (o) => events.push(`update ${o.metadata.name}`))
    .on('delete', (o) => events.push(`delete ${o.metadata.name}`));
  return events;
}

const waitForEvent = (events: string[], event: string) =>
  harness.waitFor(
    () => events.includes(event),
    10_000,
    `informer event "${event}" (got ${events.join(', ')})`,
  );

describe('Informer on a real API server', () => {
  let client: KubeClient;
  let ns: string;
  const configMap = (name: string, app = 'informer-test') => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns, labels: { app } },
    data: { v: '1' },
  });
  const cmRef = (name: string): ObjectRef => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name });

  before(async () => {
    harness.cluster();
    client = await KubeClient.create(loadKubeConfig(), { qps: 0 });
    ns = await harness.namespace('informer');
  });

  after(() => client.close());

  test('sees adds, updates and deletes of what its label selector admits, and nothing else', async () => {
    await client.create(configMap('before'));
    await client.create(configMap('unrelated', 'other'));
    const informer = new Informer<Named>(client, {
      resource: CONFIG_MAP,
      namespace: ns,
      labelSelector: 'app=informer-test',
    });
    const events = record(informer);
    await informer.start();
    assert.deepEqual(events, ['add before']);
    assert.equal(informer.get(ns, 'unrelated'), undefined);

    await client.create(configMap('later'));
    await waitForEvent(events, 'add later');
    await client.patch(cmRef('later'), { data: { v: '2' } }, 'merge');
    await waitForEvent(events, 'update later');
    assert.deepEqual(
      informer
        .list(ns)
        .map((o) => o.metadata.name)
        .sort(),
      ['before', 'later'],
    );
    await client.patch(cmRef('before'), { metadata: { labels: { app: 'other' } } }, 'merge');
    await waitForEvent(events, 'delete before');
    await client.delete(cmRef('later'));
    await waitForEvent(events, 'delete later');
    assert.deepEqual(informer.list(ns), []);
    assert.ok(!events.some((e) => e.endsWith('unrelated')));
    await informer.stop();
  });

  test('survives watches the server closes every second, without relisting', async () => {
    const informer = new Informer<Named>(client, {
      resource: CONFIG_MAP,
      namespace: ns,
      labelSelector: 'app=short-watch',
      watchTimeoutSeconds: 1,
    });
    const events = record(informer);
    const lists = client.requests.count('list', 'configmaps');
    const watches = client.requests.count('watch', 'configmaps');
    await informer.start();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await client.create(configMap('after-reconnects', 'short-watch'));
    await waitForEvent(events, 'add after-reconnects');
    assert.ok(client.requests.count('watch', 'configmaps') - watches >= 3, 'watched again after each close');
    assert.equal(client.requests.count('list', 'configmaps') - lists, 1, 'one list only');
    await informer.stop();
  });

  test('relists after 410 Gone and delivers the differences, deletes for what vanished', async () => {
    const podGroup = (name: string, minMember = 1) => ({
      apiVersion: 'scheduling.volcano.sh/v1beta1',
      kind: 'PodGroup',
      metadata: { name, namespace: ns },
      spec: { minMember },
    });
    const pgRef = (name: string): ObjectRef => ({ ...podGroup(name), namespace: ns, name });
    for (const name of ['kept', 'changed', 'vanished']) await client.create(podGroup(name));

    // The first watch starts from resourceVersion 1, after the cluster changed behind the informer's
    // back: the server answers 410, and the informer has to find the changes by relisting.
    let lists = 0;
    let firstWatch = true;
    const expiring: ListWatcher = {
      listAll: (type, opts) => {
        lists++;
        return client.listAll(type, opts);
      },
      watch: async <T extends KubeObjectLike>(
        type: Parameters<ListWatcher['watch']>[0],
        opts: WatchOptions,
        onEvent: (event: WatchEvent<T>) => void,
        signal?: AbortSignal,
      ) => {
        if (!firstWatch) return client.watch(type, opts, onEvent, signal);
        firstWatch = false;
        await client.patch(pgRef('changed'), { spec: { minMember: 2 } }, 'merge');
        await client.delete(pgRef('vanished'));
        await client.create(podGroup('new'));
        return client.watch(type, { ...opts, resourceVersion: '1' }, onEvent, signal);
      },
    };
    const informer = new Informer<Named>(expiring, { resource: VOLCANO_POD_GROUP, namespace: ns });
    const events = record(informer);
    const errors: unknown[] = [];
    informer.on('error', (err) => errors.push(err));
    await informer.start();
    assert.deepEqual(events.sort(), ['add changed', 'add kept', 'add vanished']);
    events.length = 0;
    await waitForEvent(events, 'delete vanished');
    assert.deepEqual(events.sort(), ['add new', 'delete vanished', 'update changed']);
    assert.equal(lists, 2);
    assert.deepEqual(errors, [], 'a 410 is handled, not reported');
    assert.deepEqual(
      informer
        .list(ns)
        .map((o) => o.metadata.name)
        .sort(),
      ['changed', 'kept', 'new'],
    );
    await informer.stop();
  });
});
