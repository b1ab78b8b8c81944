// Container logs for the fake nodes: the kubelet API's `containerLogs` endpoint, which the API server
// calls for `kubectl logs` (GET pods/<name>/log). kwok's own kubelet server can serve log files, but its
// `follow` never ends: it asks a stub runtime whether the container still runs, the stub answers
// Unavailable, and cri-client reads that as "running" (k8s.io/cri-client pkg/logs/logs.go,
// isContainerRunning). Here follow ends when the container terminates, as on a real node.
//
// A fake container prints what a training process would: its command, the environment the operator
// gave it, then one progress line a second from the pod's start; once it has terminated its whole log
// is there, ending with its exit.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeClient } from '../kube/client.ts';
import { loadKubeConfig } from '../kube/config.ts';

export interface ContainerLogsOptions {
  kubeconfig: string;
  port: number;
  /** Serving certificate and key (the cluster's admin certificate, valid for 127.0.0.1). */
  cert: string;
  key: string;
  /** Clients must present a certificate of this CA: the API server does (--kubelet-client-certificate). */
  ca: string;
}

interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
}

interface ContainerStatus {
  name: string;
  state?: { terminated?: { exitCode: number; reason?: string; finishedAt?: string } };
}

interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: { nodeName?: string; containers: Container[]; initContainers?: Container[] };
  status?: { phase?: string; startTime?: string; containerStatuses?: ContainerStatus[] };
}

/** A log line and when the container "printed" it. */
export interface LogLine {
  at: number;
  text: string;
}

const LINE_INTERVAL_MS = 1000;
export const PROGRESS_LINES = 8;
/** How often a follower looks whether its container has terminated. */
const POLL_MS = 500;

const REPLICA_TYPE_LABEL = 'training.kubeflow.org/replica-type';
const REPLICA_INDEX_LABEL = 'training.kubeflow.org/replica-index';

function terminationOf(pod: Pod, container: string) {
  const statuses = [...(pod.status?.containerStatuses ?? [])];
  return statuses.find((s) => s.name === container)?.state?.terminated;
}

/**
 * The whole log of a container that ran from the pod's start: lines due later than now are not printed
 * yet, unless the container has terminated.
 */
export function simulatedLog(pod: Pod, container: Container): LogLine[] {
  const start = Date.parse(pod.status?.startTime ?? '') || Date.now();
  const labels = pod.metadata.labels ?? {};
  const replica = labels[REPLICA_TYPE_LABEL]
    ? `${labels[REPLICA_TYPE_LABEL]} ${labels[REPLICA_INDEX_LABEL] ?? ''}`.trim()
    : pod.metadata.name;
  const env = (container.env ?? []).filter((e) => e.value !== undefined).map((e) => `${e.name}=${e.value}`);
  const command = [...(container.command ?? []), ...(container.args ?? [])].join(' ');
  const header = [
    `[simulated] container ${container.name} of pod ${pod.metadata.name} on ${pod.spec.nodeName ?? '?'}, ` +
      `image ${container.image ?? '?'}`,
    ...(command ? [`$ ${command}`] : []),
    ...(env.length ? [`environment: ${env.join(' ')}`] : []),
    `${replica}: starting training`,
  ];
  const lines: LogLine[] = header.map((text) => ({ at: start, text }));
  for (let epoch = 1; epoch <= PROGRESS_LINES; epoch++) {
    const loss = (2.3 * Math.exp(-epoch / 3)).toFixed(4);
    const accuracy = (100 * (1 - Math.exp(-epoch / 2.5))).toFixed(1);
    lines.push({
      at: start + epoch * LINE_INTERVAL_MS,
      text: `${replica}: epoch ${epoch}/${PROGRESS_LINES} loss=${loss} accuracy=${accuracy}%`,
    });
  }
  const terminated = terminationOf(pod, container.name);
  if (terminated) {
    const at = Date.parse(terminated.finishedAt ?? '') || Date.now();
    lines.push({
      at,
      text:
        terminated.exitCode === 0
          ? `${replica}: training complete`
          : `${replica}: error: exiting with code ${terminated.exitCode} (${terminated.reason ?? 'Error'})`,
    });
  }
  return lines;
}

export interface LogQuery {
  follow: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceMs?: number;
  limitBytes?: number;
}

/** The kubelet's query parameters (PodLogOptions), as the API server passes them on. */
export function parseLogQuery(params: URLSearchParams, now = Date.now()): LogQuery {
  const number = (name: string) => {
    const value = params.get(name);
    return value === null || value === '' ? undefined : Number(value);
  };
  const sinceSeconds = number('sinceSeconds');
  const sinceTime = params.get('sinceTime');
  return {
    follow: params.get('follow') === 'true',
    timestamps: params.get('timestamps') === 'true',
    tailLines: number('tailLines') ?? (params.get('tail') === 'all' ? undefined : number('tail')),
    sinceMs:
      sinceSeconds !== undefined ? now - sinceSeconds * 1000 : sinceTime ? Date.parse(sinceTime) : undefined,
    limitBytes: number('limitBytes'),
  };
}

