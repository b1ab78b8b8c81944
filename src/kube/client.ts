// The operator's only door to the API server: plain JSON in and out, exactly as the server sends it
// (docs/adr/0001-raw-json-client.md). Paths come from the static resource registry, no discovery.
import { setTimeout as delay } from 'node:timers/promises';
import { Connection, type ConnectionOptions, type KubeCredentials, type RawResponse } from './connection.ts';
import { apiErrorFromResponse, isGone } from './errors.ts';
import { TokenBucket } from './rate-limiter.ts';
import { RequestCounter, type Verb } from './request-counter.ts';
import {
  apiVersionOf,
  collectionPath,
  objectPath,
  ResourceRegistry,
  type Resource,
  type Subresource,
} from './resources.ts';
import { refOf, type KubeObjectLike, type ObjectRef, type TypeRef, type WatchEvent } from './types.ts';
import { readWatchStream } from './watch-stream.ts';

export interface KubeClientOptions extends ConnectionOptions {
  /** Requests per second, client-side; `<= 0` is unlimited. Default 20, as the Kubeflow operator's. */
  qps?: number;
  /** Default 30. */
  burst?: number;
  /** Field manager of every write that does not name one. Default `training-operator`. */
  fieldManager?: string;
  /** Times a request answered with 429 is retried after its Retry-After. Default 5. */
  maxRetries?: number;
  /** Socket idle time after which a (non-watch) request fails. Default 60 s. */
  requestTimeoutMs?: number;
  /** Resources besides the defaults, e.g. a test's own CRD. */
  resources?: ResourceRegistry;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
  /** Set when more pages follow. */
  continue?: string;
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  /** Aborts the request, e.g. on a deadline: it then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

export interface PatchOptions extends WriteOptions {
  /** Server-side apply only: take over fields other managers own. */
  force?: boolean;
  subresource?: Subresource;
}

export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  gracePeriodSeconds?: number;
  /** Delete only this incarnation of the object (409 Conflict otherwise). */
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Start after this version; omitted, the server first sends the current objects as ADDED. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** The server ends the watch after this long. */
  timeoutSeconds?: number;
}

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  // JSON is YAML, so the body stays JSON.
  apply: 'application/apply-patch+yaml',
};

/** Beyond this a Retry-After is treated as this long: the caller's own backoff takes over sooner. */
const MAX_RETRY_AFTER_SECONDS = 30;

interface Call {
  verb: Verb;
  resource: Resource;
  subresource?: Subresource;
  method: string;
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

interface ListBody {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: Record<string, unknown>[];
}

export class KubeClient {
  /** Requests sent by this client, per verb and resource. */
  readonly requests = new RequestCounter();
  readonly resources: ResourceRegistry;
  private readonly limiter: TokenBucket;
  private readonly fieldManager: string;
  private readonly maxRetries: number;
  private readonly requestTimeoutMs: number;

  static async create(kc: KubeCredentials, options: KubeClientOptions = {}): Promise<KubeClient> {
    return new KubeClient(await Connection.create(kc, options), options);
  }

  private constructor(
    private readonly connection: Connection,
    options: KubeClientOptions,
  ) {
    this.limiter = new TokenBucket({ qps: options.qps ?? 20, burst: options.burst ?? 30 });
    this.fieldManager = options.fieldManager ?? 'training-operator';
    this.maxRetries = options.maxRetries ?? 5;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.resources = options.resources ?? new ResourceRegistry();
  }

  /** The object, or undefined when it does not exist. `signal` aborts the request. */
  async get<T extends KubeObjectLike>(
    ref: ObjectRef,
    opts: { subresource?: Subresource; signal?: AbortSignal } = {},
  ): Promise<T | undefined> {
    const resource = this.resources.lookup(ref);
    const path = objectPath(resource, ref.name, ref.namespace, opts.subresource);
    const response = await this.call(
      { verb: 'get', resource, subresource: opts.subresource, method: 'GET', path, signal: opts.signal },
      [404],
    );
    return response.status === 404 ? undefined : parse<T>(response);
  }

