// `training-operator logs NAME`: the container logs of a job's pods, prefixed like `kubectl logs --prefix`
// when they come from several pods.
import { LABELS } from '../api/kinds.ts';
import type { LogLine } from '../client/logs.ts';
import { logPrefix } from '../client/logs.ts';
import type { PodFilter, TrainingClient } from '../client/training-client.ts';
import type { TrainingJob } from '../client/types.ts';
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
 * Which pods: every pod with `all`, those of a type and/or index, else the master (Master, Chief or
 * Launcher pod; Kubeflow's Python client's default), else the first pod in rank order.
 */
async function selection(
  client: TrainingClient,
  job: TrainingJob,
  options: LogsCommandOptions,
): Promise<PodFilter> {
  if (options.all) return {};
  if (options.replicaType !== undefined || options.index !== undefined) {
    return { replicaType: options.replicaType, index: options.index };
  }
  if ((await client.pods(refOf(job), { master: true })).length > 0) return { master: true };
  const first = (await client.pods(refOf(job)))[0]?.metadata?.labels ?? {};
  return {
    replicaType: first[LABELS.replicaType],
    index: Number(first[LABELS.replicaIndex] ?? 0),
  };
}

/** Streams the lines to `print` in arrival order. */
export async function printLogs(
  client: TrainingClient,
  job: TrainingJob,
  filter: PodFilter & { follow?: boolean; container?: string },
  prefix: boolean,
  print: (line: string) => void,
): Promise<void> {
  const format = (line: LogLine) => (prefix ? logPrefix(line) : '') + line.text;
  for await (const line of client.logs(refOf(job), filter)) print(format(line));
}

export async function logsCommand(options: LogsCommandOptions, output: Output): Promise<number> {
  return withClient(options, async (client) => {
    const job = await findJob(client, options.name, options.namespace);
    const filter = await selection(client, job, options);
    const single = filter.index !== undefined || filter.master === true;
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
