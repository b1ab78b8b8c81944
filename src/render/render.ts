// render(job) → the objects the operator wants for it: the job's construct tree (chart.ts), synthesized
// in process (manifest.ts). Pure: no I/O, no clock; the same job always gives byte-identical output in a
// stable order.
import { App } from 'cdk8s';
import { isManagedElsewhere, isSuspended } from '../api/job.ts';
import type { Job, KubeObject } from '../api/types.ts';
import type { Observed, RenderOptions } from '../frameworks/framework.ts';
import { frameworkFor } from '../frameworks/registry.ts';
import { JobChart } from './chart.ts';
import { synthesize } from './manifest.ts';

const NOTHING_OBSERVED: Observed = { pods: [] };

/** The job's construct tree, in an app of its own. */
export function jobChart(job: Job, options: RenderOptions, observed: Observed = NOTHING_OBSERVED): JobChart {
  return new JobChart(new App(), job, frameworkFor(job.kind), options, observed);
}

/**
 * The desired objects of a job that has its defaults applied (frameworks/registry.ts withDefaults).
 * A suspended job, or one another controller manages, wants nothing.
 */
export function render(
  job: Job,
  options: RenderOptions,
  observed: Observed = NOTHING_OBSERVED,
): KubeObject[] {
  if (isSuspended(job) || isManagedElsewhere(job)) return [];
  return synthesize(jobChart(job, options, observed));
}
