// What a render costs by the path it takes, on the same 1,000 mixed jobs as bench/synth.ts (the examples,
// renamed), rounds alternating between the paths so that a busy machine slows them alike. Prints figures;
// asserts nothing. Run: taskset -c 0 npx tsx bench/render-paths.ts [rounds]
//   construct tree, tree walk   render(): src/render/manifest.ts synthesize()
//   construct tree, cdk8s       the same tree through chart.toJson() and cdk8s's own ApiObject.toJson
//   memo, inputs unchanged      what a reconcile pays when nothing render reads has changed
//   defaults only               withDefaults(), which every path includes
import { ApiObject } from 'cdk8s';
import { DEFAULT_RENDER_OPTIONS, type RenderOptions } from '../src/frameworks/framework.ts';
import { withDefaults } from '../src/frameworks/registry.ts';
import { ManifestObject } from '../src/render/manifest.ts';
import { RenderMemo } from '../src/render/memo.ts';
import { jobChart, render } from '../src/render/render.ts';
import { exampleJobs } from './lib/example-jobs.ts';
import { medianMinMax } from './lib/run.ts';

const rounds = Number(process.argv[2] ?? 10);
const jobs = exampleJobs(1000);
const observed = { pods: [] };
const memo = new RenderMemo(jobs.length);
/** Swaps which toJson ManifestObject uses: its own, or the one it overrides (cdk8s's ApiObject.toJson). */
const toJsonOf = (prototype: object) => Object.getOwnPropertyDescriptor(prototype, 'toJson')!;
const treeWalkToJson = toJsonOf(ManifestObject.prototype);
const cdk8sToJson = toJsonOf(ApiObject.prototype);

const paths: Record<string, (options: RenderOptions) => void> = {
  'construct tree, tree walk': (options) => {
    for (const job of jobs) render(withDefaults(job), options);
  },
  'construct tree, cdk8s': (options) => {
    Object.defineProperty(ManifestObject.prototype, 'toJson', cdk8sToJson);
    try {
      for (const job of jobs) jobChart(withDefaults(job), options).toJson();
    } finally {
      Object.defineProperty(ManifestObject.prototype, 'toJson', treeWalkToJson);
    }
  },
  'memo, inputs unchanged': (options) => {
    for (const job of jobs) memo.render(withDefaults(job), options, observed);
  },
  'defaults only': () => {
    for (const job of jobs) withDefaults(job);
  },
};

const rates: Record<string, number[]> = {};
for (let round = -2; round < rounds; round++) {
  // Gang scheduling every other round, as bench/synth.ts does; the first two rounds warm up.
  const options = { ...DEFAULT_RENDER_OPTIONS, gangSchedulerName: round % 2 ? 'volcano' : undefined };
  for (const [name, run] of Object.entries(paths)) {
    // The memo's path is timed once it holds this round's renders, as on a job's second reconcile.
    if (name.startsWith('memo')) for (const job of jobs) memo.render(withDefaults(job), options, observed);
    const start = process.hrtime.bigint();
    run(options);
    if (round >= 0) (rates[name] ??= []).push(jobs.length / (Number(process.hrtime.bigint() - start) / 1e9));
  }
}
for (const [name, values] of Object.entries(rates)) {
  console.log(`${name.padEnd(28)} jobs/s: ${medianMinMax(values)}`);
}
console.log(`memo: ${memo.counts.renders} renders, ${memo.counts.reused} reused`);
