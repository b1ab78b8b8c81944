// Starting, watching and stopping the control plane's processes. Every process is detached into its own
// process group so it outlives `cluster up` and is untouched by a Ctrl-C aimed at the test runner; it is
// stopped only through the pid recorded in the state file, after checking the pid still runs our binary.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.ts';

export interface ProcessRecord {
  name: string;
  pid: number;
  bin: string;
  /** Its arguments, so that a fault test can start it again as it was (control-plane.ts restartComponent). */
  args?: string[];
  log: string;
  /** The port that serves this component's health endpoint, when it has one. */
  port?: number;
}

export interface Started {
  record: ProcessRecord;
  /** Set once the process has exited, so waits can stop early and show its log. */
  exitCode(): number | string | undefined;
}

export function startProcess(
  name: string,
  bin: string,
  args: string[],
  opts: { logDir: string; port?: number; env?: NodeJS.ProcessEnv; appendLog?: boolean; cwd?: string },
): Started {
  const log = join(opts.logDir, `${name}.log`);
  const fd = openSync(log, opts.appendLog ? 'a' : 'w');
  const child = spawn(bin, args, {
    detached: true,
    cwd: opts.cwd,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, ...opts.env },
  });
  closeSync(fd);
  let exit: number | string | undefined;
  child.on('exit', (code, signal) => (exit = code ?? signal ?? 'unknown'));
  child.on('error', (err) => (exit = err.message));
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${name} (${bin})`);
  return { record: { name, pid: child.pid, bin, args, log, port: opts.port }, exitCode: () => exit };
}

/**
 * Node's arguments to run one of our entry modules (a path under src/) as its own process, the way this
 * code runs: the compiled JavaScript under dist/ when we run from dist/ (the command line), else the
 * TypeScript source through tsx (tests, `npm run cluster`), so that neither needs the other built.
 * The process must start in PACKAGE_ROOT, where `--import tsx` resolves.
 */
export function nodeEntryArgs(sourcePath: string): string[] {
  if (import.meta.url.endsWith('.ts')) return ['--import', 'tsx', join(PACKAGE_ROOT, sourcePath)];
  return [join(PACKAGE_ROOT, 'dist', sourcePath.replace(/\.ts$/, '.js'))];
}

/** True when the pid is alive and still runs the recorded binary (pids get reused after a reboot). */
export function isAlive(rec: ProcessRecord): boolean {
  const cmdline = `/proc/${rec.pid}/cmdline`;
  if (!existsSync(cmdline)) return false;
  try {
    const argv0 = readFileSync(cmdline, 'utf8').split('\0')[0];
    return argv0 === rec.bin;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function signalGroup(rec: ProcessRecord, signal: NodeJS.Signals): void {
  try {
    process.kill(-rec.pid, signal);
  } catch {
    // Already gone between the liveness check and the signal.
  }
}

async function stopOne(rec: ProcessRecord, graceMs: number): Promise<void> {
  signalGroup(rec, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(rec) && Date.now() < deadline) await sleep(50);
  if (!isAlive(rec)) return;
  signalGroup(rec, 'SIGKILL');
  while (isAlive(rec) && Date.now() < deadline + 5000) await sleep(50);
}

/**
 * Stops the live processes one by one in the given order: SIGTERM, then SIGKILL after `graceMs`.
 * One by one because a kube-apiserver whose etcd is already gone takes ~10 s to shut down, ~1 s otherwise.
 */
export async function stopProcesses(records: ProcessRecord[], graceMs = 5000): Promise<string[]> {
  const live = records.filter(isAlive);
  for (const rec of live) await stopOne(rec, graceMs);
  return live.map((rec) => rec.name);
}

export function logTail(path: string, lines = 40): string {
  if (!existsSync(path)) return `(no log at ${path})`;
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
