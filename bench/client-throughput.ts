// The figure behind ADR 0001 (a thin raw-JSON client): N ConfigMap creates, 32 in flight, on a fresh local
// control plane, through @kubernetes/client-node's typed CoreV1Api and through our KubeClient
// (src/kube/client.ts), in turns. Prints requests per second; asserts nothing.
//
//   npx tsx bench/client-throughput.ts [--count 1000] [--rounds 2]
import { parseArgs } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { Cleanup } from './lib/cleanup.ts';
import { startCluster } from './lib/cluster.ts';
import { createNamespace, forEachLimited } from './lib/load.ts';
import { loadAverage, runBench } from './lib/run.ts';

const IN_FLIGHT = 32;

const configMaps = (namespace: string, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `cm-${i}`, namespace },
    data: { hostfile: `worker-${i}.svc slots=1\n` },
  }));

async function timed(count: number, create: (index: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await forEachLimited(
    Array.from({ length: count }, (_, i) => i),
    IN_FLIGHT,
    create,
  );
  return count / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { count: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '2' } },
  });
  const count = Number(values.count);
  const cleanup = new Cleanup();
  cleanup.onSignals();
  try {
    const { state, client: ours } = await startCluster(cleanup);
    const config = new KubeConfig();
    config.loadFromFile(state.kubeconfig);
    const typed = config.makeApiClient(CoreV1Api);
    console.log(`${count} ConfigMap creates per row, ${IN_FLIGHT} in flight; load average ${loadAverage()}`);
    console.log('\n| client | requests/s |');
    console.log('| --- | ---: |');
    for (let round = 0; round < Number(values.rounds); round++) {
      for (const [name, create] of [
        [
          'client-node CoreV1Api',
          (body: ReturnType<typeof configMaps>[number]) =>
            typed.createNamespacedConfigMap({ namespace: body.metadata.namespace, body }),
        ],
        ['KubeClient (src/kube)', (body: ReturnType<typeof configMaps>[number]) => ours.create(body)],
      ] as const) {
        const namespace = `throughput-${round}-${name.split(' ')[0].toLowerCase()}`;
        await createNamespace(ours, namespace);
        const objects = configMaps(namespace, count);
        const rate = await timed(count, (i) => create(objects[i]));
        console.log(`| ${name} | ${rate.toFixed(0)} |`);
      }
    }
    console.log(`\nload average at the end: ${loadAverage()}`);
  } finally {
    await cleanup.run();
  }
}

runBench(main);
