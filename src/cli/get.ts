// `training-operator get [KIND] [NAME]`: jobs as a table (state, replicas ready/total per type, age,
// duration), or as YAML or JSON.
import type { KindName } from '../api/kinds.ts';
import type { KubeObject } from '../api/types.ts';
import { resolveKind } from '../client/kinds.ts';
import { jobState, replicaProgress } from '../client/status.ts';
import type { TrainingClient } from '../client/training-client.ts';
import { kindOf, type TrainingJob } from '../client/types.ts';
import { age, findJob, shortDuration, table, withClient, type ClusterOptions } from './cluster.ts';
import type { Output } from './validate.ts';
import { toYaml } from './yaml.ts';

export interface GetCommandOptions extends ClusterOptions {
  /** A kind (`pytorchjob`, `PyTorchJobs`...), `KIND/NAME`, or, alone, a job's name. */
  kind?: string;
  name?: string;
  allNamespaces?: boolean;
  output?: 'wide' | 'yaml' | 'json';
  /** For tests: the clock ages are measured from. */
  now?: number;
}

/** `Master 1/1, Worker 2/3`: pods running out of wanted, per replica type. */
function replicasColumn(job: TrainingJob): string {
  return replicaProgress(job)
    .map((replica) => `${replica.type} ${replica.active}/${replica.total}`)
    .join(', ');
}

/** Start to completion, or to now while running; `-` before it started. */
export function durationColumn(job: TrainingJob, now: number): string {
  const start = job.status?.startTime;
  if (!start) return '-';
  const end = job.status?.completionTime ? Date.parse(job.status.completionTime) : now;
  return shortDuration(end - Date.parse(start));
}

function rows(jobs: TrainingJob[], options: GetCommandOptions, now: number): string[][] {
  const wide = options.output === 'wide';
  const header = [
    ...(options.allNamespaces ? ['NAMESPACE'] : []),
    'NAME',
    'STATE',
    'REPLICAS',
    'AGE',
    'DURATION',
    ...(wide ? ['SUCCEEDED', 'FAILED', 'MESSAGE'] : []),
  ];
  return [
    header,
    ...jobs.map((job) => {
      const progress = replicaProgress(job);
      const count = (field: 'succeeded' | 'failed') =>
        progress.map((replica) => `${replica.type} ${replica[field]}`).join(', ');
      return [
        ...(options.allNamespaces ? [job.metadata?.namespace ?? ''] : []),
        `${kindOf(job).toLowerCase()}/${job.metadata?.name}`,
        jobState(job),
        replicasColumn(job),
        age(job.metadata?.creationTimestamp, now),
        durationColumn(job, now),
        ...(wide ? [count('succeeded'), count('failed'), job.status?.conditions?.at(-1)?.message ?? ''] : []),
      ];
    }),
  ];
}

async function selectJobs(client: TrainingClient, options: GetCommandOptions): Promise<TrainingJob[]> {
  const namespace = options.namespace;
  if (options.kind === undefined) return client.list(undefined, options);
  if (options.kind.includes('/')) return [await findJob(client, options.kind, namespace)];
  let kind: KindName;
  try {
    kind = resolveKind(options.kind);
  } catch (err) {
    // `get NAME`, as `describe NAME` takes it: a job of any kind.
    if (options.name === undefined) return [await findJob(client, options.kind, namespace)];
    throw err;
  }
  if (options.name === undefined) return client.list(kind, options);
  return [await client.get({ kind, name: options.name, namespace })];
}

export async function getCommand(options: GetCommandOptions, output: Output): Promise<number> {
  return withClient(options, async (client) => {
    const jobs = await selectJobs(client, options);
    const single =
      options.name !== undefined || (options.kind !== undefined && jobs.length === 1 && !isList(options));
    if (options.output === 'yaml' || options.output === 'json') {
      const document = single ? jobs[0] : { apiVersion: 'v1', kind: 'List', items: jobs };
      output.out(
        options.output === 'json'
          ? JSON.stringify(document, null, 2)
          : toYaml([document as unknown as KubeObject]).trimEnd(),
      );
      return 0;
    }
    if (jobs.length === 0) {
      output.err(
        options.allNamespaces
          ? 'No jobs found.'
          : `No jobs found in namespace ${options.namespace ?? client.namespace}.`,
      );
      return 0;
    }
    for (const line of table(rows(jobs, options, options.now ?? Date.now()))) output.out(line);
    return 0;
  });
}

/** `get pytorchjobs` lists, even when it finds a single job; `get mnist` or `get pytorchjob/mnist` does not. */
function isList(options: GetCommandOptions): boolean {
  if (options.kind === undefined || options.kind.includes('/')) return options.kind === undefined;
  try {
    resolveKind(options.kind);
    return true;
  } catch {
    return false;
  }
}
