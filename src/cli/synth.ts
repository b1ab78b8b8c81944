// `training-operator synth -f FILE`: every object the operator would create, offline, as YAML.
import { isManagedElsewhere, isSuspended } from '../api/job.ts';
import { type FieldValidation, GENERATED_NAME_PLACEHOLDER } from '../api/schema.ts';
import type { Job } from '../api/types.ts';
import { validateJob } from '../api/validate.ts';
import type { RenderOptions } from '../frameworks/framework.ts';
import { withDefaults } from '../frameworks/registry.ts';
import { render } from '../render/render.ts';
import { errorLine, inNamespace, jobRef, readJobs } from './input.ts';
import type { Output } from './validate.ts';
import { toYaml } from './yaml.ts';

export interface SynthOptions {
  files: string[];
  namespace: string;
  gangSchedulerName?: string;
  /** Framework settings given as flags (`--mpi-kubectl-delivery-image`), by flag name. */
  settings?: RenderOptions['settings'];
  /** kubectl's `--validate`: Strict (the default) refuses unknown and repeated fields. */
  fieldValidation?: FieldValidation;
}

function whyNothing(job: Job): string {
  if (isManagedElsewhere(job)) {
    return `runPolicy.managedBy is ${job.spec.runPolicy?.managedBy}: the operator leaves this job to that controller`;
  }
  return isSuspended(job)
    ? 'the job is suspended (runPolicy.suspend): the operator creates nothing until it is resumed'
    : 'every replica type has 0 replicas: the operator creates no pods';
}

/**
 * Renders each job as the API server stores it (pruned, defaulted, named), so that the objects are those
 * the operator creates. Refuses the whole input if any job is invalid, as `kubectl apply` of it would;
 * returns the exit code.
 */
export function synthCommand(options: SynthOptions, output: Output): number {
  const fieldValidation = options.fieldValidation ?? 'Strict';
  const jobs = readJobs(options.files).map(({ job, duplicateFields }) => ({
    written: job,
    ...validateJob(inNamespace(job, options.namespace), undefined, { fieldValidation, duplicateFields }),
  }));
  for (const { warnings, stored } of jobs) {
    for (const warning of warnings) output.err(`${jobRef(stored)}: warning: ${warning}`);
  }
  const problems = jobs.flatMap(({ errors, stored }) => errors.map((e) => errorLine(stored, e)));
  if (problems.length > 0) {
    problems.forEach(output.err);
    return 1;
  }
  const renderOptions = { gangSchedulerName: options.gangSchedulerName, settings: options.settings };
  const objects = jobs.flatMap(({ written, stored }) => {
    if (!written.metadata.name) {
      output.err(
        `${jobRef(stored)}: metadata.generateName: shown with the placeholder suffix ${GENERATED_NAME_PLACEHOLDER}; ` +
          'the API server appends 5 random characters instead',
      );
    }
    const rendered = render(withDefaults(stored), renderOptions);
    if (rendered.length === 0) output.err(`${jobRef(stored)}: ${whyNothing(stored)}`);
    return rendered;
  });
  if (objects.length > 0) output.out(toYaml(objects));
  return 0;
}
