// The CustomResourceDefinitions of the six kinds, read from crds/ (written by `npm run generate`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { PACKAGE_ROOT } from '../package-root.ts';
import { GROUP, KIND_NAMES, KINDS, type KindName } from './kinds.ts';

export const CRD_DIR = join(PACKAGE_ROOT, 'crds');

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

const cache = new Map<KindName, Crd>();

/** Parsing one CRD (half a megabyte of YAML) takes a while, so each is read only when first needed. */
function readCrd(kind: KindName): Crd {
  const file = join(CRD_DIR, `${GROUP}_${KINDS[kind].plural}.yaml`);
  const crd = YAML.parse(readFileSync(file, 'utf8')) as Crd;
  if (crd?.kind !== 'CustomResourceDefinition' || crd.spec.names.kind !== kind) {
    throw new Error(`${file} does not hold the CRD of ${kind}; run npm run generate`);
  }
  return crd;
}

/** The CRD of `kind`. The object is shared: do not modify it. */
export function crdFor(kind: KindName): Crd {
  let crd = cache.get(kind);
  if (!crd) cache.set(kind, (crd = readCrd(kind)));
  return crd;
}

/** All six CRDs, in KIND_NAMES order. */
export function loadCrds(): object[] {
  return KIND_NAMES.map(crdFor);
}

/** The schema of the served (and only) version of `kind`. */
export function schemaFor(kind: KindName): Record<string, unknown> {
  return crdFor(kind).spec.versions[0].schema.openAPIV3Schema;
}
