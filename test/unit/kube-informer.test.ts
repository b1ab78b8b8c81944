// The informer against a scripted list/watch boundary: relists, re-watches and retries that a real
// API server produces only rarely or slowly. test/integration/informer.test.ts covers the real thing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { ListResult, WatchOptions } from '../../src/kube/client.ts';
import { apiErrorFromStatus } from '../../src/kube/errors.ts';
import { CONFIG_MAP } from '../../src/kube/resources.ts';
import type { KubeObjectLike, WatchEvent, WatchEventType } from '../../src/kube/types.ts';
import { Backoff } from '../../src/manager/backoff.ts';
import { Informer, stripManagedFields, type ListWatcher } from '../../src/manager/informer.ts';

interface Obj extends KubeObjectLike {
  metadata: { name: string; namespace?: string; resourceVersion: string; labels?: Record<string, string> };
  data?: Record<string, string>;
}

interface WatchCall {
  opts: WatchOptions;
  send(type: WatchEventType, obj: Obj): void;
  end(): void;
  fail(err: unknown): void;
}

/** A scripted API server: its objects answer lists; each watch is handed to the test to drive. */
class FakeApi implements ListWatcher {
  objects = new Map<string, Obj>();
  lists = 0;
  listError?: Error;
  private watchWaiters: ((call: WatchCall) => void)[] = [];
  private pendingWatches: WatchCall[] = [];
  private rv = 100;

  put(name: string, labels: Record<string, string> = {}, namespace = 'ns'): Obj {
    const obj = { metadata: { name, namespace, resourceVersion: String(++this.rv), labels } };
    this.objects.set(`${namespace}/${name}`, obj);
    return obj;
  }

  listAll<T extends KubeObjectLike>(): Promise<ListResult<T>> {
    this.lists++;
    if (this.listError) return Promise.reject(this.listError);
    return Promise.resolve({ items: [...this.objects.values()] as T[], resourceVersion: String(this.rv) });
  }

  watch<T extends KubeObjectLike>(
    _type: unknown,
    opts: WatchOptions,
    onEvent: (event: WatchEvent<T>) => void,
    signal?: AbortSignal,
    onOpen?: () => void,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      onOpen?.();
      signal?.addEventListener('abort', () => reject(signal.reason as Error));
      const call: WatchCall = {
        opts,
        send: (type, obj) => onEvent({ type, object: obj as unknown as T }),
        end: resolve,
        fail: reject,
      };
      const waiter = this.watchWaiters.shift();
      if (waiter) waiter(call);
      else this.pendingWatches.push(call);
    });
  }

  /** The next watch the informer opens. */
  nextWatch(): Promise<WatchCall> {
    const pending = this.pendingWatches.shift();
    if (pending) return Promise.resolve(pending);
    return new Promise((resolve) => this.watchWaiters.push(resolve));
  }
}

function recorder(informer: Informer<Obj>) {
  const events: string[] = [];
  const errors: string[] = [];
  informer
    .on('add', (o) => events.push(`add ${o.metadata.name}`))
    .on('update', (o, old) =>
      events.push(`update ${o.metadata.name} ${old.metadata.resourceVersion}→${o.metadata.resourceVersion}`),
    )
    .on('delete', (o) => events.push(`delete ${o.metadata.name}`))
    .on('error', (err) => errors.push((err as Error).message));
  return { events, errors };
}

const fastBackoff = () => new Backoff({ initialMs: 1, maxMs: 5 });

/** A backoff that records its use: `next` per delay asked for, `reset` when the informer starts it over. */
class RecordingBackoff extends Backoff {
  readonly calls: string[] = [];
  constructor() {
    super({ initialMs: 20, maxMs: 20 });
  }
  override next(): number {
    this.calls.push('next');
    return super.next();
  }
  override reset(): void {
    this.calls.push('reset');
    super.reset();
  }
}
const gone = () => apiErrorFromStatus({ code: 410, reason: 'Expired', message: 'too old resource version' });