  /** One page. Items carry apiVersion and kind, which the server leaves out of built-in lists. */
  async list<T extends KubeObjectLike>(
    type: Resource | TypeRef,
    opts: ListOptions = {},
  ): Promise<ListResult<T>> {
    const resource = this.resolve(type);
    const { namespace, ...query } = opts;
    const response = await this.call({
      verb: 'list',
      resource,
      method: 'GET',
      path: collectionPath(resource, namespace),
      query: { ...query },
    });
    const body = parse<ListBody>(response);
    const typeMeta = { apiVersion: apiVersionOf(resource), kind: resource.kind };
    return {
      items: (body.items ?? []).map((item) => ({ ...typeMeta, ...item }) as T),
      resourceVersion: body.metadata?.resourceVersion ?? '',
      continue: body.metadata?.continue || undefined,
    };
  }

  /**
   * Every page, `pageSize` items at a time, as one consistent snapshot. If a continue token expires
   * mid-way (410), lists again in one request, as client-go's pager does.
   */
  async listAll<T extends KubeObjectLike>(
    type: Resource | TypeRef,
    opts: Omit<ListOptions, 'limit' | 'continue'> & { pageSize?: number } = {},
  ): Promise<ListResult<T>> {
    const { pageSize = 500, ...listOpts } = opts;
    const items: T[] = [];
    let page = await this.list<T>(type, { ...listOpts, limit: pageSize });
    const resourceVersion = page.resourceVersion;
    items.push(...page.items);
    while (page.continue) {
      try {
        page = await this.list<T>(type, { ...listOpts, limit: pageSize, continue: page.continue });
      } catch (err) {
        if (isGone(err)) return this.list<T>(type, listOpts);
        throw err;
      }
      items.push(...page.items);
    }
    return { items, resourceVersion };
  }

  async create<T extends KubeObjectLike>(obj: T, opts: WriteOptions = {}): Promise<T> {
    const resource = this.resources.lookup(typeOf(obj));
    const path = collectionPath(resource, namespaceOf(obj, resource));
    return parse<T>(
      await this.call({
        verb: 'create',
        resource,
        method: 'POST',
        path,
        query: this.writeQuery(opts),
        body: obj,
        signal: opts.signal,
      }),
    );
  }

  /** PUT: fails with 409 Conflict when `metadata.resourceVersion` is stale. */
  async replace<T extends KubeObjectLike>(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.put(obj, opts);
  }

  /** PUT .../status with the object's resourceVersion; the server ignores everything but the status. */
  async replaceStatus<T extends KubeObjectLike>(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.put(obj, opts, 'status');
  }

  async patch<T extends KubeObjectLike>(
    ref: ObjectRef,
    body: unknown,
    type: PatchType,
    opts: PatchOptions = {},
  ): Promise<T> {
    const resource = this.resources.lookup(ref);
    return parse<T>(
      await this.call({
        verb: 'patch',
        resource,
        subresource: opts.subresource,
        method: 'PATCH',
        path: objectPath(resource, ref.name, ref.namespace, opts.subresource),
        query: { ...this.writeQuery(opts), force: type === 'apply' ? opts.force : undefined },
        body,
        contentType: PATCH_CONTENT_TYPES[type],
      }),
    );
  }

  /**
   * Server-side apply of `obj` (a create when it does not exist). Forces by default: what the operator
   * applies it owns. Leave `metadata.resourceVersion` out, or a stale one fails with a Conflict.
   */
  async apply<T extends KubeObjectLike>(obj: T, opts: PatchOptions = {}): Promise<T> {
    return this.patch<T>(refOf(obj), obj, 'apply', { force: true, ...opts });
  }

  /** True when the object was deleted (or its deletion started), false when it did not exist. */
  async delete(ref: ObjectRef, opts: DeleteOptions = {}): Promise<boolean> {
    const resource = this.resources.lookup(ref);
    const { dryRun, ...deleteOptions } = opts;
    const response = await this.call(
      {
        verb: 'delete',
        resource,
        method: 'DELETE',
        path: objectPath(resource, ref.name, ref.namespace),
        query: { dryRun: dryRun ? 'All' : undefined },
        body: { apiVersion: 'v1', kind: 'DeleteOptions', ...deleteOptions },
      },
      [404],
    );
    return response.status !== 404;
  }

