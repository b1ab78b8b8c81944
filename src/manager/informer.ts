// An informer: lists a resource, then watches it from the list's resourceVersion, keeping an
// in-memory cache of raw JSON objects and telling handlers what changed. Unlike client-node 1.x's, it
// never stops by itself: a watch the server ends is resumed from the last version seen, an expired
// version (410) leads to a relist whose differences are delivered as events, and any other error is
// retried with exponential backoff until stop(). The backoff is capped low (1 s) and starts over as soon as
// the server answers again, so an informer reconnects within about a second of an outage's end;
// failingWith() tells why it is failing (how often and since when is the logger's business, failure-log.ts).
import { setTimeout as delay } from 'node:timers/promises';
import type { KubeClient } from '../kube/client.ts';
import { isGone } from '../kube/errors.ts';
import type { Resource } from '../kube/resources.ts';
import type { KubeObjectLike, WatchEvent } from '../kube/types.ts';
import { objectKey } from '../api/names.ts';
import { Backoff } from './backoff.ts';

/** The two client calls an informer makes; tests substitute their own. */
export type ListWatcher = Pick<KubeClient, 'listAll' | 'watch'>;

export interface InformerOptions<T> {
  resource: Resource;
  /** One namespace; all namespaces when omitted. */
  namespace?: string;
  /** Only matching objects are listed, watched and cached. */
  labelSelector?: string;
  fieldSelector?: string;
  /** Items per list page. Default 500. */
  pageSize?: number;
  /** How long the server keeps each watch open. Default: 5 to 10 minutes at random, as client-go. */
  watchTimeoutSeconds?: number;
  /** Delay between retries after errors. Default 200 ms doubling to 1 s, with jitter. */
  backoff?: Backoff;
  /** Applied to every object before it is cached, e.g. stripManagedFields to save memory. */
  transform?: (obj: T) => T;
}

export interface InformerHandlers<T> {
  add: (obj: T) => void;
  update: (obj: T, old: T) => void;
  /** Called with the last state known: the DELETED event's object, or the cached one after a relist. */
  delete: (obj: T) => void;
  /** Errors the informer recovers from by itself, for logging. */
  error: (err: unknown) => void;
  /** The server answers again after list or watch errors. */
  recovered: () => void;
}

/** A watch ending this soon without any event is treated as a failure, to avoid a hot reconnect loop. */
const MIN_HEALTHY_WATCH_MS = 1000;

export class Informer<T extends KubeObjectLike> {
  private readonly store: ObjectStore<T>;
  private readonly handlers: { [E in keyof InformerHandlers<T>]: InformerHandlers<T>[E][] } = {
    add: [],
    update: [],
    delete: [],
    error: [],
    recovered: [],
  };
  private readonly abort = new AbortController();
  private readonly backoff: Backoff;
  private resourceVersion?: string;
  private synced = false;
  private running?: Promise<void>;
  private started?: Promise<void>;
  private markSynced: () => void = () => {};
  /** The last list/watch failure's message, until the server answers again. */
  private lastError?: string;

  constructor(
    private readonly client: ListWatcher,
    private readonly options: InformerOptions<T>,
  ) {
    if (options.namespace && !options.resource.namespaced) {
      throw new Error(`${options.resource.kind} is cluster-scoped: an informer for it takes no namespace`);
    }
    this.store = new ObjectStore();
    this.backoff = options.backoff ?? new Backoff({ initialMs: 200, maxMs: 1000, jitter: 0.5 });
  }

  on<E extends keyof InformerHandlers<T>>(event: E, handler: InformerHandlers<T>[E]): this {
    this.handlers[event].push(handler);
    return this;
  }

  /** Starts listing and watching; resolves once the first list is cached and its adds delivered. */
  start(): Promise<void> {
    this.started ??= new Promise<void>((resolve, reject) => {
      this.markSynced = resolve;
      this.abort.signal.addEventListener('abort', () =>
        reject(new Error('informer stopped before it synced')),
      );
      this.running = this.run();
    });
    return this.started;
  }

  /** Ends the watch and every retry; resolves when the informer has stopped. Errors after this are ignored. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.started?.catch(() => {});
    await this.running;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Why listing or watching fails at the moment; undefined while the server answers. */
  failingWith(): string | undefined {
    return this.lastError;
  }

  /** `pods in ns`, or `pods in all namespaces`: names the informer in logs and /readyz. */
  describe(): string {
    const { resource, namespace } = this.options;
    if (!resource.namespaced) return resource.plural;
    return `${resource.plural} in ${namespace ? `namespace ${namespace}` : 'all namespaces'}`;
  }

