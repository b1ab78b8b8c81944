// npm run cluster -- up [--sim] | down | status   [--dir DIR]
// Starts, stops and reports the local control plane kept in DIR (default: .local/ at the repo root).
import { relative } from 'node:path';
import { defaultDir, down, isRunning, readState, up, type ClusterState } from './control-plane.ts';
import { isAlive } from './process.ts';

const USAGE = 'usage: npm run cluster -- up [--sim] | down | status   [--dir DIR]';

function parseArgs(argv: string[]): { command: string; sim: boolean; dir: string } {
  const [command = '', ...rest] = argv;
  let sim = false;
  let dir = defaultDir;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--sim') sim = true;
    else if (rest[i] === '--dir' && rest[i + 1]) dir = rest[++i];
    else throw new Error(`unknown argument ${rest[i]}\n${USAGE}`);
  }
  return { command, sim, dir };
}

const shown = (path: string) => (path.startsWith(process.cwd()) ? relative(process.cwd(), path) : path);
const mode = (state: ClusterState) => (state.sim ? 'sim' : 'envtest');

function printStatus(state: ClusterState): void {
  console.log(
    `mode:        ${mode(state)}${state.ready ? '' : ' (not ready: up failed or is still starting)'}`,
  );
  console.log(`server:      ${state.server}`);
  console.log(`kubeconfig:  ${shown(state.kubeconfig)}`);
  console.log(`binaries:    ${shown(state.dir)}/bin -> ${state.binDir}`);
  console.log(`logs:        ${shown(state.dir)}/logs/`);
  for (const p of state.processes) {
    const port = p.port ? `port ${p.port}` : '';
    console.log(
      `  ${p.name.padEnd(24)} pid ${String(p.pid).padEnd(8)} ${port.padEnd(11)} ${isAlive(p) ? 'running' : 'DEAD'}`,
    );
  }
}

/** An interrupted `up` stops what it started instead of leaving a half cluster behind. */
function stopOnInterrupt(dir: string): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`cluster: ${signal}: stopping what was started`);
      void down(dir).finally(() => process.exit(130));
    });
  }
}

async function upCommand(dir: string, sim: boolean): Promise<number> {
  stopOnInterrupt(dir);
  const { state, reused } = await up({ dir, sim, log: (line) => console.error(`cluster: ${line}`) });
  if (reused) {
    console.log(`a cluster (${mode(state)} mode) is already running in ${shown(dir)}; not starting another`);
    printStatus(state);
    if (state.sim !== sim) {
      console.error(`it is not in ${sim ? 'sim' : 'envtest'} mode: run \`npm run cluster -- down\` first`);
      return 1;
    }
    return 0;
  }
  console.log(`cluster is up in ${state.startSeconds}s`);
  printStatus(state);
  console.log(`\nexport KUBECONFIG=${shown(state.kubeconfig)}; ${shown(dir)}/bin/kubectl get nodes,pods -A`);
  return 0;
}

async function main(): Promise<number> {
  const { command, sim, dir } = parseArgs(process.argv.slice(2));
  switch (command) {
    case 'up':
      return upCommand(dir, sim);
    case 'down': {
      const stopped = await down(dir);
      console.log(
        stopped.length ? `stopped ${stopped.join(', ')}` : `no cluster was running in ${shown(dir)}`,
      );
      return 0;
    }
    case 'status': {
      const state = readState(dir);
      if (!state) {
        console.log(`no cluster in ${shown(dir)}; start one with \`npm run cluster -- up [--sim]\``);
        return 1;
      }
      printStatus(state);
      return isRunning(state) ? 0 : 1;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`cluster: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
