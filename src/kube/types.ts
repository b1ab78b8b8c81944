// Plain-JSON shapes the client and the informers work with: objects exactly as the API server sends them.

/** The metadata fields the client and the informers read; everything else passes through untouched. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/**
 * Any Kubernetes object as raw JSON. No index signature, so the project's `Job`, `KubeObject` and
 * client-node's interfaces are all assignable to it.
 */
export interface KubeObjectLike {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** Names an API type: `{ apiVersion: 'v1', kind: 'Pod' }`. */
export interface TypeRef {
  apiVersion: string;
  kind: string;
}

/** Names one object. Cluster-scoped objects have no namespace. */
export interface ObjectRef extends TypeRef {
  namespace?: string;
  name: string;
  /** This incarnation only (a delete's precondition): an object recreated under the name is another. */
  uid?: string;
}

/** A `metav1.Status`, the body of every error response and of watch ERROR events. */
export interface Status {
  kind?: string;
  apiVersion?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
    retryAfterSeconds?: number;
  };
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

/** A watch event. ERROR events never reach callers: the watch rejects with an ApiError instead. */
export interface WatchEvent<T> {
  type: WatchEventType;
  object: T;
}

/** The object a ref names, from the object itself. */
export function refOf(obj: KubeObjectLike): ObjectRef {
  const name = obj.metadata?.name;
  if (!obj.apiVersion || !obj.kind || !name) {
    throw new Error(`object needs apiVersion, kind and metadata.name (got ${describe(obj)})`);
  }
  return { apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata?.namespace, name };
}

/** `Pod ns/name`, for messages. */
export function describe(obj: KubeObjectLike): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? obj.metadata?.generateName ?? '?';
  return `${obj.kind ?? '?'} ${ns ? `${ns}/` : ''}${name}`;
}
