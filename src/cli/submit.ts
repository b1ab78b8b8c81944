// `training-operator submit -f FILE`: validates the jobs offline with the rules of `validate`, then creates
// them; `--wait` follows each to Succeeded (or Failed), `--logs` streams every pod's log meanwhile.
import type { FieldValidation } from '../api/schema.ts';
import type { Job } from '../api/types.ts';
import { validateJob } from '../api/validate.ts';
import type { TrainingClient } from '../client/training-client.ts';
import type { TrainingJob } from '../client/types.ts';
import { jobName, withClient, type ClusterOptions, type TerminalOutput } from './cluster.ts';
import { errorLine, inNamespace, jobRef, readJobs } from './input.ts';
import { printLogs } from './logs.ts';
import { waitForJob } from './wait.ts';

export interface SubmitCommandOptions extends ClusterOptions {
  files: string[];
  wait?: boolean;
  logs?: boolean;
  timeoutMs?: number;
  fieldValidation?: FieldValidation;
}

/** The jobs, or the exit code 1 after printing every error of every job: nothing is created then. */
function validated(
  options: SubmitCommandOptions,
  namespace: string,
  output: TerminalOutput,
): Job[] | undefined {
  const fieldValidation = options.fieldValidation ?? 'Strict';
  const results = readJobs(options.files).map(({ job, duplicateFields }) => {
    const placed = inNamespace(job, namespace);
    return { placed, ...validateJob(placed, undefined, { fieldValidation, duplicateFields }) };
  });
  for (const { warnings, stored } of results) {
    for (const warning of warnings) output.err(`${jobRef(stored)}: warning: ${warning}`);
  }
  const errors = results.flatMap(({ errors, stored }) => errors.map((error) => errorLine(stored, error)));
  errors.forEach(output.err);
  return errors.length ? undefined : results.map(({ placed }) => placed);
}

/** Follows the job's logs, then its end; the exit code of `wait --for=Succeeded`. */
async function follow(
  client: TrainingClient,
  job: TrainingJob,
  options: SubmitCommandOptions,
  output: TerminalOutput,
): Promise<number> {
  if (options.logs) await printLogs(client, job, { follow: true }, true, output.out);
  // Log lines and a progress display redrawn in place would overwrite each other: plain lines then.
  return waitForJob(client, job, 'Succeeded', options.timeoutMs, output, output.isTTY && !options.logs);
}

export async function submitCommand(options: SubmitCommandOptions, output: TerminalOutput): Promise<number> {
  return withClient(options, async (client) => {
    const jobs = validated(options, options.namespace ?? client.namespace, output);
    if (!jobs) return 1;
    const created: TrainingJob[] = [];
    for (const job of jobs) {
      // The parsed job has the generated type's shape; the API server checks it again.
      const body: unknown = job;
      const stored = await client.create(body as TrainingJob);
      output.out(`${jobName(stored)} created`);
      created.push(stored);
    }
    if (!options.wait && !options.logs) return 0;
    let code = 0;
    for (const job of created) code = Math.max(code, await follow(client, job, options, output));
    return code;
  });
}
