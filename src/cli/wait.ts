// `training-operator wait NAME --for=Succeeded`: watches the job until the condition holds, showing its
// progress per replica type.
import { InputError } from '../api/errors.ts';
import type { ConditionType } from '../api/types.ts';
import { JobFailedError, WaitTimeoutError } from '../client/errors.ts';
import type { TrainingClient } from '../client/training-client.ts';
import type { TrainingJob } from '../client/types.ts';
import {
  EXIT_TIMED_OUT,
  findJob,
  jobName,
  refOf,
  withClient,
  type ClusterOptions,
  type TerminalOutput,
} from './cluster.ts';
import { ProgressDisplay } from './progress.ts';

export const WAIT_CONDITIONS = [
  'Created',
  'Running',
  'Restarting',
  'Succeeded',
  'Failed',
  'Suspended',
] as const;

export interface WaitCommandOptions extends ClusterOptions {
  name: string;
  for: string;
  timeoutMs?: number;
}

/** `Succeeded`, `succeeded` or kubectl's `condition=Succeeded`. */
export function parseCondition(value: string): ConditionType {
  const bare = value.replace(/^condition=/i, '');
  const condition = WAIT_CONDITIONS.find((one) => one.toLowerCase() === bare.toLowerCase());
  if (!condition) throw new InputError(`--for ${value}: one of ${WAIT_CONDITIONS.join(', ')}`);
  return condition;
}

/**
 * Waits for `condition` with live progress; returns the exit code: 0 reached, 1 the job failed
 * (waiting for something else), 3 timed out.
 */
export async function waitForJob(
  client: TrainingClient,
  job: TrainingJob,
  condition: ConditionType,
  timeoutMs: number | undefined,
  output: TerminalOutput,
  inPlace = output.isTTY,
): Promise<number> {
  const display = new ProgressDisplay(output, inPlace);
  try {
    await client.waitFor(refOf(job), { for: [condition], timeoutMs, onProgress: (p) => display.show(p) });
  } catch (err) {
    if (err instanceof JobFailedError) {
      output.err(`${jobName(job)} failed: ${err.condition.reason}: ${err.condition.message}`);
      return 1;
    }
    if (err instanceof WaitTimeoutError) {
      output.err(`training-operator: ${err.message}`);
      return EXIT_TIMED_OUT;
    }
    throw err;
  }
  output.out(`${jobName(job)}: condition ${condition} met`);
  return 0;
}

export async function waitCommand(options: WaitCommandOptions, output: TerminalOutput): Promise<number> {
  const condition = parseCondition(options.for);
  return withClient(options, async (client) => {
    const job = await findJob(client, options.name, options.namespace);
    return waitForJob(client, job, condition, options.timeoutMs, output);
  });
}
