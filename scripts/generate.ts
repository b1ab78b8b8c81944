// `npm run generate`: writes crds/kubeflow.org_<plural>.yaml for every kind (and the same files into the
// Helm chart's crds/, which Helm installs as they are) and the TypeScript types in generated/kubeflow.org/v1/. Inputs: scripts/crd/source.ts and the vendored Kubernetes schemas
// (scripts/crd/k8s-schemas.json, refreshed by `npm run import-k8s-schema`). Output is deterministic.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KIND_NAMES, KINDS, type KindName } from '../src/api/kinds.ts';
import { buildCrd, crdFileName, crdYaml } from './crd/crds.ts';
import type { Schema } from './crd/structural.ts';
import { generateTypes } from './crd/types.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const crdDir = join(root, 'crds');
const chartCrdDir = join(root, 'charts/training-operator/crds');
const typesDir = join(root, 'generated/kubeflow.org/v1');

/** Writes `files` into `dir` and removes any other file there, so that the folder is exactly the output. */
function writeFolder(dir: string, files: Map<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const existing of readdirSync(dir)) if (!files.has(existing)) rmSync(join(dir, existing));
  for (const [name, content] of files) writeFileSync(join(dir, name), content);
}

async function main(): Promise<void> {
  const crds = new Map(KIND_NAMES.map((kind) => [kind, buildCrd(KINDS[kind])]));
  const crdFiles = new Map(KIND_NAMES.map((kind) => [crdFileName(KINDS[kind]), crdYaml(crds.get(kind)!)]));
  writeFolder(crdDir, crdFiles);
  writeFolder(chartCrdDir, crdFiles);
  const schemaOf = (kind: KindName) => {
    const versions = (crds.get(kind)!.spec as { versions: { schema: { openAPIV3Schema: Schema } }[] })
      .versions;
    return versions[0].schema.openAPIV3Schema;
  };
  const schemas = Object.fromEntries(KIND_NAMES.map((kind) => [kind, schemaOf(kind)])) as Record<
    KindName,
    Schema
  >;
  writeFolder(typesDir, await generateTypes(schemas));
  console.log(
    `wrote ${KIND_NAMES.length} CRDs to ${crdDir} and ${chartCrdDir}, and their types to ${typesDir}`,
  );
}

await main();
