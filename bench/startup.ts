// Command-line start-up: CPU seconds (user + system, the process and its children) of each command, run
// as shipped (plain node on the compiled dist/) and as before ADR 0002 (the TypeScript sources through
// tsx at run time). Needs an up-to-date dist/ (`npm run build`; the bin refuses a stale one, and this script
// then stops with its message). Prints figures; asserts nothing.
//
//   npx tsx bench/startup.ts [--runs 3]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAverage, valueRange } from './lib/run.ts';

const root = join(import.meta.dirname, '..');

const COMMANDS = [
  ['--help'],
  ['install-manifests'],
  ['validate', '-f', 'examples/pytorchjob.yaml'],
  ['crds'],
  ['synth', '-f', 'examples/pytorchjob.yaml'],
];

const WAYS = {
  compiled: ['bin/training-operator.js'],
  'tsx at run time': ['--import', 'tsx', 'src/cli/main.ts'],
};

/** CPU seconds of one run, as bash's `time` counts them (the process and every child it waited for). */
function cpuSeconds(nodeArgs: string[]): number {
  const command = [process.execPath, ...nodeArgs].map((arg) => `'${arg}'`).join(' ');
  const result = spawnSync('bash', ['-c', `TIMEFORMAT='%U %S'; { time ${command} > /dev/null; } 2>&1`], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: '/nonexistent' },
  });
  const [user, system] = result.stdout.trim().split('\n').at(-1)!.split(' ').map(Number);
  if (result.status !== 0 || !Number.isFinite(user + system)) {
    throw new Error(`${command}: ${result.stdout}${result.stderr}`);
  }
  return user + system;
}

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);
console.log(`${runs} runs each, CPU seconds (min–max); load average ${loadAverage()}`);
console.log(`\n| command | ${Object.keys(WAYS).join(' | ')} |`);
console.log(
  `| --- | ${Object.keys(WAYS)
    .map(() => '---:')
    .join(' | ')} |`,
);
for (const args of COMMANDS) {
  const cells = Object.values(WAYS).map((way) => {
    const seconds = Array.from({ length: runs }, () => cpuSeconds([...way, ...args]));
    return `${valueRange(seconds, 2)} s`;
  });
  console.log(`| \`${args.join(' ')}\` | ${cells.join(' | ')} |`);
}
