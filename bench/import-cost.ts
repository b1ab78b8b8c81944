// What importing each runtime package costs a fresh Node process: load time, and the resident memory and
// heap it adds after a garbage collection. The figures behind ADR 0002 (no TypeScript at run time) and ADR
// 0003 (our own kubeconfig reader), and the package budget of the `run` path. Each line is a new process, so
// no package shares loader or code space with another. Prints figures; asserts nothing.
//
//   npx tsx bench/import-cost.ts [--runs 3]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAverage, valueRange } from './lib/run.ts';

const root = join(import.meta.dirname, '..');

/** What is imported: the packages of the operator's `run` path, the offline commands', and what they replaced. */
const IMPORTS = [
  '@kubernetes/client-node',
  '@kubernetes/client-node/dist/config.js',
  '@kubernetes/client-node/dist/gen/index.js',
  'tsx/esm/api',
  'cdk8s-plus-28',
  'cdk8s',
  'constructs',
  'pino',
  'prom-client',
  'yaml',
  'ajv',
  '@bufbuild/cel',
];

/** Runs in the child: memory before and after one import, each after a full GC, as JSON on stdout. */
const PROBE = `
const mib = (n) => n / 2 ** 20;
const sample = () => { globalThis.gc(); const m = process.memoryUsage(); return { rss: m.rss, heap: m.heapUsed }; };
const before = sample();
const started = performance.now();
await import(process.argv[1]);
const ms = performance.now() - started;
const after = sample();
console.log(JSON.stringify({ ms, rss: mib(after.rss - before.rss), heap: mib(after.heap - before.heap), base: mib(before.rss) }));
`;

interface Sample {
  ms: number;
  rss: number;
  heap: number;
  base: number;
}

function probe(specifier: string): Sample {
  const result = spawnSync(
    process.execPath,
    ['--expose-gc', '--input-type=module', '--eval', PROBE, specifier],
    { cwd: root, encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`importing ${specifier}: ${result.stderr}`);
  return JSON.parse(result.stdout) as Sample;
}

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);
console.log(`Node ${process.version}, ${runs} fresh processes per import; load average ${loadAverage()}`);
console.log('\n| import | load ms | RSS added MiB | heap added MiB |');
console.log('| --- | ---: | ---: | ---: |');
let base: number[] = [];
for (const specifier of IMPORTS) {
  const samples = Array.from({ length: runs }, () => probe(specifier));
  base = base.concat(samples.map((s) => s.base));
  const column = (pick: (s: Sample) => number, digits: number) => valueRange(samples.map(pick), digits);
  console.log(
    `| \`${specifier}\` | ${column((s) => s.ms, 0)} | ${column((s) => s.rss, 0)} | ${column((s) => s.heap, 1)} |`,
  );
}
console.log(`\nA fresh node before any import: ${valueRange(base, 0)} MiB resident.`);