describe('Informer', () => {
  test('start() resolves with the first list cached and its adds delivered; the watch starts from its version', async () => {
    const api = new FakeApi();
    api.put('a', { job: 'x' });
    api.put('b', { job: 'y' });
    const informer = new Informer<Obj>(api, {
      resource: CONFIG_MAP,
      namespace: 'ns',
      backoff: fastBackoff(),
    });
    const { events } = recorder(informer);
    await informer.start();
    assert.equal(informer.hasSynced(), true);
    assert.deepEqual(events, ['add a', 'add b']);
    assert.equal(informer.get('ns', 'a')?.metadata.name, 'a');
    assert.deepEqual(
      informer.list('ns').map((o) => o.metadata.name),
      ['a', 'b'],
    );
    const watch = await api.nextWatch();
    assert.equal(watch.opts.resourceVersion, '102');
    assert.equal(watch.opts.allowWatchBookmarks, true);
    await informer.stop();
  });

  test('watch events update the cache and reach the handlers; bookmarks move the version', async () => {
    const api = new FakeApi();
    const informer = new Informer<Obj>(api, { resource: CONFIG_MAP, backoff: fastBackoff() });
    const { events } = recorder(informer);
    await informer.start();
    const watch = await api.nextWatch();
    watch.send('ADDED', { metadata: { name: 'a', namespace: 'ns', resourceVersion: '5' } });
    watch.send('MODIFIED', { metadata: { name: 'a', namespace: 'ns', resourceVersion: '6' } });
    watch.send('BOOKMARK', { metadata: { name: '', resourceVersion: '9' } });
    assert.equal(informer.list('ns').length, 1);
    watch.send('DELETED', { metadata: { name: 'a', namespace: 'ns', resourceVersion: '10' } });
    assert.deepEqual(events, ['add a', 'update a 5→6', 'delete a']);
    assert.equal(informer.list().length, 0);
    await informer.stop();
  });

  test('a watch the server ends is resumed from the last version seen, without a relist', async () => {
    const api = new FakeApi();
    const informer = new Informer<Obj>(api, { resource: CONFIG_MAP, backoff: fastBackoff() });
    await informer.start();
    const first = await api.nextWatch();
    first.send('BOOKMARK', { metadata: { name: '', resourceVersion: '150' } });
    first.end();
    const second = await api.nextWatch();
    assert.equal(second.opts.resourceVersion, '150');
    assert.equal(api.lists, 1);
    await informer.stop();
  });

  test('410 Gone: relists and delivers the differences, deletes for objects that vanished', async () => {
    const api = new FakeApi();
    api.put('kept');
    api.put('changed');
    api.put('vanished');
    const informer = new Informer<Obj>(api, { resource: CONFIG_MAP, backoff: fastBackoff() });
    const { events, errors } = recorder(informer);
    await informer.start();
    events.length = 0;
    const watch = await api.nextWatch();
    api.put('changed');
    api.objects.delete('ns/vanished');
    api.put('new');
    watch.fail(gone());
    const next = await api.nextWatch();
    assert.equal(api.lists, 2);
    assert.equal(next.opts.resourceVersion, '105');
    assert.deepEqual(events.sort(), ['add new', 'delete vanished', 'update changed 102→104']);
    assert.deepEqual(
      informer
        .list('ns')
        .map((o) => o.metadata.name)
        .sort(),
      ['changed', 'kept', 'new'],
    );
    assert.deepEqual(errors, [], 'a 410 is routine, not an error');
    await informer.stop();
  });

  test('other errors are reported and retried with backoff, from the same version, indefinitely', async () => {
    const api = new FakeApi();
    const informer = new Informer<Obj>(api, { resource: CONFIG_MAP, backoff: fastBackoff() });
    const { errors } = recorder(informer);
    await informer.start();
    for (let i = 0; i < 20; i++) {
      const watch = await api.nextWatch();
      assert.equal(watch.opts.resourceVersion, '100');
      watch.fail(new Error(`connection refused ${i}`));
    }
    await api.nextWatch();
    assert.equal(errors.length, 20);
    assert.equal(api.lists, 1, 'a failed watch keeps its version');
    await informer.stop();
  });

  test('a failing first list is retried; start() resolves once one succeeds', async () => {
    const api = new FakeApi();
    api.put('a');
    api.listError = new Error('forbidden for now');
    const informer = new Informer<Obj>(api, { resource: CONFIG_MAP, backoff: fastBackoff() });
    const { errors } = recorder(informer);
    const started = informer.start();
    await delay(20);
    assert.equal(informer.hasSynced(), false);
    api.listError = undefined;
    await started;
    assert.ok(errors.length >= 1 && errors.every((e) => e === 'forbidden for now'));
    assert.equal(informer.list().length, 1);
    await informer.stop();
  });

  test('failingWith() tells why it fails; the first answer ends the outage: one recovered event, the backoff starts over', async () => {
    const api = new FakeApi();
    api.listError = new Error('403 Forbidden: pods is forbidden');
    const backoff = new RecordingBackoff();
    const informer = new Informer<Obj>(api, { resource: CONFIG_MAP, backoff });
    let recovered = 0;
    let failures = 0;
    informer.on('recovered', () => recovered++);
    informer.on('error', () => failures++);
    const started = informer.start();
    await delay(70);
    assert.equal(informer.hasSynced(), false);
    assert.ok(failures >= 2, `failures: ${failures}`);
    assert.equal(informer.failingWith(), '403 Forbidden: pods is forbidden');
    assert.equal(informer.describe(), 'configmaps in all namespaces');
    assert.equal(recovered, 0);

    api.listError = undefined;
    await started;
    assert.equal(informer.hasSynced(), true);
    assert.equal(informer.failingWith(), undefined);
    assert.equal(recovered, 1);
    assert.equal(backoff.calls.at(-1), 'reset', 'a successful list starts the backoff over');

    // A failed watch, then a watch the server accepts: recovered again, but the backoff is reset only
    // by the events of a watch, so watches the server closes at once keep backing off.
    const failuresBefore = failures;
    (await api.nextWatch()).fail(new Error('connection refused'));
    await delay(5);
    assert.equal(failures - failuresBefore, 1);
    assert.equal(informer.failingWith(), 'connection refused');
    const watch = await api.nextWatch();
    assert.equal(informer.failingWith(), undefined);
    assert.equal(recovered, 2);
    assert.equal(backoff.calls.at(-1), 'next');
    watch.send('ADDED', { metadata: { name: 'a', namespace: 'ns', resourceVersion: '200' } });
    assert.equal(backoff.calls.at(-1), 'reset');
    await informer.stop();
  });

  test('a watch that ends at once without events counts as a failure, so reconnects back off', async () => {
    const api = new FakeApi();
    const informer = new Informer<Obj>(api, { resource: CONFIG_MAP, backoff: fastBackoff() });
    const { errors } = recorder(informer);
    await informer.start();
    (await api.nextWatch()).end();
    await api.nextWatch();
    assert.match(errors[0], /ended at once without events/);
    await informer.stop();
  });

  test('a throwing handler is reported and does not stop the informer', async () => {
    const api = new FakeApi();
    const informer = new Informer<Obj>(api, { resource: CONFIG_MAP, backoff: fastBackoff() });
    const { events, errors } = recorder(informer);
    informer.on('add', (o) => {
      if (o.metadata.name === 'bad') throw new Error('handler bug');
    });
    await informer.start();
    const watch = await api.nextWatch();
    watch.send('ADDED', { metadata: { name: 'bad', namespace: 'ns', resourceVersion: '1' } });
    watch.send('ADDED', { metadata: { name: 'good', namespace: 'ns', resourceVersion: '2' } });
    assert.deepEqual(events, ['add bad', 'add good']);
    assert.deepEqual(errors, ['handler bug']);
    await informer.stop();
  });

  test('stop() ends the watch quietly; start() rejects if it had not synced', async () => {
    const api = new FakeApi();
    api.listError = new Error('down');
    const informer = new Informer<Obj>(api, { resource: CONFIG_MAP, backoff: fastBackoff() });
    const started = informer.start();
    await delay(5);
    await informer.stop();
    await assert.rejects(started, /stopped before it synced/);

    const api2 = new FakeApi();
    const running = new Informer<Obj>(api2, { resource: CONFIG_MAP, backoff: fastBackoff() });
    const { events, errors } = recorder(running);
    await running.start();
    const watch = await api2.nextWatch();
    await running.stop();
    watch.send('ADDED', { metadata: { name: 'late', namespace: 'ns', resourceVersion: '1' } });
    assert.deepEqual(events, []);
    assert.deepEqual(errors, []);
  });

  test('transform applies before caching', async () => {
    const api = new FakeApi();
    const obj = api.put('a');
    (obj.metadata as Record<string, unknown>).managedFields = [{ manager: 'x' }];
    const informer = new Informer<Obj>(api, { resource: CONFIG_MAP, transform: stripManagedFields });
    await informer.start();
    assert.equal('managedFields' in informer.get('ns', 'a')!.metadata, false);
    assert.equal('managedFields' in obj.metadata, true, 'the original is untouched');
    await informer.stop();
  });
});