  /**
   * Streams watch events to `onEvent` until the server ends the watch (resolves), or an error: an
   * ERROR event (an ApiError: 410 Gone when `resourceVersion` expired), a lost connection, or `signal`
   * aborting (rejects with the signal's reason). `onOpen` is called when the server accepted the watch.
   */
  async watch<T extends KubeObjectLike>(
    type: Resource | TypeRef,
    opts: WatchOptions,
    onEvent: (event: WatchEvent<T>) => void,
    signal?: AbortSignal,
    onOpen?: () => void,
  ): Promise<void> {
    const resource = this.resolve(type);
    const { namespace, ...query } = opts;
    await this.limiter.take(signal);
    this.requests.add('watch', resource.plural);
    // Bookmarks arrive about once a minute; a silent socket for much longer than the server's own
    // timeout is a dead connection.
    const idleMs = ((opts.timeoutSeconds ?? 1800) + 60) * 1000;
    try {
      const response = await this.connection.open({
        method: 'GET',
        path: collectionPath(resource, namespace) + queryString({ ...query, watch: true }),
        timeoutMs: idleMs,
        signal,
      });
      if (response.statusCode !== 200) {
        const body = await readText(response);
        throw apiErrorFromResponse(
          response.statusCode ?? 0,
          body,
          headerValue(response.headers['retry-after']),
        );
      }
      onOpen?.();
      await readWatchStream<T>(response, onEvent);
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw err;
    }
  }

  /** Closes every socket; running watches end with an error, and later requests fail at once. */
  close(): void {
    this.connection.close();
  }

  private async put<T extends KubeObjectLike>(
    obj: T,
    opts: WriteOptions,
    subresource?: Subresource,
  ): Promise<T> {
    const ref = refOf(obj);
    const resource = this.resources.lookup(ref);
    return parse<T>(
      await this.call({
        verb: 'update',
        resource,
        subresource,
        method: 'PUT',
        path: objectPath(resource, ref.name, ref.namespace, subresource),
        query: this.writeQuery(opts),
        body: obj,
        signal: opts.signal,
      }),
    );
  }

  private writeQuery(opts: WriteOptions): Record<string, string | undefined> {
    return { fieldManager: opts.fieldManager ?? this.fieldManager, dryRun: opts.dryRun ? 'All' : undefined };
  }

  private resolve(type: Resource | TypeRef): Resource {
    return 'plural' in type ? type : this.resources.lookup(type);
  }

  /**
   * Sends one call, waiting for the rate limiter before every attempt. Retries a 429 after its
   * Retry-After (the server did not act on it) and a 401 once with fresh credentials. Statuses in
   * `accepted` are returned like successes; any other failure throws an ApiError.
   */
  private async call(call: Call, accepted: number[] = []): Promise<RawResponse> {
    const path = call.path + queryString(call.query ?? {});
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    const counted = call.subresource ? `${call.resource.plural}/${call.subresource}` : call.resource.plural;
    let refreshAuth = false;
    for (let attempt = 0; ; attempt++) {
      await this.limiter.take(call.signal);
      this.requests.add(call.verb, counted);
      const response = await this.connection.send(
        {
          method: call.method,
          path,
          body,
          contentType: call.contentType,
          timeoutMs: this.requestTimeoutMs,
          signal: call.signal,
        },
        refreshAuth,
      );
      if (response.status < 300 || accepted.includes(response.status)) return response;
      const err = apiErrorFromResponse(
        response.status,
        response.body,
        headerValue(response.headers['retry-after']),
      );
      if (err.code === 429 && attempt < this.maxRetries) {
        await delay(Math.min(err.retryAfterSeconds ?? 1, MAX_RETRY_AFTER_SECONDS) * 1000);
      } else if (err.code === 401 && !refreshAuth) {
        refreshAuth = true;
      } else {
        throw err;
      }
    }
  }
}

function typeOf(obj: KubeObjectLike): TypeRef {
  if (!obj.apiVersion || !obj.kind) throw new Error('object needs apiVersion and kind');
  return { apiVersion: obj.apiVersion, kind: obj.kind };
}

function namespaceOf(obj: KubeObjectLike, resource: Resource): string | undefined {
  return resource.namespaced ? obj.metadata?.namespace : undefined;
}

function parse<T>(response: RawResponse): T {
  return JSON.parse(response.body) as T;
}

export function queryString(query: Record<string, string | number | boolean | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    if (value !== undefined && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function readText(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}
