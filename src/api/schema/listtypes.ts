// x-kubernetes-list-type `set` and `map` invariants (apiextensions' listtype validation): no duplicate
// items in a set, no two items of a map list with the same keys (e.g. two containers named alike).
import { fieldError, goJson, type TypedError } from './errors.ts';
import { bracketedPath, extend, type Step, type Trail } from './paths.ts';
import { isObject, type SchemaNode } from './node.ts';

/** A schema node with a set or map list at or below it, and only the children that lead to one. */
interface ListNode {
  schema: SchemaNode;
  fields: Map<string, { node: ListNode; step: Step }>;
  values?: ListNode;
  items?: ListNode;
}

const listTrees = new WeakMap<SchemaNode, ListNode | null>();

/**
 * The list tree of `schema`, or undefined when no set or map list sits at or below it: a pod spec has a
 * few dozen fields and most lead to none, so a job's walk visits a fraction of it.
 */
function listTree(schema: SchemaNode | undefined): ListNode | undefined {
  if (!schema) return undefined;
  let tree = listTrees.get(schema);
  if (tree === undefined) {
    const fields = new Map<string, { node: ListNode; step: Step }>();
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      const node = listTree(property);
      if (node) fields.set(name, { node, step: { field: name } });
    }
    const additional =
      typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    const values = listTree(additional);
    const items = listTree(schema.items);
    const listType = schema['x-kubernetes-list-type'];
    const checked = listType === 'set' || listType === 'map';
    tree = checked || fields.size || values || items ? { schema, fields, values, items } : null;
    listTrees.set(schema, tree);
  }
  return tree ?? undefined;
}

export function listTypeErrors(value: unknown, schema: SchemaNode): TypedError[] {
  const errors: TypedError[] = [];
  const tree = listTree(schema);
  if (tree) visit(value, tree, undefined, errors);
  return errors;
}

function visit(value: unknown, node: ListNode, trail: Trail | undefined, errors: TypedError[]): void {
  if (Array.isArray(value)) {
    errors.push(...listErrors(value, node.schema, trail));
    const items = node.items;
    if (items) value.forEach((item, index) => visit(item, items, extend(trail, { index }), errors));
  } else if (isObject(value)) {
    const properties = node.schema.properties;
    for (const key of Object.keys(value)) {
      const child =
        node.fields.get(key) ??
        (node.values && !properties?.[key] ? { node: node.values, step: { key } } : undefined);
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
