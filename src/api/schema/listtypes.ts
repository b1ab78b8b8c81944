// x-kubernetes-list-type `set` and `map` invariants (apiextensions' listtype validation): no duplicate
// items in a set, no two items of a map list with the same keys (e.g. two containers named alike).
import { fieldError, goJson, type TypedError } from './errors.ts';
import { bracketedPath, extend, type Trail } from './paths.ts';
import { isObject, prunedChild, type PrunedNode, prunedTrees, type SchemaNode } from './node.ts';

/** The parts of a schema with a set or map list at or below them. */
const listTree = prunedTrees((schema) => {
  const listType = schema['x-kubernetes-list-type'];
  return listType === 'set' || listType === 'map' ? true : undefined;
});

export function listTypeErrors(value: unknown, schema: SchemaNode): TypedError[] {
  const errors: TypedError[] = [];
  const tree = listTree(schema);
  if (tree) visit(value, tree, undefined, errors);
  return errors;
}

function visit(value: unknown, node: PrunedNode<true>, trail: Trail | undefined, errors: TypedError[]): void {
  if (Array.isArray(value)) {
    errors.push(...listErrors(value, node.schema, trail));
    const items = node.items;
    if (items) value.forEach((item, index) => visit(item, items, extend(trail, { index }), errors));
  } else if (isObject(value)) {
    for (const key of Object.keys(value)) {
      const child = prunedChild(node, key);
      if (child) visit(value[key], child.node, extend(trail, child.step), errors);
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
