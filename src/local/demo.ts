// `training-operator local demo`, the README's first command: brings the local cluster up (building its
// binaries the first time), submits examples/pytorchjob.yaml, prints the job's progress as it changes
// and the logs of every rank as they are written, until the job has finished, then what to try next.
// Talks to the API server through src/kube (KubeClient for the job and its pods, the kubeconfig's
// credentials for the pods' log streams); the job client of src/client can take this over.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import YAML from 'yaml';
import { API_VERSION, LABELS } from '../api/kinds.ts';
import type { Job } from '../api/types.ts';
import type { Output } from '../cli/validate.ts';
import { KubeClient } from '../kube/client.ts';
import { loadKubeConfig, type KubeConfig } from '../kube/config.ts';
import { PACKAGE_ROOT } from '../package-root.ts';
import { shown, upCommand } from './commands.ts';

export const DEMO_JOB_FILE = join(PACKAGE_ROOT, 'examples/pytorchjob.yaml');
const NAMESPACE = 'default';
const JOB_TIMEOUT_MS = 5 * 60_000;
/** After the job has finished, how long the log streams of its pods get to end by themselves. */
const LOG_GRACE_MS = 15_000;

interface Pod {
  metadata: { name: string };
  spec: { containers: { name: string }[] };
  status?: { phase?: string };
}

const finishedType = (job: Job) =>
  job.status?.conditions?.find((c) => (c.type === 'Succeeded' || c.type === 'Failed') && c.status === 'True')
    ?.type;

/** One line: the latest true condition and, per replica type, its pods' counts. */
export function progressLine(job: Job): string {
  const conditions = (job.status?.conditions ?? []).filter((c) => c.status === 'True');
  const state = conditions.at(-1)?.type ?? 'Submitted';
  const replicas = Object.entries(job.status?.replicaStatuses ?? {})
    .map(([type, s]) => {
      const counts = (['active', 'succeeded', 'failed'] as const)
        .filter((key) => (s[key] ?? 0) > 0)
        .map((key) => `${s[key]} ${key}`);
      return `${type} ${counts.join(', ') || 'pending'}`;
    })
    .join('; ');
  return replicas ? `${state.padEnd(9)} ${replicas}` : state;
}

/**
 * Streams a container's log (GET pods/<name>/log?follow=true) to `onLine` until the API server ends it:
 * when the container has terminated, or the pod is gone.
 */
