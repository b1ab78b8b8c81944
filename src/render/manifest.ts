// The leaves of a job's construct tree: one Kubernetes object each, kept as the plain JSON it is built
// from so that every field of a pod template survives, typed or not; and the synthesis of a chart.
import { ApiObject, type ApiObjectMetadataDefinition, type Chart, type JsonPatch } from 'cdk8s';
import type { IConstruct } from 'constructs';
import type { KubeObject } from '../api/types.ts';

/** A value that is not plain JSON (a cdk8s Lazy or token): the object falls back to cdk8s's own synthesis. */
class NotPlainJson extends Error {}

/**
 * What cdk8s's `sanitizeValue(resolve(value))` gives for plain JSON, in one pass: keys sorted, null and
 * undefined members dropped, a fresh copy; with `compact`, empty objects and arrays dropped too (as for
 * metadata). cdk8s's resolve looks up the app's resolvers for every value, walking up the tree each
 * time; plain JSON has nothing to resolve.
 */
function sortedJson(value: unknown, compact: boolean): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    return compact && value.length === 0 ? undefined : value.map((item) => sortedJson(item, compact));
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) throw new NotPlainJson();
  const record = value as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  let empty = true;
  for (const key of Object.keys(record).sort()) {
    const member = sortedJson(record[key], compact);
    if (member !== undefined && member !== null) {
      copy[key] = member;
      empty = false;
    }
  }
  return compact && empty ? undefined : copy;
}

/** The fields `ApiObjectMetadataDefinition.toJson` reads (cdk8s 2.x keeps them as private members). */
interface MetadataFields {
  _additionalAttributes: Record<string, unknown>;
  name?: string;
  namespace?: string;
  annotations: Record<string, string>;
  finalizers: string[];
  ownerReferences: unknown[];
  labels: Record<string, string>;
}

/** `metadata.toJson()` without the per-value resolution; cdk8s's own when its fields are not where expected. */
function metadataJson(metadata: ApiObjectMetadataDefinition): unknown {
  const fields = metadata as unknown as Partial<MetadataFields>;
  if (!fields._additionalAttributes || !fields.labels || !fields.annotations) return metadata.toJson();
  const { _additionalAttributes, name, namespace, annotations, finalizers, ownerReferences, labels } = fields;
  return sortedJson(
    { ..._additionalAttributes, name, namespace, annotations, finalizers, ownerReferences, labels },
    true,
  );
}

/**
 * One object of a job. Metadata goes through cdk8s (the chart's namespace and labels, `metadata.addLabel`
 * and the like); the rest of the manifest is held by reference, so constructs above it may still change
 * it until synthesis. `toJson` equals `ApiObject.toJson` (test/unit/construct-tree.test.ts holds them
 * equal for every object of the corpus) without cdk8s's per-value resolution.
 */
export class ManifestObject<T extends KubeObject = KubeObject> extends ApiObject {
  private patched = false;

  constructor(
    scope: IConstruct,
    id: string,
    readonly manifest: T,
  ) {
    super(scope, id, manifest);
  }

  override addJsonPatch(...ops: JsonPatch[]): void {
    this.patched = true;
    super.addJsonPatch(...ops);
  }

  override toJson(): KubeObject {
    if (this.patched) return super.toJson() as KubeObject;
    try {
      const json: KubeObject = {
        apiVersion: this.manifest.apiVersion,
        kind: this.manifest.kind,
        metadata: metadataJson(this.metadata) as KubeObject['metadata'],
      };
      for (const key of Object.keys(this.manifest).sort()) {
        if (key === 'apiVersion' || key === 'kind' || key === 'metadata') continue;
        const value = sortedJson(this.manifest[key], false);
        if (value !== undefined && value !== null) json[key] = value;
      }
      return json;
    } catch (error) {
      if (error instanceof NotPlainJson) return super.toJson() as KubeObject;
      throw error;
    }
  }
}

/**
 * The objects of a chart in the order of its tree (depth first, children in the order they were added),
 * which is the order `chart.toJson()` gives for a tree without dependencies. cdk8s's own synthesis also
 * resolves dependencies and validates every construct of the app; a job's chart has neither.
 */
export function synthesize(chart: Chart): KubeObject[] {
  const objects: KubeObject[] = [];
  const visit = (construct: IConstruct) => {
    if (construct instanceof ApiObject) objects.push(construct.toJson() as KubeObject);
    for (const child of construct.node.children) visit(child);
  };
  visit(chart);
  return objects;
}
