// The local control plane (src/local/control-plane.ts) for tests and benchmarks, plus faults: tests that
// take a component down under a running operator (test/integration/faults-*.test.ts).
import { dirname, join } from 'node:path';
import { readState, saveState, type ClusterState } from '../../src/local/control-plane.ts';
import { httpOk, httpsAnswers, httpsOk, waitUntil } from '../../src/local/probe.ts';
import { isAlive, startProcess, type ProcessRecord } from '../../src/local/process.ts';

export * from '../../src/local/control-plane.ts';

function componentOf(dir: string, name: string): { state: ClusterState; record: ProcessRecord } {
  const state = readState(dir);
  const record = state?.processes.find((rec) => rec.name === name);
  if (!state || !record) throw new Error(`no ${name} in the cluster at ${dir}`);
  return { state, record };
}

/** SIGKILLs a component, as a crash would, and waits until it is gone. */
export async function killComponent(dir: string, name: string): Promise<void> {
  const { record } = componentOf(dir, name);
  process.kill(-record.pid, 'SIGKILL');
  await waitUntil(`${name} to exit`, () => Promise.resolve(!isAlive(record)), { timeoutMs: 10_000 });
}

/**
 * Starts a killed component again as it was: the same binary, arguments (so the same port and data) and
 * log file. Resolves once it is healthy, with the times (epoch ms) it first answered a request at all
 * (for kube-apiserver, any status; it serves before its /readyz passes) and passed its health check.
 */
export async function restartComponent(
  dir: string,
  name: string,
): Promise<{ answered: number; healthy: number }> {
  const { state, record } = componentOf(dir, name);
  if (isAlive(record)) throw new Error(`${name} still runs (pid ${record.pid})`);
  if (!record.args) throw new Error(`${name}: its arguments were not recorded`);
  const proc = startProcess(name, record.bin, record.args, {
    logDir: dirname(record.log),
    port: record.port,
    appendLog: true,
  });
  state.processes = state.processes.map((rec) => (rec.name === name ? proc.record : rec));
  saveState(state);
  const pki = join(dir, 'pki');
  const auth = { ca: join(pki, 'ca.crt'), cert: join(pki, 'admin.crt'), key: join(pki, 'admin.key') };
  let answered: number | undefined;
  const healthy =
    name === 'kube-apiserver'
      ? async () => {
          answered ??= (await httpsAnswers(`${state.server}/livez`, auth)) ? Date.now() : undefined;
          return answered !== undefined && httpsOk(`${state.server}/readyz`, auth);
        }
      : () => httpOk(`http://127.0.0.1:${record.port}/health`);
  await waitUntil(`${name} to be healthy again`, healthy, { timeoutMs: 90_000, proc });
  return { answered: answered ?? Date.now(), healthy: Date.now() };
}

/** SIGSTOP (`paused`) or SIGCONT: a component that hangs, its connections open but silent. */
export function pauseComponent(dir: string, name: string, paused: boolean): void {
  process.kill(componentOf(dir, name).record.pid, paused ? 'SIGSTOP' : 'SIGCONT');
}
