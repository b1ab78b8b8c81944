// Synthesis throughput of 1,000 mixed jobs (the examples, renamed) in one process: defaults + render (what the
// reconciler computes per job), then validate + defaults + render (`training-operator synth`). Rates are jobs per
// second of this process's CPU time (user + system, every thread), so that other work on a shared machine does not
// count against them; pin it to one core so that the garbage collector's helper threads share it too. Prints
// figures; it asserts nothing. Run: taskset -c 1 npx tsx bench/synth.ts [jobs] [rounds]
import { validateJob } from '../src/api/validate.ts';
import { DEFAULT_RENDER_OPTIONS } from '../src/frameworks/framework.ts';
import { withDefaults } from '../src/frameworks/registry.ts';
import { render } from '../src/render/render.ts';
import { exampleJobs, exampleTemplates } from './lib/example-jobs.ts';
import { medianMinMax } from './lib/run.ts';

const count = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 5);
const templates = exampleTemplates();
const jobs = exampleJobs(count, templates);

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
  return { rates, objects };
}

const renderOnly = measure(false);
const withValidation = measure(true);
console.log(
  `jobs per round: ${count} (${templates.length} example jobs), objects per round: ~${renderOnly.objects}`,
);
console.log(
  `defaults + render (the reconciler's part), jobs per CPU second: ${medianMinMax(renderOnly.rates)}`,
);
console.log(
  `validate + defaults + render (synth), jobs per CPU second: ${medianMinMax(withValidation.rates)}`,
);
console.log(`heap used: ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1)} MiB`);
