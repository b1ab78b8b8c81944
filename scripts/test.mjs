#!/usr/bin/env node
// The test runner.
//   node scripts/test.mjs              unit + integration + e2e (`npm test`)
//   node scripts/test.mjs unit         unit tests only, no cluster (`npm run test:unit`)
//   node scripts/test.mjs integration  integration tests against an envtest-mode cluster
//   node scripts/test.mjs e2e          e2e tests against a sim-mode cluster
//   node scripts/test.mjs FILE...      the given test files
// Three phases, each one `node --test` run: unit files with no cluster, one file per core at a time;
// integration files, one at a time, against ONE envtest-mode control plane; then e2e files against ONE
// sim-mode control plane. A phase's cluster is shared through KUBECONFIG and TRAINING_OPERATOR_TEST_CLUSTER
// and stopped at the end of the phase, also on SIGINT/SIGTERM. A cluster that cannot start fails the run,
// and so does a run that executes no test. The last line sums up the phases.
// Test files are listed explicitly: node:test on Node 20 does not discover .ts files in directories.
import { spawn } from 'node:child_process';
import console from 'node:console';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { staleReason } from '../bin/compiled.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SUITES = ['unit', 'integration', 'e2e'];
const clusterCli = join(root, 'test/cluster/cli.ts');

/** Every `*.test.ts` under test/<suite>, sorted. */
function discover(suite) {
  const dir = join(root, 'test', suite);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .sort();
}

function selectFiles(args) {
  if (args.length === 0 || (args.length === 1 && args[0] === 'all')) return SUITES.flatMap(discover);
  if (args.every((a) => SUITES.includes(a))) return args.flatMap(discover);
  return args.map((a) => resolve(a));
}

const suiteOf = (file) => relative(join(root, 'test'), file).split('/')[0];

let active;
let interrupted;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    interrupted = signal;
    active?.kill(signal);
  });
}

/**
 * Runs `node ARGS` with inherited stdio; resolves with its exit code. Our SIGINT/SIGTERM is forwarded to
 * it, unless `shielded`: then it runs in its own process group, out of reach of a second Ctrl-C too.
 */
function run(args, { env = process.env, shielded = false } = {}) {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit', env, cwd: root, detached: shielded });
    active = shielded ? undefined : child;
    child.on('exit', (code, signal) => resolvePromise(code ?? (signal ? 1 : 0)));
  });
}

/** Totals from the TAP report: `# tests N`, `# pass N`, … */
function totals(tapFile) {
  const text = existsSync(tapFile) ? readFileSync(tapFile, 'utf8') : '';
  const count = (key) => Number(text.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1] ?? 0);
  return {
    tests: count('tests'),
    pass: count('pass'),
    fail: count('fail'),
    skipped: count('skipped') + count('todo'),
  };
}

/** Starts a control plane in `dir`; on success points `env` at it. */
async function startCluster(dir, mode, env) {
  console.error(`test: starting the control plane (${mode} mode) in ${dir}`);
  const up = await run([
    '--import',
    'tsx',
    clusterCli,
    'up',
    '--dir',
    dir,
    ...(mode === 'sim' ? ['--sim'] : []),
  ]);
  if (interrupted) {
    console.error(`test: interrupted by ${interrupted} while starting the control plane`);
    return false;
  }
  if (up !== 0) {
    console.error('test: FAILED: the control plane did not start (see above); its tests did not run');
    return false;
  }
  env.KUBECONFIG = join(dir, 'kubeconfig');
  env.TRAINING_OPERATOR_TEST_CLUSTER = join(dir, 'state.json');
  return true;
}

async function runTests(files, env, tapFile, concurrency) {
  console.error(`test: running ${files.length} files`);
  const code = await run(
    [
      '--import',
      'tsx',
      '--test',
      `--test-concurrency=${concurrency}`,
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tapFile}`,
      ...files.map((f) => relative(root, f)),
    ],
    { env },
  );
  return { code, ...totals(tapFile) };
}

/**
 * Unit files need no cluster and share nothing, so they run in parallel; integration files share an
 * envtest-mode cluster and e2e files a sim-mode one, so those run one at a time.
 */
function phases(files) {
  const unit = files.filter((f) => suiteOf(f) === 'unit');
  const e2e = files.filter((f) => suiteOf(f) === 'e2e');
  const integration = files.filter((f) => !unit.includes(f) && !e2e.includes(f));
  return [
    { files: unit, concurrency: availableParallelism() },
    { files: integration, mode: 'envtest', concurrency: 1 },
    { files: e2e, mode: 'sim', concurrency: 1 },
  ].filter((phase) => phase.files.length > 0);
}

/** Tests run the command line as users do, from dist/ (bin/training-operator.js): rebuilt first if stale. */
async function buildIfStale() {
  const reason = staleReason();
  if (!reason) return true;
  console.error(`test: building dist/ (${reason})`);
  return (await run([join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'])) === 0;
}

const NO_RESULT = { code: 1, tests: 0, pass: 0, fail: 0, skipped: 0 };

async function runPhase({ files, mode, concurrency }) {
  const dir = mkdtempSync(join(tmpdir(), 'training-operator-test-'));
  const env = { ...process.env };
  delete env.TRAINING_OPERATOR_TEST_CLUSTER;
  let result = NO_RESULT;
  try {
    if (mode && !(await startCluster(dir, mode, env))) return NO_RESULT;
    result = await runTests(files, env, join(dir, 'report.tap'), concurrency);
    return result;
  } finally {
    if (mode) await run(['--import', 'tsx', clusterCli, 'down', '--dir', dir], { shielded: true });
    const keepLogs = mode && (result.code !== 0 || interrupted);
    if (keepLogs) console.error(`test: component logs kept in ${join(dir, 'logs')}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const files = selectFiles(process.argv.slice(2));
  const missing = files.filter((f) => !existsSync(f));
  if (files.length === 0 || missing.length) {
    console.error(missing.length ? `test: no such file: ${missing.join(', ')}` : 'test: no test files found');
    return 1;
  }
  if (!(await buildIfStale())) {
    console.error('test: FAILED: the build failed (see above); no test ran');
    return 1;
  }
  const sum = { code: 0, tests: 0, pass: 0, fail: 0, skipped: 0 };
  for (const phase of phases(files)) {
    if (interrupted) break;
    const result = await runPhase(phase);
    for (const key of ['tests', 'pass', 'fail', 'skipped']) sum[key] += result[key];
    if (result.code !== 0) sum.code = result.code;
  }
  if (interrupted) console.error(`test: interrupted by ${interrupted}`);
  else if (sum.tests === 0) console.error('test: FAILED: no test ran');
  // Last, after the clusters' shutdown messages, so that it is the closing line CI reads.
  console.log(`tests: ${sum.pass} passed, ${sum.fail} failed, ${sum.skipped} skipped`);
  return interrupted || sum.tests === 0 ? 1 : sum.code;
}

process.exitCode = await main();
