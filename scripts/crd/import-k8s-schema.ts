// `npm run import-k8s-schema`: vendors the Kubernetes schemas our CRDs embed (PodTemplateSpec for the
// replica templates, autoscaling/v2 MetricSpec for elastic policies, LabelSelector for replica statuses)
// into scripts/crd/k8s-schemas.json, so that `npm run generate` needs neither Go nor the network.
//
// The OpenAPI documents come from the k8s.io/kubernetes module (api/openapi-spec/v3). Where from:
//   --openapi-dir DIR       a folder holding api__v1_openapi.json and apis__autoscaling__v2_openapi.json
//   --version vX.Y.Z        otherwise the module of that version (default below) in the Go module cache,
//                           downloaded with `go mod download` inside a throwaway module if missing.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { type OpenApiDocument, resolveDefinition, sortKeys, type VendoredSchemas } from './structural.ts';

const DEFAULT_VERSION = 'v1.35.4';
const OUTPUT = join(dirname(fileURLToPath(import.meta.url)), 'k8s-schemas.json');
const CORE = 'api__v1_openapi.json';
const AUTOSCALING = 'apis__autoscaling__v2_openapi.json';

/** The vendored schemas: our name → (document, definition). */
const ROOTS = {
  PodTemplateSpec: [CORE, 'io.k8s.api.core.v1.PodTemplateSpec'],
  LabelSelector: [CORE, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'],
  MetricSpec: [AUTOSCALING, 'io.k8s.api.autoscaling.v2.MetricSpec'],
} as const;

function goModuleDir(version: string): string {
  const cached = join(
    execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim(),
    `k8s.io/kubernetes@${version}`,
  );
  if (existsSync(cached)) return cached;
  const scratch = mkdtempSync(join(tmpdir(), 'k8s-schema-'));
  try {
    // k8s.io/kubernetes cannot be required as a dependency; downloading it alone needs a module context.
    execFileSync('go', ['mod', 'init', 'scratch'], { cwd: scratch, stdio: 'ignore' });
    const out = execFileSync('go', ['mod', 'download', '-json', `k8s.io/kubernetes@${version}`], {
      cwd: scratch,
      encoding: 'utf8',
      env: { ...process.env, GOFLAGS: '-mod=mod' },
    });
    return (JSON.parse(out) as { Dir: string }).Dir;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function readDocument(dir: string, file: string): OpenApiDocument {
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as OpenApiDocument;
}

function importSchemas(openapiDir: string, version: string): VendoredSchemas {
  const documents = new Map<string, OpenApiDocument>();
  const documentOf = (file: string) =>
    documents.get(file) ?? documents.set(file, readDocument(openapiDir, file)).get(file)!;
  const schemas = Object.fromEntries(
    Object.entries(ROOTS).map(([name, [file, definition]]) => [
      name,
      resolveDefinition(documentOf(file), definition),
    ]),
  ) as VendoredSchemas['schemas'];
  return {
    kubernetesVersion: version,
    source: `k8s.io/kubernetes@${version} api/openapi-spec/v3/{${CORE},${AUTOSCALING}}`,
    schemas: sortKeys(schemas),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { version: { type: 'string', default: DEFAULT_VERSION }, 'openapi-dir': { type: 'string' } },
  });
  const version = values.version;
  const dir = values['openapi-dir'] ?? join(goModuleDir(version), 'api/openapi-spec/v3');
  const vendored = importSchemas(dir, version);
  // Formatted as `prettier --check .` expects it.
  const options = await resolveConfig(OUTPUT);
  writeFileSync(OUTPUT, await format(JSON.stringify(vendored), { ...options, filepath: OUTPUT }));
  console.log(`wrote ${OUTPUT} (Kubernetes ${version}, from ${dir})`);
}

await main();