/** RFC 3339 with nanoseconds, as the kubelet prefixes lines with `timestamps=true`. */
const timestamp = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');

export function formatLine(line: LogLine, query: LogQuery): string {
  return query.timestamps ? `${timestamp(line.at)} ${line.text}\n` : `${line.text}\n`;
}

/** The lines to send first: those due by now (all once terminated), filtered by since and tail. */
export function initialLines(lines: LogLine[], query: LogQuery, terminated: boolean, now = Date.now()) {
  let shown = lines.filter((l) => terminated || l.at <= now);
  const printed = shown.length;
  if (query.sinceMs !== undefined) shown = shown.filter((l) => l.at >= query.sinceMs!);
  if (query.tailLines !== undefined) shown = query.tailLines > 0 ? shown.slice(-query.tailLines) : [];
  return { shown, printed };
}

class LogWriter {
  private written = 0;
  constructor(
    private readonly response: ServerResponse,
    private readonly query: LogQuery,
  ) {}

  /** False once limitBytes is reached: nothing more is to be sent. */
  write(line: LogLine): boolean {
    let text = formatLine(line, this.query);
    const limit = this.query.limitBytes;
    if (limit !== undefined) {
      if (this.written >= limit) return false;
      text = Buffer.from(text)
        .subarray(0, limit - this.written)
        .toString();
    }
    this.written += Buffer.byteLength(text);
    this.response.write(text);
    return limit === undefined || this.written < limit;
  }
}

async function serveLogs(
  client: KubeClient,
  request: IncomingMessage,
  response: ServerResponse,
  [namespace, name, containerName]: string[],
): Promise<void> {
  const query = parseLogQuery(new URL(request.url ?? '/', 'https://localhost').searchParams);
  const getPod = () =>
    client.get<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace, name }).catch(() => undefined);
  let pod = await getPod();
  const container = [...(pod?.spec.containers ?? []), ...(pod?.spec.initContainers ?? [])].find(
    (c) => c.name === containerName,
  );
  if (!pod || !container) {
    response.writeHead(404, { 'Content-Type': 'text/plain' });
    response.end(`no container ${containerName} in pod ${namespace}/${name}\n`);
    return;
  }
  if (new URL(request.url ?? '/', 'https://localhost').searchParams.get('previous') === 'true') {
    response.writeHead(400, { 'Content-Type': 'text/plain' });
    response.end(`previous terminated container "${containerName}" in pod "${name}" not found\n`);
    return;
  }
  response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
  const writer = new LogWriter(response, query);
  let terminated = terminationOf(pod, containerName) !== undefined;
  const { shown, printed } = initialLines(simulatedLog(pod, container), query, terminated);
  let open = shown.every((line) => writer.write(line));
  let sent = printed;
  let closed = false;
  request.on('close', () => (closed = true));
  while (open && query.follow && !terminated && !closed) {
    await sleep(POLL_MS);
    pod = await getPod();
    if (!pod) break;
    terminated = terminationOf(pod, containerName) !== undefined;
    const lines = simulatedLog(pod, container).filter((l) => terminated || l.at <= Date.now());
    open = lines.slice(sent).every((line) => writer.write(line));
    sent = lines.length;
  }
  response.end();
}

/** Serves `/containerLogs/<namespace>/<pod>/<container>` and `/healthz` until the process ends. */
export async function serveContainerLogs(opts: ContainerLogsOptions): Promise<https.Server> {
  const client = await KubeClient.create(loadKubeConfig({ kubeconfig: opts.kubeconfig }), { qps: 0 });
  const server = https.createServer(
    {
      cert: readFileSync(opts.cert),
      key: readFileSync(opts.key),
      ca: readFileSync(opts.ca),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (request, response) => {
      const path = new URL(request.url ?? '/', 'https://localhost').pathname;
      const parts = path.split('/').slice(1).map(decodeURIComponent);
      if (request.method === 'GET' && parts[0] === 'containerLogs' && parts.length === 4) {
        serveLogs(client, request, response, parts.slice(1)).catch((err: unknown) => {
          if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain' });
          response.end(`${err instanceof Error ? err.message : String(err)}\n`);
        });
      } else if (path === '/healthz') {
        response.writeHead(200).end('ok\n');
      } else {
        response.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not served here: ${path}\n`);
      }
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  return server;
}
