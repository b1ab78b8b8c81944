// Turns Kubernetes' published OpenAPI v3 definitions into the self-contained structural schemas a CRD
// embeds, the way controller-gen (crd:generateEmbeddedObjectMeta=true,maxDescLen=400) does for Go types:
// every $ref inlined, well-known apimachinery types replaced by their CRD forms, descriptions truncated.

/** A JSON Schema node as it appears in a CRD's openAPIV3Schema. */
export type Schema = { [keyword: string]: unknown };

export const MAX_DESCRIPTION_LENGTH = 400;

/** controller-gen's quantity pattern (k8s.io/apimachinery resource.Quantity). */
export const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

const APIMACHINERY = 'io.k8s.apimachinery.pkg';
const OBJECT_META = `${APIMACHINERY}.apis.meta.v1.ObjectMeta`;
/** The ObjectMeta fields controller-gen keeps in an embedded (pod template) metadata. */
const EMBEDDED_META_FIELDS = ['annotations', 'finalizers', 'labels', 'name', 'namespace'];

/** Keywords copied unchanged; anything not listed here or in DROPPED makes the import fail loudly. */
const KEPT = new Set([
  'type',
  'format',
  'description',
  'required',
  'default',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
]);
/**
 * Dropped like controller-gen drops them: patch strategies and unions are not CRD schema keywords, and
 * `+enum` lists are not emitted by controller-gen either (the pod's own validation checks those values).
 */
const DROPPED = new Set([
  'enum',
  'x-kubernetes-patch-strategy',
  'x-kubernetes-patch-merge-key',
  'x-kubernetes-unions',
]);
const STRUCTURE = new Set(['properties', 'items', 'additionalProperties', 'allOf', '$ref']);

export function intOrString(description?: string): Schema {
  return withDescription(
    { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true },
    description,
  );
}

export function quantity(description?: string): Schema {
  return withDescription(
    {
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      pattern: QUANTITY_PATTERN,
      'x-kubernetes-int-or-string': true,
    },
    description,
  );
}

export function dateTime(description?: string): Schema {
  return withDescription({ type: 'string', format: 'date-time' }, description);
}

function withDescription(schema: Schema, description: string | undefined): Schema {
  return description ? { description: truncateDescription(description), ...schema } : schema;
}

/**
 * controller-gen's truncation: cut at maxLen, then back to the last sentence terminal if there is one,
 * so that long texts end on a whole sentence.
 */
export function truncateDescription(text: string, maxLen = MAX_DESCRIPTION_LENGTH): string {
  if (text.length <= maxLen) return text;
  const cut = text.slice(0, maxLen);
  const last = lastSentenceTerminal(cut);
  return last > 0 ? cut.slice(0, last + 1) : cut;
}

function lastSentenceTerminal(text: string): number {
  for (let i = text.length - 1; i >= 0; i--) if (/\p{Sentence_Terminal}/u.test(text[i])) return i;
  return -1;
}

/** scripts/crd/k8s-schemas.json, written by `npm run import-k8s-schema`. */
export interface VendoredSchemas {
  kubernetesVersion: string;
  source: string;
  schemas: { PodTemplateSpec: Schema; LabelSelector: Schema; MetricSpec: Schema };
}

export interface OpenApiDocument {
  components: { schemas: Record<string, Schema> };
}

/** Resolves one named definition of `doc` into a schema without any $ref. */
export function resolveDefinition(doc: OpenApiDocument, name: string): Schema {
  return new Resolver(doc.components.schemas).named(name, undefined, []);
}

class Resolver {
  constructor(private readonly definitions: Record<string, Schema>) {}

  /** `description` is the referring field's, which controller-gen prefers over the type's own. */
  named(name: string, description: string | undefined, stack: string[]): Schema {
    switch (name) {
      case `${APIMACHINERY}.util.intstr.IntOrString`:
        return intOrString(description);
      case `${APIMACHINERY}.api.resource.Quantity`:
        return quantity(description);
      case `${APIMACHINERY}.apis.meta.v1.Time`:
      case `${APIMACHINERY}.apis.meta.v1.MicroTime`:
        return dateTime(description);
    }
    if (stack.includes(name)) throw new Error(`recursive schema: ${[...stack, name].join(' -> ')}`);
    const definition = this.definitions[name];
    if (!definition) throw new Error(`no definition named ${name}`);
    const resolved = this.node(definition, [...stack, name]);
    return description ? { ...resolved, description: truncateDescription(description) } : resolved;
  }

  node(node: Schema, stack: string[]): Schema {
    const ref = refOf(node);
    if (ref) {
      const description = node.description as string | undefined;
      return ref === OBJECT_META
        ? this.embeddedObjectMeta(description, stack)
        : this.named(ref, description, stack);
    }
    const out: Schema = {};
    for (const [key, value] of Object.entries(node)) {
      if (KEPT.has(key)) out[key] = key === 'description' ? truncateDescription(value as string) : value;
      else if (!DROPPED.has(key) && !STRUCTURE.has(key))
        throw new Error(`unsupported keyword ${key} in ${stack.at(-1)}`);
    }
    if (node.items) out.items = withoutDefault(this.node(node.items as Schema, stack));
    if (node.additionalProperties) {
      out.additionalProperties = withoutDefault(this.node(node.additionalProperties as Schema, stack));
    }
    if (node.properties) out.properties = this.properties(node, stack);
    return out;
  }

  private properties(node: Schema, stack: string[]): Record<string, Schema> {
    const required = new Set((node.required as string[] | undefined) ?? []);
    const out: Record<string, Schema> = {};
    for (const [name, property] of Object.entries(node.properties as Record<string, Schema>)) {
      const resolved = withoutDefault(this.node(property, stack));
      out[name] = isMarkerDefault(property, required.has(name))
        ? { ...resolved, default: property.default }
        : resolved;
    }
    return out;
  }

  private embeddedObjectMeta(description: string | undefined, stack: string[]): Schema {
    const meta = this.node(this.definitions[OBJECT_META], [...stack, OBJECT_META]);
    const all = meta.properties as Record<string, Schema>;
    const properties = Object.fromEntries(EMBEDDED_META_FIELDS.map((field) => [field, all[field]]));
    return withDescription({ type: 'object', properties }, description);
  }
}

function refOf(node: Schema): string | undefined {
  const direct = node.$ref as string | undefined;
  const allOf = node.allOf as Schema[] | undefined;
  const ref = direct ?? (allOf?.length === 1 ? (allOf[0].$ref as string | undefined) : undefined);
  if (!ref && allOf) throw new Error('allOf other than a single $ref is not supported');
  return ref?.split('/').at(-1);
}

/**
 * openapi-gen writes the Go zero value as `default` on every non-pointer field that is not omitempty
 * (`{}` on structs, `""`/`0` on required scalars, on list items and map values); controller-gen keeps
 * only the `+default` markers. Those are the defaults left on optional fields.
 */
function isMarkerDefault(property: Schema, required: boolean): boolean {
  if (!('default' in property) || required) return false;
  const value = property.default;
  return !(typeof value === 'object' && value !== null && Object.keys(value).length === 0);
}

function withoutDefault(schema: Schema): Schema {
  if (!('default' in schema)) return schema;
  const rest = { ...schema };
  delete rest.default;
  return rest;
}

/** Deep copy with object keys in alphabetical order, so that output files are stable. */
export function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeys) as T;
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)])) as T;
}
