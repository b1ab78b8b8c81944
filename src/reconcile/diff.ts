// Desired versus observed objects: what to create, what to change, what to remove.
import { objectKey } from '../api/names.ts';
import type { KubeObject } from '../api/types.ts';

/** Fields that identify or describe an object rather than its desired content. */
const IDENTITY_FIELDS = new Set(['apiVersion', 'kind', 'metadata', 'status']);

/**
 * True when every value the desired object sets equals the observed one. Fields the API server fills
 * in (defaults, status, managedFields) do not count as differences; lists must match item by item.
 */
export function isSubset(desired: unknown, observed: unknown): boolean {
  if (Array.isArray(desired)) {
    return (
      Array.isArray(observed) &&
      desired.length === observed.length &&
      desired.every((item, index) => isSubset(item, observed[index]))
    );
  }
  if (typeof desired === 'object' && desired !== null) {
    if (typeof observed !== 'object' || observed === null || Array.isArray(observed)) return false;
    const live = observed as Record<string, unknown>;
    return Object.entries(desired).every(([key, value]) => value === undefined || isSubset(value, live[key]));
  }
  return desired === observed;
}

function contentDiffers(desired: KubeObject, observed: KubeObject): boolean {
  return Object.keys(desired)
    .filter((key) => !IDENTITY_FIELDS.has(key))
    .some((key) => !isSubset(desired[key], observed[key]));
}

export interface ObjectDiff {
  create: KubeObject[];
  update: KubeObject[];
  remove: KubeObject[];
}

/**
 * `patched`: the kinds whose live objects are kept in line with the desired ones (reconcile.ts,
 * patchedKinds); others, pods and services among them, are only created and deleted.
 */
export function diffObjects(
  desired: KubeObject[],
  observed: KubeObject[],
  patched: ReadonlySet<string>,
): ObjectDiff {
  const live = new Map(observed.map((object) => [objectKey(object), object]));
  const wanted = new Set(desired.map(objectKey));
  const result: ObjectDiff = { create: [], update: [], remove: [] };
  for (const object of desired) {
    const current = live.get(objectKey(object));
    if (!current) result.create.push(object);
    else if (patched.has(object.kind) && contentDiffers(object, current)) result.update.push(object);
  }
  for (const object of observed) {
    if (!wanted.has(objectKey(object))) result.remove.push(object);
  }
  return result;
}
