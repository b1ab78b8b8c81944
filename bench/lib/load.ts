// Load generation and observation: creates with a bounded number in flight, and a watch that notes the
// moment the n-th object of a kind appeared in a namespace.
import type { KubeObject } from '../../src/api/types.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import type { Resource } from '../../src/kube/resources.ts';
import type { KubeObjectLike } from '../../src/kube/types.ts';
import { Informer } from '../../src/manager/informer.ts';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `task` over `items` with at most `limit` in flight; the first failure rejects. */
export async function forEachLimited<T>(
  items: T[],
  limit: number,
  task: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export async function createNamespace(client: KubeClient, name: string): Promise<void> {
  await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

/** Creates every object, `limit` at a time. */
export function createAll(client: KubeClient, objects: KubeObjectLike[], limit: number): Promise<void> {
  return forEachLimited(objects, limit, (object) => client.create(object));
}

/** Watches one kind in one namespace and tells when `target` objects of it exist. */
export class Arrivals {
  private readonly informer: Informer<KubeObject>;
  private seen = 0;
  private reached?: (at: number) => void;
  /** `performance.now()` when the target was reached. */
  readonly done: Promise<number>;

  private constructor(client: KubeClient, resource: Resource, namespace: string, target: number) {
    this.informer = new Informer<KubeObject>(client, { resource, namespace, transform: nameOnly });
    this.done = new Promise((resolve) => (this.reached = resolve));
    this.informer.on('add', () => {
      if (++this.seen === target) this.reached?.(performance.now());
    });
  }

  /** Resolves once the watch runs, so nothing created afterwards is missed. */
  static async start(
    client: KubeClient,
    resource: Resource,
    namespace: string,
    target: number,
  ): Promise<Arrivals> {
    const arrivals = new Arrivals(client, resource, namespace, target);
    await arrivals.informer.start();
    return arrivals;
  }

  get count(): number {
    return this.seen;
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }
}

/** Only names are cached: pods are large, and the bench's memory is not what is measured. */
function nameOnly({ apiVersion, kind, metadata }: KubeObject): KubeObject {
  const { name, namespace, resourceVersion } = metadata;
  return { apiVersion, kind, metadata: { name, namespace, resourceVersion } };
}
