// List, then watch from the list's version, with the whole current set handed to a callback after
// every change until it says it has seen enough: what waiting for a job or following its pods needs,
// without polling. A watch the server ends, or whose version expired (410), is resumed by listing again.
import type { KubeClient } from '../kube/client.ts';
import { isGone } from '../kube/errors.ts';
import type { Resource } from '../kube/resources.ts';
import type { KubeObjectLike } from '../kube/types.ts';

export interface Selection {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** The server ends each watch after this long; the loop then lists and watches again. */
const WATCH_SECONDS = 300;

/**
 * Calls `onChange` with the objects (by namespace/name) after the list and after every watch event,
 * until it returns true. Rejects with `signal`'s reason when it aborts, and with any API error but 410.
 */
export async function observe<T extends KubeObjectLike>(
  client: KubeClient,
  resource: Resource,
  selection: Selection,
  onChange: (objects: ReadonlyMap<string, T>) => boolean,
  signal?: AbortSignal,
): Promise<void> {
  for (;;) {
    signal?.throwIfAborted();
    const list = await client.listAll<T>(resource, selection);
    const objects = new Map(list.items.map((object) => [keyOf(object), object]));
    if (onChange(objects)) return;
    const watchDone = new AbortController();
    const forward = () => watchDone.abort(signal?.reason);
    signal?.addEventListener('abort', forward, { once: true });
    let seen = false;
    try {
      await client.watch<T>(
        resource,
        { ...selection, resourceVersion: list.resourceVersion, timeoutSeconds: WATCH_SECONDS },
        (event) => {
          if (seen || event.type === 'BOOKMARK') return;
          if (event.type === 'DELETED') objects.delete(keyOf(event.object));
          else objects.set(keyOf(event.object), event.object);
          seen = onChange(objects);
          if (seen) watchDone.abort();
        },
        watchDone.signal,
      );
    } catch (err) {
      if (seen) return;
      if (signal?.aborted) throw signal.reason;
      if (!isGone(err)) throw err;
    } finally {
      signal?.removeEventListener('abort', forward);
    }
    if (seen) return;
  }
}

const keyOf = (object: KubeObjectLike) =>
  `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
