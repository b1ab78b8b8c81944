// The operator of the local cluster (`training-operator local up`): `training-operator run` as a process
// of the cluster, against its admin kubeconfig, every namespace, its health endpoint on a loopback port.
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.ts';
import type { ClusterState } from './control-plane.ts';
import { freePort, httpOk, waitUntil } from './probe.ts';
import { nodeEntryArgs, startProcess, type Started } from './process.ts';

export const OPERATOR_PROCESS = 'training-operator';

export async function startOperator(state: ClusterState, track: (s: Started) => void): Promise<void> {
  const port = await freePort();
  const proc = startProcess(
    OPERATOR_PROCESS,
    process.execPath,
    [
      // As bin/training-operator.js and the image run it (docs/performance.md).
      '--max-semi-space-size=8',
      ...nodeEntryArgs('src/cli/main.ts'),
      'run',
      `--kubeconfig=${state.kubeconfig}`,
      `--health-probe-bind-address=127.0.0.1:${port}`,
      '--metrics-bind-address=0',
    ],
    { logDir: join(state.dir, 'logs'), port, cwd: PACKAGE_ROOT },
  );
  track(proc);
  await waitUntil('the operator /readyz', () => httpOk(`http://127.0.0.1:${port}/readyz`), {
    timeoutMs: 60_000,
    proc,
  });
}
