// x-kubernetes-list-type `set` and `map` invariants (apiextensions' listtype validation): no duplicate
// items in a set, no two items of a map list with the same keys (e.g. two containers named alike).
import { fieldError, goJson, type TypedError } from './errors.ts';
import { bracketedPath, extend, type Trail } from './paths.ts';
import { childOf, isObject, type SchemaNode } from './node.ts';

export function listTypeErrors(value: unknown, schema: SchemaNode): TypedError[] {
  const errors: TypedError[] = [];
  visit(value, schema, undefined, errors);
  return errors;
}

function visit(
  value: unknown,
  schema: SchemaNode | undefined,
  trail: Trail | undefined,
  errors: TypedError[],
): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    errors.push(...listErrors(value, schema, trail));
    value.forEach((item, index) => visit(item, schema.items, extend(trail, { index }), errors));
  } else if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      const known = childOf(schema, key);
      if (known) visit(child, known.schema, extend(trail, known.step), errors);
    }
  }
}

function listErrors(list: unknown[], schema: SchemaNode, trail: Trail | undefined): TypedError[] {
  const at = (index: number) => bracketedPath(extend(trail, { index }));
  switch (schema['x-kubernetes-list-type']) {
    case 'set':
      return repeated(list.map(goJson)).map((i) => fieldError('Duplicate', at(i), list[i]));
    case 'map': {
      const notObject = list.findIndex((item) => item !== null && !isObject(item));
      if (notObject >= 0) {
        return [
          fieldError(
            'Invalid',
            at(notObject),
            list[notObject],
            'must be an object for an array of list-type map',
          ),
        ];
      }
      const keys = list.map((item) => mapKeys(item as Record<string, unknown> | null, schema));
      return repeated(keys.map(goJson)).map((i) => fieldError('Duplicate', at(i), keys[i]));
    }
    default:
      return [];
  }
}

/** The key fields of a list-map item that are set. */
function mapKeys(item: Record<string, unknown> | null, schema: SchemaNode): Record<string, unknown> {
  const keys: Record<string, unknown> = {};
  for (const field of schema['x-kubernetes-list-map-keys'] ?? []) {
    if (item && field in item) keys[field] = item[field];
  }
  return keys;
}

/** Indexes of second occurrences: the API server reports each repeated value once, where it repeats. */
function repeated(identities: string[]): number[] {
  const seen = new Map<string, number>();
  const out: number[] = [];
  identities.forEach((identity, index) => {
    const times = seen.get(identity) ?? 0;
    if (times === 1) out.push(index);
    seen.set(identity, times + 1);
  });
  return out;
}
