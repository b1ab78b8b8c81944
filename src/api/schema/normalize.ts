// What the API server does to a custom resource when it decodes it, before validating it (apiextensions'
// structural pruning, PruneNonNullableNullsWithoutDefaults and Default, in that order): prune the fields
// the schema does not declare (reporting each one, as the default `fieldValidation=Warn` does), drop nulls
// the schema does not allow, and fill in schema defaults. Returns a new value; the input is left untouched.
import { dottedPath, extend, type Trail } from './paths.ts';
import { childOf, isObject, type SchemaNode } from './node.ts';

/** Kept at the root without looking at the schema (apiVersion and kind; metadata is ObjectMeta's business). */
const ROOT_META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

const defaultedCache = new WeakMap<SchemaNode, [string, SchemaNode][]>();

/** The properties of `schema` that have a default; most objects have none, and pod specs have many fields. */
function defaulted(schema: SchemaNode): [string, SchemaNode][] {
  let found = defaultedCache.get(schema);
  if (!found) {
    found = Object.entries(schema.properties ?? {}).filter(([, property]) => property.default !== undefined);
    defaultedCache.set(schema, found);
  }
  return found;
}

/** Paths of pruned fields go to `unknownFields`, paths of dropped nulls (never stored) to `droppedNulls`. */
export function normalize(
  value: unknown,
  schema: SchemaNode,
  unknownFields: string[],
  droppedNulls: string[] = [],
): unknown {
  return normalizeNode(value, schema, undefined, { unknownFields, droppedNulls }, true);
}

interface Report {
  unknownFields: string[];
  droppedNulls: string[];
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
    const given = child === null && !known.schema.nullable ? structuredClone(known.schema.default) : child;
    out[key] = normalizeNode(given, known.schema, extend(trail, known.step), report);
  }
  for (const [key, property] of schema ? defaulted(schema) : []) {
    if (!(key in out)) {
      out[key] = normalizeNode(
        structuredClone(property.default),
        property,
        extend(trail, { field: key }),
        report,
      );
    }
  }
  return out;
}
