// What the API server does to a custom resource when it decodes it, before validating it (apiextensions'
// structural pruning, PruneNonNullableNullsWithoutDefaults and Default, in that order): prune the fields
// the schema does not declare (reporting each one, as the default `fieldValidation=Warn` does), drop nulls
// the schema does not allow, and fill in schema defaults. Returns a new value; the input is left untouched.
import { dottedPath, extend, type Trail } from './paths.ts';
import { childOf, isObject, type SchemaNode } from './node.ts';
import { requestBodyBytes } from './request.ts';

/** Kept at the root without looking at the schema (apiVersion and kind; metadata is ObjectMeta's business). */
const ROOT_META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

/** A property with a default, and the most JSON bytes that filling it in adds (`"name":value,`). */
interface Defaulted {
  name: string;
  schema: SchemaNode;
  addedBytes: number;
}

const defaultedCache = new WeakMap<SchemaNode, Defaulted[]>();

/** The properties of `schema` that have a default; most objects have none, and pod specs have many fields. */
function defaulted(schema: SchemaNode): Defaulted[] {
  let found = defaultedCache.get(schema);
  if (!found) {
    found = Object.entries(schema.properties ?? {})
      .filter(([, property]) => property.default !== undefined)
      // `"name":default,`; defaults within the default are counted when they are filled in.
      .map(([name, property]) => ({
        name,
        schema: property,
        addedBytes: requestBodyBytes({ [name]: property.default }) - '{}'.length + ','.length,
      }));
    defaultedCache.set(schema, found);
  }
  return found;
}

/** Defaults are shared by every job; scalars need no copy. */
function copyOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? structuredClone(value) : value;
}

export interface Report {
  /** Paths of pruned fields. */
  unknownFields: string[];
  /** Paths of dropped nulls (never stored). */
  droppedNulls: string[];
  /**
   * An upper bound on the JSON bytes the filled-in defaults add, so that the size of the result is known
   * to be below a limit without serialising it (pruning only makes it smaller).
   */
  addedBytes: number;
}

export function newReport(): Report {
  return { unknownFields: [], droppedNulls: [], addedBytes: 0 };
}

export function normalize(value: unknown, schema: SchemaNode, report: Report = newReport()): unknown {
  return normalizeNode(value, schema, undefined, report, true);
}

function normalizeNode(
  value: unknown,
  schema: SchemaNode | undefined,
  trail: Trail | undefined,
  report: Report,
  root = false,
): unknown {
  if (Array.isArray(value)) {
    return value.map((item, index) => normalizeNode(item, schema?.items, extend(trail, { index }), report));
  }
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (root && ROOT_META_FIELDS.has(key)) {
      out[key] = child;
      continue;
    }
    const known = childOf(schema, key);
    if (!known) {
      if (schema?.['x-kubernetes-preserve-unknown-fields']) out[key] = child;
      else report.unknownFields.push(dottedPath(extend(trail, { key })));
      continue;
    }
    // A null the schema does not allow is dropped, or replaced by the default when there is one.
    if (child === null && !known.schema.nullable && known.schema.default === undefined) {
      report.droppedNulls.push(dottedPath(extend(trail, known.step)));
      continue;
    }
    if (child === null && !known.schema.nullable) {
      report.addedBytes += requestBodyBytes(known.schema.default);
      out[key] = normalizeNode(copyOf(known.schema.default), known.schema, extend(trail, known.step), report);
    } else out[key] = normalizeNode(child, known.schema, extend(trail, known.step), report);
  }
  for (const { name, schema: property, addedBytes } of schema ? defaulted(schema) : []) {
    if (!(name in out)) {
      out[name] = normalizeNode(copyOf(property.default), property, extend(trail, { field: name }), report);
      report.addedBytes += addedBytes;
    }
  }
  return out;
}
