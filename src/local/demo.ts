// `training-operator local demo`, the README's first command: brings the local cluster up (building its
// binaries the first time), submits examples/pytorchjob.yaml, prints the job's progress as it changes
// and the logs of every rank as they are written, until the job has finished, then what to try next.
// Built on the job client (src/client) and the `wait` and `logs` commands' rendering.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { KINDS } from '../api/kinds.ts';
import { NotFoundError } from '../client/errors.ts';
import { hasCondition } from '../client/status.ts';
import { TrainingClient } from '../client/training-client.ts';
import type { TrainingJob } from '../client/types.ts';
import { refOf } from '../cli/cluster.ts';
import { printLogs } from '../cli/logs.ts';
import { ProgressDisplay } from '../cli/progress.ts';
import type { Output } from '../cli/validate.ts';
import { loadKubeConfig } from '../kube/config.ts';
import { PACKAGE_ROOT } from '../package-root.ts';
import { shown, upCommand } from './commands.ts';

export const DEMO_JOB_FILE = join(PACKAGE_ROOT, 'examples/pytorchjob.yaml');
const NAMESPACE = 'default';
const JOB_TIMEOUT_MS = 5 * 60_000;
/** After the job has finished, how long the log streams of its pods get to end by themselves. */
const LOG_GRACE_MS = 15_000;

/** The job of examples/pytorchjob.yaml, in the demo's namespace. */
function demoJob(): TrainingJob {
  const job = YAML.parse(readFileSync(DEMO_JOB_FILE, 'utf8')) as TrainingJob;
  job.metadata = { ...job.metadata, namespace: NAMESPACE };
  return job;
}

/** Removes the job of an earlier demo run, waiting until it is gone so that its name is free. */
async function removePrevious(client: TrainingClient, job: TrainingJob, output: Output): Promise<void> {
  const ref = refOf(job);
  try {
    await client.get(ref);
  } catch (err) {
    if (err instanceof NotFoundError) return;
    throw err;
  }
  output.out(`deleting ${job.kind} ${NAMESPACE}/${ref.name} of an earlier run`);
  await client.delete(ref, { propagationPolicy: 'Foreground', wait: true, timeoutMs: 60_000 });
}

/**
 * Prints the job's progress whenever it changes (as `wait` does off a terminal, each line stamped with
 * the time since submit) and every rank's log lines as they are written (as `logs --all -f`). Resolves
 * with the job once it has finished and its pods' logs have ended (or LOG_GRACE_MS later).
 */
async function runAndFollow(client: TrainingClient, job: TrainingJob, output: Output): Promise<TrainingJob> {
  const started = Date.now();
  const elapsed = () => `[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s]`;
  // Log lines and a display redrawn in place would overwrite each other: plain lines, even on a terminal.
  const stamped = (line: string) => output.out(`${elapsed()} ${line}`);
  const progress = new ProgressDisplay({ ...output, out: stamped, write: stamped, isTTY: false }, false);
  const stopLogs = new AbortController();
  const logs = printLogs(client, job, { follow: true, signal: stopLogs.signal }, true, output.out).catch(
    (err: Error) => {
      if (!stopLogs.signal.aborted) output.err(`(log stream ended: ${err.message})`);
    },
  );
  try {
    const finished = await client.waitFor(refOf(job), {
      for: ['Succeeded', 'Failed'],
      timeoutMs: JOB_TIMEOUT_MS,
      onProgress: (p) => progress.show(p),
    });
    const grace = new Promise((resolve) => setTimeout(resolve, LOG_GRACE_MS).unref());
    await Promise.race([logs, grace]);
    return finished;
  } finally {
    stopLogs.abort();
    await logs;
  }
}

function nextSteps(state: { kubeconfig: string; dir: string }, job: TrainingJob, output: Output): void {
  const name = job.metadata!.name!;
  const kubectl = `${shown(state.dir)}/bin/kubectl`;
  output.out(
    [
      'What to try next (the cluster keeps running):',
      `  export KUBECONFIG=${state.kubeconfig}`,
      `  npx training-operator get                         # jobs, their state and replicas`,
      `  npx training-operator describe ${name}      # conditions, pods, events`,
      `  npx training-operator logs ${name} --all    # every rank's log, prefixed`,
      `  ${kubectl} get ${KINDS[job.kind].plural},pods,services      # kubectl works too`,
      `  ${kubectl} logs ${name}-worker-0`,
      `  npx training-operator submit -f examples/tfjob.yaml --wait --logs`,
      `  npx training-operator delete ${name}`,
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
  const client = await TrainingClient.fromKubeConfig(
    loadKubeConfig({ kubeconfig: state.kubeconfig }),
    NAMESPACE,
  );
  try {
    const job = demoJob();
    const name = job.metadata!.name!;
    await removePrevious(client, job, output);
    output.out(`\nsubmitting ${shown(DEMO_JOB_FILE)}: ${job.kind} ${NAMESPACE}/${name}`);
    const created = await client.create(job);
    const done = await runAndFollow(client, created, output);
    const succeeded = hasCondition(done, 'Succeeded');
    output.out(`\n${job.kind} ${name} ${succeeded ? 'succeeded' : 'FAILED'}.\n`);
    nextSteps(state, job, output);
    return succeeded ? 0 : 1;
  } finally {
    client.close();
  }
}
