// Helpers for jobs that run on the simulated cluster: kwok finishes a pod by itself when its template
// carries the finish annotation, so nobody touches pod status.
import { replicaSpecs } from '../../src/api/job.ts';
import assert from 'node:assert/strict';
import type { KindName } from '../../src/api/kinds.ts';
import type { Job } from '../../src/api/types.ts';
import { EXIT_CODE_ANNOTATION, FINISH_ANNOTATION } from '../cluster/sim.ts';
import { hasCondition, waitForJob } from '../integration/operator.ts';

/** Makes every pod of `types` finish on its own once running, with the given outcome. */
export function finishing(job: Job, types: string[], phase: 'Succeeded' | 'Failed', exitCode?: number): Job {
  const specs = replicaSpecs(job);
  for (const type of types) {
    const template = specs[type].template!;
    const annotations: Record<string, string> = { [FINISH_ANNOTATION]: phase };
    if (exitCode !== undefined) annotations[EXIT_CODE_ANNOTATION] = String(exitCode);
    template.metadata = { ...template.metadata, annotations };
  }
  return job;
}

/** Waits for the job to finish and checks it succeeded the way the reference's e2e tests check it. */
export async function runsToSucceeded(
  namespace: string,
  kind: KindName,
  name: string,
  timeoutMs = 60_000,
): Promise<Job> {
  const job = await waitForJob(
    namespace,
    kind,
    name,
    (j) => hasCondition(j, 'Succeeded') || hasCondition(j, 'Failed'),
    'finished',
    timeoutMs,
  );
  assert.ok(hasCondition(job, 'Succeeded'), JSON.stringify(job.status?.conditions));
  assert.ok(hasCondition(job, 'Created'));
  for (const type of ['Running', 'Restarting', 'Failed'] as const)
    assert.equal(hasCondition(job, type), false, type);
  assert.ok(job.status?.startTime && job.status.completionTime);
  return job;
}
