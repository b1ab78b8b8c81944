// The parts of a CRD's structural schema that offline validation reads.
import type { Step } from './paths.ts';

export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  fieldPath?: string;
  reason?: 'FieldValueRequired' | 'FieldValueForbidden' | 'FieldValueInvalid' | 'FieldValueDuplicate';
}

export interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  default?: unknown;
  nullable?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: ValidationRule[];
}

/** The schema of `value[key]` and the kind of step that leads there, or undefined for an unknown field. */
export function childOf(
  schema: SchemaNode | undefined,
  key: string,
): { schema: SchemaNode; step: Step } | undefined {
  const property = schema?.properties?.[key];
  if (property) return { schema: property, step: { field: key } };
  const values = schema?.additionalProperties;
  if (values && typeof values === 'object') return { schema: values, step: { key } };
  return undefined;
}

/**
 * A schema node with something to check at or below it: what `select` found at the node itself (absent
 * when nothing), and only the children that lead to such nodes, so a walk over a job visits a fraction
 * of a pod spec's few dozen fields.
 */
export interface PrunedNode<T> {
  schema: SchemaNode;
  found?: T;
  /** The properties that lead to something to check, with the step that reaches each. */
  fields: Map<string, { node: PrunedNode<T>; step: Step }>;
  /** additionalProperties, when they lead to something to check. */
  values?: PrunedNode<T>;
  items?: PrunedNode<T>;
}

/**
 * The pruned tree of a schema for `select`, built once per schema node: the returned function gives
 * undefined when nothing sits at or below `schema`. `select` sees a node after its children.
 */
export function prunedTrees<T>(
  select: (schema: SchemaNode) => T | undefined,
): (schema: SchemaNode | undefined) => PrunedNode<T> | undefined {
  const trees = new WeakMap<SchemaNode, PrunedNode<T> | null>();
  const treeOf = (schema: SchemaNode | undefined): PrunedNode<T> | undefined => {
    if (!schema) return undefined;
    let tree = trees.get(schema);
    if (tree === undefined) {
      const fields = new Map<string, { node: PrunedNode<T>; step: Step }>();
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        const node = treeOf(property);
        if (node) fields.set(name, { node, step: { field: name } });
      }
      const additional =
        typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
      const values = treeOf(additional);
      const items = treeOf(schema.items);
      const found = select(schema);
      tree =
        found !== undefined || fields.size || values || items
          ? { schema, found, fields, values, items }
          : null;
      trees.set(schema, tree);
    }
    return tree ?? undefined;
  };
  return treeOf;
}

/** The pruned child of `node` that `value[key]` leads to (as childOf), or undefined when none. */
export function prunedChild<T>(
  node: PrunedNode<T>,
  key: string,
): { node: PrunedNode<T>; step: Step } | undefined {
  const field = node.fields.get(key);
  if (field) return field;
  return node.values && !node.schema.properties?.[key] ? { node: node.values, step: { key } } : undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => k in b && deepEqual(a[k], b[k]));
}
