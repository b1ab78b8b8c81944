// Synthesis throughput of 1,000 mixed jobs (the examples, renamed) in one process: defaults + render (what the
// reconciler computes per job), then validate + defaults + render (`training-operator synth`). Rates are jobs per
// second of this process's CPU time (user + system, every thread), so that other work on a shared machine does not
// count against them; pin it to one core so that the garbage collector's helper threads share it too. Prints
// figures; it asserts nothing. Run: taskset -c 1 npx tsx bench/synth.ts [jobs] [rounds]
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseJobs } from '../src/api/parse.ts';
import type { Job } from '../src/api/types.ts';
import { validateJob } from '../src/api/validate.ts';
import { DEFAULT_RENDER_OPTIONS } from '../src/frameworks/framework.ts';
import { withDefaults } from '../src/frameworks/registry.ts';
import { render } from '../src/render/render.ts';

const count = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 5);
const examplesDir = join(import.meta.dirname, '..', 'examples');
const templates = readdirSync(examplesDir)
  .filter((file) => file.endsWith('.yaml'))
  .sort()
  .flatMap((file) => parseJobs(readFileSync(join(examplesDir, file), 'utf8'), file));

const jobs: Job[] = Array.from({ length: count }, (_, i) => {
  const job = structuredClone(templates[i % templates.length]);
  job.metadata = { ...job.metadata, name: `${job.metadata.name}-${i}`, namespace: 'bench', uid: `uid-${i}` };
  return job;
});

/**
 * Defaults and render: what the reconciler computes per job. With `validate`, what `training-operator synth` does:
 * every job validated first (one invalid job refuses the whole input), then each job as stored rendered.
 */
function synthAll(validate: boolean, options = DEFAULT_RENDER_OPTIONS): number {
  const rendered = validate
    ? jobs.map((job) => {
        const { errors, stored } = validateJob(job);
        if (errors.length > 0) throw new Error(`${job.metadata.name} is invalid`);
        return stored;
      })
    : jobs;
  let objects = 0;
  for (const job of rendered) objects += render(withDefaults(job), options).length;
  return objects;
}

function measure(validate: boolean): { rates: number[]; objects: number } {
  synthAll(validate);
  const rates: number[] = [];
  let objects = 0;
  for (let round = 0; round < rounds; round++) {
    const start = process.cpuUsage();
    const options = { ...DEFAULT_RENDER_OPTIONS, gangSchedulerName: round % 2 ? 'volcano' : undefined };
    objects = synthAll(validate, options);
    const { user, system } = process.cpuUsage(start);
    rates.push(count / ((user + system) / 1e6));
  }
  return { rates: rates.sort((a, b) => a - b), objects };
}

const summary = (rates: number[]) =>
  `median ${rates[Math.floor(rates.length / 2)].toFixed(0)}, min ${rates[0].toFixed(0)}, max ${rates.at(-1)!.toFixed(0)}`;

const renderOnly = measure(false);
const withValidation = measure(true);
console.log(
  `jobs per round: ${count} (${templates.length} example jobs), objects per round: ~${renderOnly.objects}`,
);
console.log(`defaults + render (the reconciler's part), jobs per CPU second: ${summary(renderOnly.rates)}`);
console.log(`validate + defaults + render (synth), jobs per CPU second: ${summary(withValidation.rates)}`);
console.log(`heap used: ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1)} MiB`);
