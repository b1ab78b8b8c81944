// The operator as its own process (`training-operator run`), for fault tests that kill it, or the
// control plane under it: its JSON log lines, its /readyz, whether it still runs and whether it leads.
//
//   const operator = await startOperatorProcess(t, { namespace: ns });
//   await waitReady(operator);
//   await killComponent(dir, 'kube-apiserver');   // test/cluster/control-plane.ts
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../cluster/probe.ts';
import * as harness from './harness.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'training-operator.js');

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface OperatorProcess {
  identity: string;
  child: ChildProcess;
  healthPort: number;
  /** Every log line so far, parsed. */
  logs: LogLine[];
  /** The exit code or signal once it exited. */
  exit?: number | string;
  /** SIGKILL, and wait until it is gone. */
  kill(): Promise<void>;
}

export interface OperatorProcessOptions {
  namespace: string;
  identity?: string;
  /** Leader election on a Lease `training-operator-test` in this namespace. */
  leaseNamespace?: string;
  /** Default: the test cluster's admin kubeconfig. */
  kubeconfig?: string;
}

/** Starts `training-operator run` for one namespace and waits until it serves /healthz. */
export async function startOperatorProcess(
  t: { after(fn: () => Promise<void>): void },
  {
    namespace,
    identity = `operator-${namespace}`,
    leaseNamespace,
    kubeconfig = harness.cluster().kubeconfigPath,
  }: OperatorProcessOptions,
): Promise<OperatorProcess> {
  const healthPort = await freePort();
  const election = leaseNamespace
    ? [
        '--leader-elect',
        `--leader-election-namespace=${leaseNamespace}`,
        '--leader-election-id=training-operator-test',
      ]
    : [];
  const child = spawn(
    process.execPath,
    [
      BIN,
      'run',
      `--kubeconfig=${kubeconfig}`,
      `--namespace=${namespace}`,
      '--metrics-bind-address=0',
      `--health-probe-bind-address=127.0.0.1:${healthPort}`,
      '--kube-api-qps=0',
      '--log-level=info',
      `--leader-election-identity=${identity}`,
      ...election,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const operator: OperatorProcess = {
    identity,
    child,
    healthPort,
    logs: [],
    async kill() {
      if (operator.exit !== undefined) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
  child.on('exit', (code, signal) => (operator.exit = code ?? signal ?? 'unknown'));
  let partial = '';
  const collect = (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      try {
        operator.logs.push(JSON.parse(line) as LogLine);
      } catch {
        operator.logs.push({ level: 60, msg: line });
      }
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  t.after(() => operator.kill());
  await harness
    .waitFor(
      async () => (await fetch(`http://127.0.0.1:${healthPort}/healthz`)).ok,
      60_000,
      `${identity} to serve /healthz`,
    )
    .catch((error: Error) => {
      throw new Error(`${error.message}\n${identity} printed:\n${printLogs(operator)}`);
    });
  return operator;
}

export async function readyz(operator: OperatorProcess): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${operator.healthPort}/readyz`);
  return { status: response.status, body: await response.text() };
}

export async function waitReady(operator: OperatorProcess, timeoutMs = 30_000): Promise<void> {
  await harness.waitFor(
    async () => (await readyz(operator)).status === 200,
    timeoutMs,
    `${operator.identity} to be ready`,
  );
}

/** Log lines with this message. */
export const logged = (operator: OperatorProcess, msg: string): LogLine[] =>
  operator.logs.filter((line) => line.msg === msg);

/** Whether it leads now, by its log: it became leader and did not stop leading since. */
export function isLeading(operator: OperatorProcess): boolean {
  const last = operator.logs.findLast(
    (line) => line.msg === 'became leader' || line.msg.includes('stopped leading'),
  );
  return last?.msg === 'became leader';
}

export function printLogs(operator: OperatorProcess): string {
  return operator.logs.map((line) => JSON.stringify(line)).join('\n');
}
