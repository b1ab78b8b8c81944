// `training-operator describe NAME`: a job's conditions, replica statuses, pods (phase, node, restarts)
// and the recent events of the job and its pods.
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { LABELS } from '../api/kinds.ts';
import { EVENT } from '../kube/resources.ts';
import { jobState, replicaProgress } from '../client/status.ts';
import type { TrainingClient } from '../client/training-client.ts';
import type { TrainingJob } from '../client/types.ts';
import { durationColumn } from './get.ts';
import { age, findJob, refOf, table, withClient, type ClusterOptions } from './cluster.ts';
import type { Output } from './validate.ts';

export interface DescribeCommandOptions extends ClusterOptions {
  name: string;
  /** For tests: the clock ages are measured from. */
  now?: number;
}

/** Events shown, newest last. */
const RECENT_EVENTS = 20;

const indent = (lines: string[]) => lines.map((line) => `  ${line}`);

function restarts(pod: V1Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((sum, status) => sum + (status.restartCount ?? 0), 0);
}

async function eventsOf(client: TrainingClient, job: TrainingJob, pods: V1Pod[]): Promise<CoreV1Event[]> {
  const uids = new Set([job.metadata?.uid, ...pods.map((pod) => pod.metadata?.uid)]);
  const names = new Set([job.metadata?.name, ...pods.map((pod) => pod.metadata?.name)]);
  const { items } = await client.api.listAll<CoreV1Event & { metadata: object }>(EVENT, {
    namespace: job.metadata?.namespace,
  });
  const time = (event: CoreV1Event) =>
    String(event.lastTimestamp ?? event.eventTime ?? event.metadata?.creationTimestamp ?? '');
  return items
    .filter((event) =>
      event.involvedObject.uid
        ? uids.has(event.involvedObject.uid)
        : names.has(event.involvedObject.name) &&
          (event.involvedObject.kind === job.kind || event.involvedObject.kind === 'Pod'),
    )
    .sort((a, b) => time(a).localeCompare(time(b)))
    .slice(-RECENT_EVENTS);
}

function describeLines(job: TrainingJob, pods: V1Pod[], events: CoreV1Event[], now: number): string[] {
  const status = job.status ?? {};
  const lines = [
    `Name:         ${job.metadata?.name}`,
    `Namespace:    ${job.metadata?.namespace}`,
    `Kind:         ${job.kind}`,
    `State:        ${jobState(job)}`,
    `Created:      ${String(job.metadata?.creationTimestamp ?? '<unknown>')} (${age(job.metadata?.creationTimestamp, now)} ago)`,
    `Started:      ${status.startTime ?? '-'}`,
    `Completed:    ${status.completionTime ?? '-'}`,
    `Duration:     ${durationColumn(job, now)}`,
    'Conditions:',
  ];
  const conditions = status.conditions ?? [];
  lines.push(
    ...(conditions.length
      ? indent(
          table([
            ['TYPE', 'STATUS', 'REASON', 'AGE', 'MESSAGE'],
            ...conditions.map((c) => [
              c.type,
              c.status,
              c.reason ?? '',
              age(c.lastTransitionTime, now),
              c.message ?? '',
            ]),
          ]),
        )
      : ['  <none>']),
  );
  lines.push('Replicas:');
  lines.push(
    ...indent(
      table([
        ['TYPE', 'WANTED', 'ACTIVE', 'SUCCEEDED', 'FAILED'],
        ...replicaProgress(job).map((r) => [r.type, r.total, r.active, r.succeeded, r.failed].map(String)),
      ]),
    ),
  );
  lines.push('Pods:');
  lines.push(
    ...(pods.length
      ? indent(
          table([
            ['NAME', 'TYPE', 'INDEX', 'PHASE', 'NODE', 'RESTARTS', 'AGE'],
            ...pods.map((pod) => [
              pod.metadata?.name ?? '',
              pod.metadata?.labels?.[LABELS.replicaType] ?? '',
              pod.metadata?.labels?.[LABELS.replicaIndex] ?? '',
              pod.metadata?.deletionTimestamp ? 'Terminating' : (pod.status?.phase ?? 'Unknown'),
              pod.spec?.nodeName ?? '<none>',
              String(restarts(pod)),
              age(pod.metadata?.creationTimestamp, now),
            ]),
          ]),
        )
      : ['  <none>']),
  );
  lines.push('Events:');
  lines.push(
    ...(events.length
      ? indent(
          table([
            ['TYPE', 'REASON', 'AGE', 'OBJECT', 'MESSAGE'],
            ...events.map((event) => [
              event.type ?? '',
              event.reason ?? '',
              age(event.lastTimestamp ?? event.eventTime ?? event.metadata?.creationTimestamp, now),
              `${event.involvedObject.kind?.toLowerCase()}/${event.involvedObject.name}`,
              event.message ?? '',
            ]),
          ]),
        )
      : ['  <none>']),
  );
  return lines;
}

export async function describeCommand(options: DescribeCommandOptions, output: Output): Promise<number> {
  return withClient(options, async (client) => {
    const job = await findJob(client, options.name, options.namespace);
    const pods = await client.pods(refOf(job));
    const events = await eventsOf(client, job, pods);
    for (const line of describeLines(job, pods, events, options.now ?? Date.now())) output.out(line);
    return 0;
  });
}
