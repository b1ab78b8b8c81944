// What the API server does to a custom resource before validating it: prune the fields the schema does
// not declare (reporting each one, as the default `fieldValidation=Warn` does), drop nulls the schema
// does not allow, and fill in schema defaults. Returns a new value; the input is left untouched.
import { dottedPath, type Step } from './errors.ts';
import { childOf, isObject, type SchemaNode } from './node.ts';

/** Kept at the root without looking at the schema (apiVersion and kind; metadata is ObjectMeta's business). */
const ROOT_META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

export function normalize(value: unknown, schema: SchemaNode, unknownFields: string[]): unknown {
  return normalizeNode(value, schema, [], unknownFields, true);
}

function normalizeNode(
  value: unknown,
  schema: SchemaNode | undefined,
  steps: Step[],
  unknownFields: string[],
  root = false,
): unknown {
  if (Array.isArray(value)) {
    return value.map((item, index) =>
      normalizeNode(item, schema?.items, [...steps, { index }], unknownFields),
    );
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
      else unknownFields.push(dottedPath([...steps, { key }]));
      continue;
    }
    // A null the schema does not allow is dropped, or replaced by the default when there is one.
    if (child === null && !known.schema.nullable && known.schema.default === undefined) continue;
    const given = child === null && !known.schema.nullable ? structuredClone(known.schema.default) : child;
    out[key] = normalizeNode(given, known.schema, [...steps, known.step], unknownFields);
  }
  for (const [key, property] of Object.entries(schema?.properties ?? {})) {
    if (!(key in out) && property.default !== undefined) {
      out[key] = normalizeNode(
        structuredClone(property.default),
        property,
        [...steps, { field: key }],
        unknownFields,
      );
    }
  }
  return out;
}
