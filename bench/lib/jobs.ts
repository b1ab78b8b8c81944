// What the benchmark creates: copies of examples/pytorchjob.yaml (Master 1 + Worker 2), and for the floor
// the very pods and services the operator renders for them, so both runs write the same bytes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJobs } from '../../src/api/parse.ts';
import type { Job, KubeObject } from '../../src/api/types.ts';
import { DEFAULT_RENDER_OPTIONS } from '../../src/frameworks/framework.ts';
import { withDefaults } from '../../src/frameworks/registry.ts';
import { render } from '../../src/render/render.ts';
import { repoRoot } from '../../test/cluster/control-plane.ts';

/** Pods (and as many services) per job: Master 1 + Worker 2. */
export const PODS_PER_JOB = 3;

function template(): Job {
  const [job] = parseJobs(
    readFileSync(join(repoRoot, 'examples/pytorchjob.yaml'), 'utf8'),
    'pytorchjob.yaml',
  );
  return job;
}

/** `bench-0` … `bench-<n-1>` in `namespace`. */
export function benchJobs(n: number, namespace: string): Job[] {
  const base = template();
  return Array.from({ length: n }, (_, i) => ({
    ...structuredClone(base),
    metadata: { name: `bench-${i}`, namespace },
  }));
}

/** The pods and services the operator renders for a stored job (one with a uid). */
export function podsAndServices(job: Job): KubeObject[] {
  const objects = render(withDefaults(job), DEFAULT_RENDER_OPTIONS).filter(
    (object) => object.kind === 'Pod' || object.kind === 'Service',
  );
  if (objects.length !== 2 * PODS_PER_JOB)
    throw new Error(`expected ${2 * PODS_PER_JOB} objects per job, got ${objects.length}`);
  return objects;
}

/** The pods and services the operator would create for `jobs`, owned by made-up job uids. */
export function floorObjects(jobs: Job[]): KubeObject[] {
  return jobs.flatMap((job, i) =>
    podsAndServices({
      ...job,
      metadata: { ...job.metadata, uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` },
    }),
  );
}

/** The first status the operator writes for a new job: Created, replica statuses, start time. */
export function firstStatus(job: Job): Job {
  const now = `${new Date().toISOString().slice(0, 19)}Z`;
  const created = {
    type: 'Created',
    status: 'True',
    reason: 'PyTorchJobCreated',
    message: `PyTorchJob ${job.metadata.name} is created.`,
    lastUpdateTime: now,
    lastTransitionTime: now,
  };
  return {
    ...job,
    status: { conditions: [created], replicaStatuses: { Master: {}, Worker: {} }, startTime: now },
  };
}
