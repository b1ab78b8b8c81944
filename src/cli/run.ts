// `training-operator run`: the operator itself. Wires the kubeconfig, client, telemetry, leader election
// and manager together, and shuts down cleanly on SIGTERM/SIGINT.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { KubeClient } from '../kube/client.ts';
import { loadKubeConfig } from '../kube/config.ts';
import { serveHealth, serveMetrics } from '../manager/http.ts';
import { LeaderElector } from '../manager/leader.ts';
import { Manager } from '../manager/manager.ts';
import { type ManagerOptions, parseBindAddress } from '../manager/options.ts';
import { gangSchedulerFor } from '../gang/scheduler.ts';
import { createLogger, type Logger } from '../telemetry/logger.ts';
import { OperatorMetrics } from '../telemetry/metrics.ts';

/** The reference exits at start-up when gang scheduling is on but its PodGroup CRD is not served. */
async function checkPodGroupCrd(client: KubeClient, options: ManagerOptions): Promise<void> {
  const gang = gangSchedulerFor(options.render.gangSchedulerName);
  if (!gang) return;
  const crd = await client.get({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    name: gang.podGroupCrd,
  });
  if (!crd) {
    throw new Error(
      `--gang-scheduler-name ${options.render.gangSchedulerName}: the PodGroup CRD ${gang.podGroupCrd} is not installed`,
    );
  }
}

function closeAll(servers: Server[]): Promise<void[]> {
  return Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
}

/** A manager and the client it alone uses: closing the client ends whatever request it still has out. */
interface Term {
  manager: Manager;
  client: KubeClient;
}

/**
 * Reconciles for as long as this replica leads, and stands again when it loses the lease: an API server
 * outage longer than the renew deadline costs the leadership, never the process. Each term has its own
 * manager and client; a lost term's client is closed before anything else, so no request of that term
 * can land after another replica took over.
 */
async function leadWhileElected(
  startTerm: () => Promise<Term>,
  elector: LeaderElector,
  signal: AbortSignal,
  log: Logger,
): Promise<void> {
  while (await elector.acquire(signal)) {
    const term = await startTerm();
    const running = term.manager.run();
    const held = await elector.hold(signal);
    if (!held) term.client.close();
    term.manager.stop();
    await running.catch((error: Error) => log.warn({ err: error.message }, 'manager stopped with an error'));
    term.client.close();
    if (held) {
      await elector.release();
      return;
    }
    log.warn('stopped reconciling; standing as a candidate for the lease again');
  }
}

export async function runCommand(options: ManagerOptions & { identity?: string }): Promise<number> {
  const log = createLogger(options.logLevel);
  const kubeConfig = loadKubeConfig({ kubeconfig: options.kubeconfig });
  const clientOptions = { qps: options.qps, burst: options.burst };
  const client = await KubeClient.create(kubeConfig, clientOptions);
  await checkPodGroupCrd(client, options);
  // The manager of the current term (leader election gives each term its own); read at scrape time.
  let manager: Manager | undefined;
  const metrics: OperatorMetrics = new OperatorMetrics(
    () => manager?.jobStates() ?? [],
    () => manager?.queueDepth ?? 0,
  );
  const servers: Server[] = [];
  const metricsAddress = parseBindAddress('metrics-bind-address', options.metricsBindAddress);
  if (metricsAddress) servers.push(await serveMetrics(metricsAddress, metrics.registry));
  const healthAddress = parseBindAddress('health-probe-bind-address', options.healthProbeBindAddress);
  // A standby is ready, as controller-runtime's are: otherwise a Deployment of several replicas never
  // finishes rolling out. The leader is ready once its caches have synced.
  if (healthAddress)
    servers.push(
      await serveHealth(healthAddress, () =>
        elector && !elector.leading ? [] : (manager?.notReadyReasons() ?? ['starting']),
      ),
    );

  const shutdown = new AbortController();
  const stop = (signal: string) => {
    log.info({ signal }, 'shutting down');
    shutdown.abort();
    manager?.stop();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  const identity = options.identity ?? `${hostname()}_${randomBytes(4).toString('hex')}`;
  const elector = options.leaderElect
    ? new LeaderElector(
        client,
        {
          namespace: options.leaderElectionNamespace,
          name: options.leaderElectionId,
          identity,
          leaseDurationSeconds: 15,
          renewDeadlineMs: 10_000,
          retryPeriodMs: 2_000,
        },
        log,
      )
    : undefined;
  log.info(
    { schemes: options.schemes, namespaces: options.namespaces, identity, leaderElect: options.leaderElect },
    'starting',
  );
  try {
    if (elector) {
      const startTerm = async (): Promise<Term> => {
        const termClient = await KubeClient.create(kubeConfig, clientOptions);
        manager = new Manager(termClient, options, log, metrics);
        return { manager, client: termClient };
      };
      await leadWhileElected(startTerm, elector, shutdown.signal, log);
    } else {
      manager = new Manager(client, options, log, metrics);
      await manager.run();
    }
    return 0;
  } finally {
    await closeAll(servers);
    client.close();
  }
}
