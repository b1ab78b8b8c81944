// `training-operator logs NAME`: the container logs of a job's pods, prefixed like `kubectl logs --prefix`
// when they come from several pods.
import type { Job } from '../api/types.ts';
import { replicaSpecsOf, replicaTypesOf } from '../client/status.ts';
import { frameworkFor } from '../frameworks/registry.ts';
import type { LogLine } from '../client/logs.ts';
import { logPrefix } from '../client/logs.ts';
import type { LogsOptions, PodFilter, TrainingClient } from '../client/training-client.ts';
import { kindOf, type TrainingJob } from '../client/types.ts';
import { findJob, refOf, withClient, type ClusterOptions } from './cluster.ts';
import type { Output } from './validate.ts';

export interface LogsCommandOptions extends ClusterOptions {
  name: string;
  replicaType?: string;
  index?: number;
  all?: boolean;
  follow?: boolean;
  container?: string;
  /** Prefix every line with its pod and container; default: when several pods are shown. */
  prefix?: boolean;
}

/**
 * Which pods: every pod with `all`, those of a type and/or index, else the master (the pod the operator
 * labels job-role=master: Master, Chief, Launcher, or worker 0; Kubeflow's Python client's default), else
 * the first pod in rank order. Worked out from the spec, so that it holds before the pods exist.
 */
function selection(job: TrainingJob, options: LogsCommandOptions): PodFilter {
  if (options.all) return {};
  if (options.replicaType !== undefined || options.index !== undefined) {
    return { replicaType: options.replicaType, index: options.index };
  }
  const framework = frameworkFor(kindOf(job));
  const specs = replicaSpecsOf(job);
  const types = replicaTypesOf(job);
  for (const type of types) {
    for (let index = 0; index < (specs[type].replicas ?? 1); index++) {
      if (framework.isMasterRole(job as unknown as Job, type, index)) return { replicaType: type, index };
    }
  }
  return { replicaType: types[0], index: 0 };
}

/** Streams the lines to `print` in arrival order. */
export async function printLogs(
  client: TrainingClient,
  job: TrainingJob,
  filter: LogsOptions,
  prefix: boolean,
  print: (line: string) => void,
): Promise<void> {
  const format = (line: LogLine) => (prefix ? logPrefix(line) : '') + line.text;
  for await (const line of client.logs(refOf(job), filter)) print(format(line));
}

export async function logsCommand(options: LogsCommandOptions, output: Output): Promise<number> {
  return withClient(options, async (client) => {
    const job = await findJob(client, options.name, options.namespace);
    const filter = selection(job, options);
    const single = filter.replicaType !== undefined && filter.index !== undefined;
    await printLogs(
      client,
      job,
      { ...filter, follow: options.follow, container: options.container },
      options.prefix ?? !single,
      output.out,
    );
    return 0;
  });
}
