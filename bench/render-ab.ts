// Defaults + render of this tree against another checkout's (an older commit), rounds alternating in one
// process so that a busy machine slows both alike. Prints figures; asserts nothing. Run:
//   git archive <commit> | (mkdir -p /tmp/before && tar -x -C /tmp/before)
//   ln -s "$PWD/node_modules" /tmp/before/node_modules
//   taskset -c 0 npx tsx bench/render-ab.ts /tmp/before [rounds]
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Job, KubeObject } from '../src/api/types.ts';
import { DEFAULT_RENDER_OPTIONS, type RenderOptions } from '../src/frameworks/framework.ts';
import { withDefaults } from '../src/frameworks/registry.ts';
import { render } from '../src/render/render.ts';
import { exampleJobs } from './lib/example-jobs.ts';
import { medianMinMax } from './lib/run.ts';

type Pipeline = (job: Job, gangSchedulerName: string | undefined) => KubeObject[];

const [otherTree, roundsArg] = process.argv.slice(2);
if (!otherTree) throw new Error('usage: npx tsx bench/render-ab.ts <other checkout> [rounds]');
const rounds = Number(roundsArg ?? 20);
const load = async <T>(path: string) =>
  (await import(pathToFileURL(join(resolve(otherTree), path)).href)) as T;
const other = await load<{ render: (job: Job, options: RenderOptions) => KubeObject[] }>(
  'src/render/render.ts',
);
const otherDefaults = await load<{ withDefaults: (job: Job) => Job }>('src/frameworks/registry.ts');
// Each tree renders with its own default options (their fields have changed over time).
const otherOptions = await load<{ DEFAULT_RENDER_OPTIONS: RenderOptions }>('src/frameworks/framework.ts');

const jobs = exampleJobs(1000);

const pipelines: Record<string, Pipeline> = {
  [otherTree]: (job, gangSchedulerName) =>
    other.render(otherDefaults.withDefaults(job), {
      ...otherOptions.DEFAULT_RENDER_OPTIONS,
      gangSchedulerName,
    }),
  'this tree': (job, gangSchedulerName) =>
    render(withDefaults(job), { ...DEFAULT_RENDER_OPTIONS, gangSchedulerName }),
};
const rates: Record<string, number[]> = {};
for (let round = -2; round < rounds; round++) {
  // Gang scheduling every other round, as bench/synth.ts does; the first two rounds warm up.
  const gangSchedulerName = round % 2 ? 'volcano' : undefined;
  for (const [name, pipeline] of Object.entries(pipelines)) {
    const start = process.hrtime.bigint();
    for (const job of jobs) pipeline(job, gangSchedulerName);
    if (round >= 0) (rates[name] ??= []).push(jobs.length / (Number(process.hrtime.bigint() - start) / 1e9));
  }
}
for (const [name, values] of Object.entries(rates)) {
  console.log(`${name}: defaults + render, jobs/s: ${medianMinMax(values)}`);
}
