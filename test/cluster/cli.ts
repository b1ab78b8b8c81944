// npm run cluster -- up [--sim] | down | status   [--dir DIR]
// Starts, stops and reports the local control plane kept in DIR (default: .local/ at the repo root), in
// envtest or sim mode, for tests and development; `training-operator local` starts the user's cluster.
import type { Output } from '../../src/cli/validate.ts';
import { defaultDir } from '../../src/local/control-plane.ts';
import { downCommand, statusCommand, upCommand } from '../../src/local/commands.ts';

const USAGE = 'usage: npm run cluster -- up [--sim] | down | status   [--dir DIR]';

const output: Output = { out: (line) => console.log(line), err: (line) => console.error(line) };

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

async function main(): Promise<number> {
  const { command, sim, dir } = parseArgs(process.argv.slice(2));
  switch (command) {
    case 'up': {
      const mode = sim ? 'sim' : 'envtest';
      const opts = { dir, mode, downCommand: 'npm run cluster -- down', who: 'cluster' } as const;
      return (await upCommand(opts, output)).code;
    }
    case 'down':
      return downCommand(dir, output);
    case 'status':
      return statusCommand(dir, 'npm run cluster -- up [--sim]', output);
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
