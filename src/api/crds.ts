// The CustomResourceDefinitions of the six kinds, read from crds/ (written by `npm run generate`).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { GROUP, KIND_NAMES, type KindName } from './kinds.ts';

export const CRD_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../crds');

export interface Crd {
  apiVersion: string;
  kind: 'CustomResourceDefinition';
  metadata: { name: string; annotations?: Record<string, string> };
  spec: {
    group: string;
    names: { kind: string; listKind: string; plural: string; singular: string };
    scope: string;
    versions: CrdVersion[];
  };
}

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema: { openAPIV3Schema: Record<string, unknown> };
  subresources?: { status?: object; scale?: Record<string, string> };
  additionalPrinterColumns?: { name: string; type: string; jsonPath: string; priority?: number }[];
}

let cache: Map<KindName, Crd> | undefined;

function readCrds(): Map<KindName, Crd> {
  const crds = new Map<string, Crd>();
  for (const file of readdirSync(CRD_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    const crd = YAML.parse(readFileSync(join(CRD_DIR, file), 'utf8')) as Crd;
    if (crd.spec.group === GROUP) crds.set(crd.spec.names.kind, crd);
  }
  const missing = KIND_NAMES.filter((kind) => !crds.has(kind));
  if (missing.length)
    throw new Error(`${CRD_DIR} lacks the CRD of ${missing.join(', ')}; run npm run generate`);
  return new Map(KIND_NAMES.map((kind) => [kind, crds.get(kind)!]));
}

function crdMap(): Map<KindName, Crd> {
  return (cache ??= readCrds());
}

/** All six CRDs, in KIND_NAMES order. The objects are shared: do not modify them. */
export function loadCrds(): object[] {
  return [...crdMap().values()];
}

export function crdFor(kind: KindName): Crd {
  return crdMap().get(kind)!;
}

/** The schema of the served (and only) version of `kind`. */
export function schemaFor(kind: KindName): Record<string, unknown> {
  return crdFor(kind).spec.versions[0].schema.openAPIV3Schema;
}
