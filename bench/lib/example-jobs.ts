// The render benchmarks' workload: the repository's examples, copied and renamed until there are `count` jobs.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseJobs } from '../../src/api/parse.ts';
import type { Job } from '../../src/api/types.ts';

const examplesDir = join(import.meta.dirname, '..', '..', 'examples');

/** Every job in examples/*.yaml, in file name order. */
export function exampleTemplates(): Job[] {
  return readdirSync(examplesDir)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .flatMap((file) => parseJobs(readFileSync(join(examplesDir, file), 'utf8'), file));
}

/** `count` jobs cycling through the templates, each with its own name and uid in namespace `bench`. */
export function exampleJobs(count: number, templates = exampleTemplates()): Job[] {
  return Array.from({ length: count }, (_, i) => {
    const job = structuredClone(templates[i % templates.length]);
    job.metadata = {
      ...job.metadata,
      name: `${job.metadata.name}-${i}`,
      namespace: 'bench',
      uid: `uid-${i}`,
    };
    return job;
  });
}
