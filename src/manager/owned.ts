// The objects each job owns, indexed by the job's uid from the controller owner reference, plus the
// writes the operator made that its caches have not shown yet. Reconciling from this view never creates
// an object twice nor deletes one twice because an informer lags behind.
import { objectKey } from '../api/names.ts';
import type { KubeObject } from '../api/types.ts';
import type { ObjectRef } from '../kube/types.ts';

/** How long a write the caches have not shown yet is trusted; after that the caches win again. */
const PENDING_TTL_MS = 60_000;

export function controllerUid(object: KubeObject): string | undefined {
  return object.metadata.ownerReferences?.find((ref) => ref.controller)?.uid;
}

export class OwnedObjects {
  private readonly byOwner = new Map<string, Map<string, KubeObject>>();
  private readonly pendingCreates = new Map<string, Map<string, { object: KubeObject; at: number }>>();
  private readonly pendingDeletes = new Map<string, number>();

  upsert(object: KubeObject): void {
    const owner = controllerUid(object);
    if (!owner) return;
    const objects = this.byOwner.get(owner) ?? new Map<string, KubeObject>();
    objects.set(objectKey(object), object);
    this.byOwner.set(owner, objects);
    this.pendingCreates.get(owner)?.delete(objectKey(object));
  }

  remove(object: KubeObject): void {
    const owner = controllerUid(object);
    if (!owner) return;
    const objects = this.byOwner.get(owner);
    if (objects?.get(objectKey(object))?.metadata.uid === object.metadata.uid)
      objects?.delete(objectKey(object));
    if (objects?.size === 0) this.byOwner.delete(owner);
    if (object.metadata.uid) this.pendingDeletes.delete(object.metadata.uid);
  }

  /** What the job owns as far as anyone can tell: the caches, plus creates they have not shown yet. */
  ownedBy(owner: string, now = Date.now()): KubeObject[] {
    const observed = this.byOwner.get(owner) ?? new Map<string, KubeObject>();
    const pending = [...(this.pendingCreates.get(owner)?.values() ?? [])]
      .filter(({ object, at }) => now - at < PENDING_TTL_MS && !observed.has(objectKey(object)))
      .map(({ object }) => object);
    return [...observed.values(), ...pending];
  }

  created(owner: string, object: KubeObject, now = Date.now()): void {
    // The watch event may arrive before the create call returns: then the cache shows the object
    // already, and a pending entry would outlive it, hiding a later deletion until PENDING_TTL_MS.
    if (this.byOwner.get(owner)?.has(objectKey(object))) return;
    const pending = this.pendingCreates.get(owner) ?? new Map<string, { object: KubeObject; at: number }>();
    pending.set(objectKey(object), { object, at: now });
    this.pendingCreates.set(owner, pending);
  }

  deleted(ref: ObjectRef, now = Date.now()): void {
    if (ref.uid) this.pendingDeletes.set(ref.uid, now);
  }

  /**
   * uids of those of `objects` whose delete was sent and the caches do not show yet: a delete need not
   * be sent again while they catch up.
   */
  deleting(objects: KubeObject[], now = Date.now()): Set<string> {
    const pending = (uid: string) => {
      const sentAt = this.pendingDeletes.get(uid);
      return sentAt !== undefined && now - sentAt < PENDING_TTL_MS;
    };
    const uids = objects.map((object) => object.metadata.uid);
    return new Set(uids.filter((uid): uid is string => uid !== undefined && pending(uid)));
  }

  forget(owner: string): void {
    this.byOwner.delete(owner);
    this.pendingCreates.delete(owner);
  }
}
