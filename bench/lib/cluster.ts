// The control plane every cluster benchmark runs against (kube-apiserver + etcd in a temporary directory) and an
// unthrottled client to it. Both are stopped by the benchmark's Cleanup, the directory removed unless keepLogs().
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { KubeClient } from '../../src/kube/client.ts';
import { loadKubeConfig } from '../../src/kube/config.ts';
import { down, up, type ClusterState } from '../../test/cluster/control-plane.ts';
import type { Cleanup } from './cleanup.ts';

export async function startCluster(
  cleanup: Cleanup,
  keepLogs: () => boolean = () => false,
): Promise<{ state: ClusterState; client: KubeClient }> {
  const dir = mkdtempSync(join(os.tmpdir(), 'training-operator-bench-'));
  cleanup.add('the control plane', async () => {
    await down(dir);
    if (keepLogs()) console.error(`bench: the logs are in ${dir}/logs`);
    else rmSync(dir, { recursive: true, force: true });
  });
  const { state } = await up({ dir, sim: false, log: (line) => console.error(`cluster: ${line}`) });
  const client = await KubeClient.create(loadKubeConfig({ kubeconfig: state.kubeconfig }), { qps: 0 });
  cleanup.add('the bench client', () => client.close());
  return { state, client };
}
