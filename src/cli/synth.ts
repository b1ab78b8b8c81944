// `training-operator synth -f FILE`: every object the operator would create, offline, as YAML.
import { isManagedElsewhere, isSuspended } from '../api/job.ts';
import type { Job } from '../api/types.ts';
import { validateJob } from '../api/validate.ts';
import { DEFAULT_RENDER_OPTIONS } from '../frameworks/framework.ts';
import { withDefaults } from '../frameworks/registry.ts';
import { render } from '../render/render.ts';
import { inNamespace, jobRef, readJobs } from './input.ts';
import { fieldPrefix, type Output } from './validate.ts';
import { toYaml } from './yaml.ts';

export interface SynthOptions {
  files: string[];
  namespace: string;
  gangSchedulerName?: string;
  mpiKubectlDeliveryImage?: string;
}

function whyNothing(job: Job): string {
  if (isManagedElsewhere(job)) {
    return `runPolicy.managedBy is ${job.spec.runPolicy?.managedBy}: the operator leaves this job to that controller`;
  }
  return isSuspended(job)
    ? 'the job is suspended (runPolicy.suspend): the operator creates nothing until it is resumed'
    : 'every replica type has 0 replicas: the operator creates no pods';
}

/** Refuses the whole input if any job is invalid, as `kubectl apply` of it would; returns the exit code. */
export function synthCommand(options: SynthOptions, output: Output): number {
  const jobs = readJobs(options.files).map((job) => inNamespace(job, options.namespace));
  const problems = jobs.flatMap((job) =>
    validateJob(job).errors.map((e) => `${jobRef(job)}: ${fieldPrefix(e.path)}${e.message}`),
  );
  if (problems.length > 0) {
    problems.forEach(output.err);
    return 1;
  }
  const renderOptions = {
    ...DEFAULT_RENDER_OPTIONS,
    gangSchedulerName: options.gangSchedulerName,
    mpiKubectlDeliveryImage:
      options.mpiKubectlDeliveryImage ?? DEFAULT_RENDER_OPTIONS.mpiKubectlDeliveryImage,
  };
  const objects = jobs.flatMap((job) => {
    const rendered = render(withDefaults(job), renderOptions);
    if (rendered.length === 0) output.err(`${jobRef(job)}: ${whyNothing(job)}`);
    return rendered;
  });
  if (objects.length > 0) output.out(toYaml(objects));
  return 0;
}
