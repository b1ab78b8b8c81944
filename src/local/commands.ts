// `training-operator local up | down | status` and `npm run cluster` (test/cluster/cli.ts): starting,
// stopping and showing a local cluster kept in a state directory (default `.local/` in the checkout).
import { relative } from 'node:path';
import type { Output } from '../cli/validate.ts';
import { down, isRunning, readState, up, type ClusterState } from './control-plane.ts';
import { isAlive } from './process.ts';

export type ClusterMode = 'envtest' | 'sim' | 'local';

export const modeOf = (state: ClusterState): ClusterMode =>
  state.local ? 'local' : state.sim ? 'sim' : 'envtest';

/** A path as the user will type it: relative to the current directory when under it. */
export const shown = (path: string) =>
  path.startsWith(process.cwd() + '/') ? relative(process.cwd(), path) : path;

export function printStatus(state: ClusterState, output: Output): void {
  const notReady = state.ready ? '' : ' (not ready: up failed or is still starting)';
  output.out(`mode:        ${modeOf(state)}${notReady}`);
  output.out(`server:      ${state.server}`);
  output.out(`kubeconfig:  ${shown(state.kubeconfig)}`);
  output.out(`binaries:    ${shown(state.dir)}/bin -> ${state.binDir}`);
  output.out(`logs:        ${shown(state.dir)}/logs/`);
  for (const p of state.processes) {
    const port = p.port ? `port ${p.port}` : '';
    output.out(
      `  ${p.name.padEnd(24)} pid ${String(p.pid).padEnd(8)} ${port.padEnd(11)} ${isAlive(p) ? 'running' : 'DEAD'}`,
    );
  }
}

/**
 * While `up` runs, an interrupt stops what was started instead of leaving half a cluster behind.
 * Returns the function that removes that handler again, once the cluster is up (or `up` failed).
 */
export function stopOnInterrupt(dir: string, output: Output, who: string): () => void {
  const stop = (signal: NodeJS.Signals) => {
    output.err(`${who}: ${signal}: stopping what was started`);
    void down(dir).finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
}

export interface UpCommandOptions {
  dir: string;
  mode: ClusterMode;
  /** How to stop it, for messages: `training-operator local down` or `npm run cluster -- down`. */
  downCommand: string;
  /** Progress lines are prefixed with it. */
  who: string;
}

/**
 * Starts the cluster, or finds it running. Exit code 0 when a cluster of the wanted mode runs, 1 when
 * another mode runs there (it is left alone) or it could not start (the error is thrown).
 */
export async function upCommand(
  opts: UpCommandOptions,
  output: Output,
): Promise<{ code: number; state: ClusterState }> {
  const keepOnInterrupt = stopOnInterrupt(opts.dir, output, opts.who);
  const { state, reused } = await up({
    dir: opts.dir,
    sim: opts.mode !== 'envtest',
    local: opts.mode === 'local',
    log: (line) => output.err(`${opts.who}: ${line}`),
  }).finally(keepOnInterrupt);
  if (reused) {
    output.out(
      `a cluster (${modeOf(state)} mode) is already running in ${shown(opts.dir)}; not starting another`,
    );
    if (modeOf(state) !== opts.mode) {
      printStatus(state, output);
      output.err(`it is not in ${opts.mode} mode: run \`${opts.downCommand}\` first`);
      return { code: 1, state };
    }
  } else {
    output.out(`cluster is up in ${state.startSeconds}s`);
  }
  printStatus(state, output);
  output.out(
    `\nexport KUBECONFIG=${shown(state.kubeconfig)}; ${shown(opts.dir)}/bin/kubectl get nodes,pods -A`,
  );
  return { code: 0, state };
}

export async function downCommand(dir: string, output: Output): Promise<number> {
  const stopped = await down(dir);
  output.out(stopped.length ? `stopped ${stopped.join(', ')}` : `no cluster was running in ${shown(dir)}`);
  return 0;
}

/** Exit code 0 when every component runs, 1 when there is no cluster or a component died. */
export function statusCommand(dir: string, upCommandText: string, output: Output): number {
  const state = readState(dir);
  if (!state) {
    output.out(`no cluster in ${shown(dir)}; start one with \`${upCommandText}\``);
    return 1;
  }
  printStatus(state, output);
  return isRunning(state) ? 0 : 1;
}
