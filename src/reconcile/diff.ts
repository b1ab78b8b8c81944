// Desired versus observed objects: what to create, what to change, what to remove.
import type { KubeObject } from '../api/types.ts';

/** Kinds whose live spec the operator keeps in line with the job; pods and services are never patched. */
const UPDATABLE_KINDS = new Set(['ConfigMap', 'Role', 'PodGroup', 'HorizontalPodAutoscaler']);
/** Fields that identify or describe an object rather than its desired content. */
const IDENTITY_FIELDS = new Set(['apiVersion', 'kind', 'metadata', 'status']);

export const objectKey = (object: { kind?: string; metadata?: { name?: string } }) =>
  `${object.kind}/${object.metadata?.name}`;

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

export function diffObjects(desired: KubeObject[], observed: KubeObject[]): ObjectDiff {
  const live = new Map(observed.map((object) => [objectKey(object), object]));
  const wanted = new Set(desired.map(objectKey));
  const result: ObjectDiff = { create: [], update: [], remove: [] };
  for (const object of desired) {
    const current = live.get(objectKey(object));
    if (!current) result.create.push(object);
    else if (UPDATABLE_KINDS.has(object.kind) && contentDiffers(object, current)) result.update.push(object);
  }
  for (const object of observed) {
    if (!wanted.has(objectKey(object))) result.remove.push(object);
  }
  return result;
}