export async function followPodLog(
  kc: KubeConfig,
  namespace: string,
  pod: string,
  container: string,
  onLine: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const options: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  const server = new URL(kc.getCurrentCluster().server);
  const path =
    `${server.pathname.replace(/\/+$/, '')}/api/v1/namespaces/${namespace}/pods/${pod}/log` +
    `?container=${encodeURIComponent(container)}&follow=true`;
  await new Promise<void>((resolve, reject) => {
    const request = https.get(
      { ...options, hostname: server.hostname, port: server.port, path, signal },
      (response) => {
        let pending = '';
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (response.statusCode !== 200) return void (body += chunk);
          const lines = (pending + chunk).split('\n');
          pending = lines.pop() ?? '';
          lines.forEach(onLine);
        });
        response.on('end', () => {
          if (pending) onLine(pending);
          if (response.statusCode === 200) resolve();
          else reject(new Error(`logs of ${pod}: ${response.statusCode}: ${body.trim()}`));
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
  });
}

/** The job of examples/pytorchjob.yaml, in the demo's namespace. */
function demoJob(): Job {
  const job = YAML.parse(readFileSync(DEMO_JOB_FILE, 'utf8')) as Job;
  job.metadata.namespace = NAMESPACE;
  return job;
}

/** Removes the job of an earlier demo run, waiting until it is gone so that its name is free. */
async function removePrevious(client: KubeClient, job: Job, output: Output): Promise<void> {
  const ref = { apiVersion: API_VERSION, kind: job.kind, namespace: NAMESPACE, name: job.metadata.name };
  if (!(await client.get(ref))) return;
  output.out(`deleting ${job.kind} ${NAMESPACE}/${ref.name} of an earlier run`);
  await client.delete(ref, { propagationPolicy: 'Foreground' });
  const deadline = Date.now() + 60_000;
  while (await client.get(ref)) {
    if (Date.now() > deadline) throw new Error(`${job.kind} ${ref.name} was not deleted within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Watches the job and its pods: prints a progress line whenever it changes and streams the log of each
 * pod once it runs, each line prefixed with the pod's name. Resolves with the job once it has finished
 * and its pods' logs have ended (or LOG_GRACE_MS later).
 */
async function runAndFollow(client: KubeClient, kc: KubeConfig, job: Job, output: Output): Promise<Job> {
  const name = job.metadata.name;
  const started = Date.now();
  const elapsed = () => `[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s]`;
  const abort = new AbortController();
  const logAbort = new AbortController();
  const logStreams: Promise<void>[] = [];
  const following = new Set<string>();
  let last = '';
  let finished: Job | undefined;
  let failure: string | undefined;
  const width = `${name}-worker-0`.length;

  const follow = (pod: Pod) => {
    if (
      following.has(pod.metadata.name) ||
      !['Running', 'Succeeded', 'Failed'].includes(pod.status?.phase ?? '')
    )
      return;
    following.add(pod.metadata.name);
    const container = pod.spec.containers[0].name;
    const prefix = pod.metadata.name.padEnd(width);
    const print = (line: string) => output.out(`${prefix} | ${line}`);
    logStreams.push(
      followPodLog(kc, NAMESPACE, pod.metadata.name, container, print, logAbort.signal).catch(
        (err: Error) => {
          if (!logAbort.signal.aborted) output.err(`${prefix} | (log stream ended: ${err.message})`);
        },
      ),
    );
  };

  const watchJob = client.watch<Job>(
    { apiVersion: API_VERSION, kind: job.kind },
    { namespace: NAMESPACE, fieldSelector: `metadata.name=${name}`, timeoutSeconds: JOB_TIMEOUT_MS / 1000 },
    (event) => {
      if (event.type === 'DELETED') {
        failure = `${job.kind} ${name} was deleted`;
        abort.abort();
      }
      if (event.type !== 'ADDED' && event.type !== 'MODIFIED') return;
      const line = progressLine(event.object);
      if (line !== last) output.out(`${elapsed()} ${job.kind} ${name}: ${(last = line)}`);
      if (finishedType(event.object)) {
        finished = event.object;
        abort.abort();
      }
    },
    abort.signal,
  );
  const watchPods = client.watch<Pod & { apiVersion: string; kind: string }>(
    { apiVersion: 'v1', kind: 'Pod' },
    {
      namespace: NAMESPACE,
      labelSelector: `${LABELS.jobName}=${name}`,
      timeoutSeconds: JOB_TIMEOUT_MS / 1000,
    },
    (event) => {
      if (event.type === 'ADDED' || event.type === 'MODIFIED') follow(event.object);
    },
    abort.signal,
  );
  // Either watch ending ends the other: the job finished, or something went wrong.
  const endBoth = async (watch: Promise<void>) => {
    try {
      await watch;
    } catch (err) {
      if (!abort.signal.aborted) failure ??= err instanceof Error ? err.message : JSON.stringify(err);
    } finally {
      abort.abort();
    }
  };
  await Promise.all([endBoth(watchJob), endBoth(watchPods)]);
  if (!finished) {
    logAbort.abort();
    throw new Error(
      failure
        ? `watching the job failed: ${failure}`
        : `${job.kind} ${name} did not finish within ${JOB_TIMEOUT_MS / 60_000} minutes`,
    );
  }
  const grace = new Promise((resolve) => setTimeout(resolve, LOG_GRACE_MS).unref());
  await Promise.race([Promise.all(logStreams), grace]);
  logAbort.abort();
  return finished;
}

function nextSteps(state: { kubeconfig: string; dir: string }, job: Job, output: Output): void {
  const name = job.metadata.name;
  const kubectl = `${shown(state.dir)}/bin/kubectl`;
  output.out(
    [
      'What to try next (the cluster keeps running):',
      `  export KUBECONFIG=${state.kubeconfig}`,
      `  npx training-operator get                         # jobs, their state and replicas`,
      `  npx training-operator describe ${name}      # conditions, pods, events`,
      `  npx training-operator logs ${name} --all    # every rank's log, prefixed`,
      `  npx training-operator delete ${name}`,
      `  npx training-operator submit -f examples/tfjob.yaml --wait --logs`,
      `  ${kubectl} get pytorchjobs,pods,services      # kubectl works too`,
      `  ${kubectl} logs ${name}-worker-0`,
      '  npx training-operator local down                  # stop the cluster',
      'More: docs/local.md.',
    ].join('\n'),
  );
}

export async function demoCommand(dir: string, output: Output): Promise<number> {
  const { code, state } = await upCommand(
    { dir, mode: 'local', downCommand: 'npx training-operator local down', who: 'local' },
    output,
  );
  if (code !== 0) return code;
  const kc = loadKubeConfig({ kubeconfig: state.kubeconfig });
  const client = await KubeClient.create(kc, { fieldManager: 'training-operator-demo' });
  try {
    const job = demoJob();
    await removePrevious(client, job, output);
    output.out(`\nsubmitting ${shown(DEMO_JOB_FILE)}: ${job.kind} ${NAMESPACE}/${job.metadata.name}`);
    await client.create(job);
    const done = await runAndFollow(client, kc, job, output);
    const outcome = finishedType(done);
    output.out(`\n${job.kind} ${job.metadata.name} ${outcome === 'Succeeded' ? 'succeeded' : 'FAILED'}.\n`);
    nextSteps(state, job, output);
    return outcome === 'Succeeded' ? 0 : 1;
  } finally {
    client.close();
  }
}
