// Container logs of a job's pods through the API server's pods/log subresource: each pod's whole log,
// or every pod's followed stream interleaved line by line as the lines arrive.
import type { V1Pod } from '@kubernetes/client-node';
import type { Connection } from '../kube/connection.ts';
import { apiErrorFromResponse } from '../kube/errors.ts';
import { queryString } from '../kube/client.ts';
import { LineSplitter } from '../kube/watch-stream.ts';
import { LABELS } from '../api/kinds.ts';

/** One line of one container's log. */
export interface LogLine {
  pod: string;
  container: string;
  /** From the pod's labels, in lower case as the operator writes it (`worker`). */
  replicaType?: string;
  index?: number;
  text: string;
}

/** `[pod/mnist-worker-0/pytorch] `: the prefix `kubectl logs --prefix` writes. */
export function logPrefix(line: Pick<LogLine, 'pod' | 'container'>): string {
  return `[pod/${line.pod}/${line.container}] `;
}

/** A pod's log can be read once its containers started: not while Pending. */
export const hasStarted = (pod: V1Pod) =>
  ['Running', 'Succeeded', 'Failed'].includes(pod.status?.phase ?? '');

function logPath(pod: V1Pod, container: string, follow: boolean): string {
  const { namespace, name } = pod.metadata!;
  return (
    `/api/v1/namespaces/${encodeURIComponent(namespace!)}/pods/${encodeURIComponent(name!)}/log` +
    queryString({ container, follow: follow || undefined })
  );
}

function lineOf(pod: V1Pod, container: string, text: string): LogLine {
  const labels = pod.metadata?.labels ?? {};
  const index = labels[LABELS.replicaIndex];
  return {
    pod: pod.metadata!.name!,
    container,
    replicaType: labels[LABELS.replicaType],
    index: index === undefined ? undefined : Number(index),
    text,
  };
}

function podError(pod: V1Pod, err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err);
  return new Error(`pod/${pod.metadata?.name}: cannot read its log: ${message}`, { cause: err });
}

/** The container's whole log so far, as lines. */
export async function readLog(connection: Connection, pod: V1Pod, container: string): Promise<LogLine[]> {
  let response;
  try {
    response = await connection.send({
      method: 'GET',
      path: logPath(pod, container, false),
      timeoutMs: 60_000,
    });
  } catch (err) {
    throw podError(pod, err);
  }
  if (response.status !== 200) throw podError(pod, apiErrorFromResponse(response.status, response.body));
  const lines = response.body.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((text) => lineOf(pod, container, text));
}

/**
 * Streams the container's log to `onLine` until the container ends (the kubelet then closes the
 * stream) or `signal` aborts.
 */
export async function followLog(
  connection: Connection,
  pod: V1Pod,
  container: string,
  onLine: (line: LogLine) => void,
  signal?: AbortSignal,
): Promise<void> {
  // No data for a day is a dead connection; a quiet training step is not.
  const aborted = () => (signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
  let response;
  try {
    response = await connection.open({
      method: 'GET',
      path: logPath(pod, container, true),
      timeoutMs: 86_400_000,
      signal,
    });
  } catch (err) {
    throw signal?.aborted ? aborted() : podError(pod, err);
  }
  if (response.statusCode !== 200) {
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    throw podError(pod, apiErrorFromResponse(response.statusCode ?? 0, body));
  }
  const lines = new LineSplitter();
  response.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    response.on('data', (chunk: string) => {
      for (const text of lines.push(chunk)) onLine(lineOf(pod, container, text));
    });
    response.on('end', () => {
      for (const text of lines.end()) onLine(lineOf(pod, container, text));
      resolve();
    });
    response.on('error', (err) => reject(signal?.aborted ? aborted() : podError(pod, err)));
    response.on('close', () => (signal?.aborted ? reject(aborted()) : resolve()));
  });
}