  /** Pass no namespace for cluster-scoped objects. */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.store.get(namespace ?? '', name);
  }

  /** Every cached object, or those of one namespace. */
  list(namespace?: string): T[] {
    return this.store.list(namespace);
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        if (this.resourceVersion === undefined) await this.relist();
        // stop() may have come meanwhile, from a handler or from whoever awaited start().
        if (!this.abort.signal.aborted) await this.watch();
      } catch (err) {
        if (this.abort.signal.aborted) return;
        if (isGone(err)) {
          this.resourceVersion = undefined;
          continue;
        }
        this.failed(err);
        await delay(this.backoff.next(), undefined, { signal: this.abort.signal }).catch(() => {});
      }
    }
  }

  /** Lists everything and delivers what changed since the cache was last filled. */
  private async relist(): Promise<void> {
    const { namespace, labelSelector, fieldSelector, pageSize } = this.options;
    const listed = await this.client.listAll<T>(this.options.resource, {
      namespace,
      labelSelector,
      fieldSelector,
      pageSize,
    });
    if (this.abort.signal.aborted) return;
    this.answered(true);
    const previous = this.store.replace(listed.items.map((obj) => this.transform(obj)));
    this.resourceVersion = listed.resourceVersion;
    for (const obj of this.store.list()) {
      const old = previous.get(objectKey(obj));
      if (!old) this.emit('add', obj);
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.emit('update', obj, old);
      previous.delete(objectKey(obj));
    }
    for (const gone of previous.values()) this.emit('delete', gone);
    if (!this.synced) {
      this.synced = true;
      this.markSynced();
    }
  }

  /** One watch from the last version seen; resolves when the server ends it. */
  private async watch(): Promise<void> {
    const { namespace, labelSelector, fieldSelector, watchTimeoutSeconds } = this.options;
    const startedAt = Date.now();
    let events = 0;
    await this.client.watch<T>(
      this.options.resource,
      {
        namespace,
        labelSelector,
        fieldSelector,
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: watchTimeoutSeconds ?? Math.floor(300 * (1 + Math.random())),
      },
      (event) => {
        if (events++ === 0) this.answered(true);
        this.apply(event);
      },
      this.abort.signal,
      // An open watch proves the server is back, but only its events prove it is not closing them at
      // once: the backoff starts over on those, keeping reconnects of such watches spaced.
      () => this.answered(false),
    );
    if (events === 0 && Date.now() - startedAt < MIN_HEALTHY_WATCH_MS) {
      throw new Error(`watch of ${this.options.resource.plural} ended at once without events`);
    }
    this.backoff.reset();
  }

  private failed(err: unknown): void {
    this.lastError = err instanceof Error ? err.message : String(err);
    this.emit('error', err);
  }

  /** The server answered a list or opened a watch: an outage, if any, is over. */
  private answered(resetBackoff: boolean): void {
    if (resetBackoff) this.backoff.reset();
    if (this.lastError === undefined) return;
    this.lastError = undefined;
    this.emit('recovered');
  }

  private apply(event: WatchEvent<T>): void {
    this.resourceVersion = event.object.metadata?.resourceVersion ?? this.resourceVersion;
    if (event.type === 'BOOKMARK') return;
    const obj = this.transform(event.object);
    if (event.type === 'DELETED') {
      this.store.delete(obj);
      this.emit('delete', obj);
      return;
    }
    const old = this.store.upsert(obj);
    if (old) this.emit('update', obj, old);
    else this.emit('add', obj);
  }

  private transform(obj: T): T {
    return this.options.transform ? this.options.transform(obj) : obj;
  }

  /** A throwing handler must not break the watch: its error goes to the error handlers. */
  private emit<E extends keyof InformerHandlers<T>>(
    event: E,
    ...args: Parameters<InformerHandlers<T>[E]>
  ): void {
    if (this.abort.signal.aborted) return;
    for (const handler of this.handlers[event]) {
      try {
        (handler as (...a: Parameters<InformerHandlers<T>[E]>) => void)(...args);
      } catch (err) {
        if (event !== 'error') this.emit('error', err);
      }
    }
  }
}

/** Drops metadata.managedFields, often half of an object's size and of no use to a reconciler. */
export function stripManagedFields<T extends KubeObjectLike>(obj: T): T {
  if (!obj.metadata || !('managedFields' in obj.metadata)) return obj;
  const metadata: Record<string, unknown> = { ...obj.metadata };
  delete metadata.managedFields;
  return { ...obj, metadata };
}

/** The cache: objects by namespace and name. */
class ObjectStore<T extends KubeObjectLike> {
  private byNamespace = new Map<string, Map<string, T>>();

  get(namespace: string, name: string): T | undefined {
    return this.byNamespace.get(namespace)?.get(name);
  }

  list(namespace?: string): T[] {
    if (namespace !== undefined) return [...(this.byNamespace.get(namespace)?.values() ?? [])];
    return [...this.byNamespace.values()].flatMap((objects) => [...objects.values()]);
  }

  /** Inserts or replaces; returns the replaced object. */
  upsert(obj: T): T | undefined {
    const { namespace = '', name = '' } = obj.metadata ?? {};
    let objects = this.byNamespace.get(namespace);
    if (!objects) this.byNamespace.set(namespace, (objects = new Map<string, T>()));
    const old = objects.get(name);
    objects.set(name, obj);
    return old;
  }

  delete(obj: KubeObjectLike): void {
    const { namespace = '', name = '' } = obj.metadata ?? {};
    const objects = this.byNamespace.get(namespace);
    if (!objects?.delete(name)) return;
    if (objects.size === 0) this.byNamespace.delete(namespace);
  }

  /** Replaces the whole content; returns the previous objects by key. */
  replace(objects: T[]): Map<string, T> {
    const previous = new Map(this.list().map((obj) => [objectKey(obj), obj]));
    this.byNamespace = new Map();
    for (const obj of objects) this.upsert(obj);
    return previous;
  }
}
