// `training-operator delete NAME` or `delete -f FILE`: deletes jobs; `--wait` returns once they are gone.
import { InputError } from '../api/errors.ts';
import type { TrainingJob } from '../client/types.ts';
import { EXIT_TIMED_OUT, findJob, jobName, refOf, withClient, type ClusterOptions } from './cluster.ts';
import { WaitTimeoutError } from '../client/errors.ts';
import { readJobs } from './input.ts';
import type { Output } from './validate.ts';

export interface DeleteCommandOptions extends ClusterOptions {
  names: string[];
  files?: string[];
  wait?: boolean;
  timeoutMs?: number;
}

export async function deleteCommand(options: DeleteCommandOptions, output: Output): Promise<number> {
  if (options.names.length === 0 && !options.files?.length) {
    throw new InputError('name the jobs to delete: NAME, KIND/NAME or -f FILE');
  }
  return withClient(options, async (client) => {
    const targets: TrainingJob[] = [];
    for (const name of options.names) targets.push(await findJob(client, name, options.namespace));
    for (const { job } of options.files?.length ? readJobs(options.files) : []) {
      const namespace = job.metadata.namespace ?? options.namespace ?? client.namespace;
      targets.push(await client.get({ kind: job.kind, name: job.metadata.name, namespace }));
    }
    for (const job of targets) {
      try {
        await client.delete(refOf(job), { wait: options.wait, timeoutMs: options.timeoutMs });
      } catch (err) {
        if (!(err instanceof WaitTimeoutError)) throw err;
        output.err(`training-operator: ${err.message}`);
        return EXIT_TIMED_OUT;
      }
      output.out(`${jobName(job)} deleted`);
    }
    return 0;
  });
}
