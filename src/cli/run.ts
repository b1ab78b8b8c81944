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
import { PODGROUP_API, gangScheduler } from '../render/gang.ts';
import { createLogger, type Logger } from '../telemetry/logger.ts';
import { OperatorMetrics } from '../telemetry/metrics.ts';

/** The reference exits at start-up when gang scheduling is on but its PodGroup CRD is not served. */
async function checkPodGroupCrd(client: KubeClient, options: ManagerOptions): Promise<void> {
  const gang = gangScheduler(options.render.gangSchedulerName);
  if (!gang) return;
  const [group] = PODGROUP_API[gang.kind].split('/');
  const crd = await client.get({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    name: `podgroups.${group}`,
  });
  if (!crd) {
    throw new Error(
      `--gang-scheduler-name ${options.render.gangSchedulerName}: the PodGroup CRD podgroups.${group} is not installed`,
    );
  }
}

function closeAll(servers: Server[]): Promise<void[]> {
  return Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
}

/** Leads when elected; a replica that loses the lease stops reconciling at once (exit code 1). */
async function leadThenRun(
  manager: Manager,
  elector: LeaderElector | undefined,
  signal: AbortSignal,
  log: Logger,
): Promise<number> {
  if (elector && !(await elector.acquire(signal))) return 0;
  const running = manager.run();
  if (!elector) {
    await running;
    return 0;
  }
  const held = await elector.hold(signal);
  manager.stop();
  await running;
  if (held) await elector.release();
  else log.error('leadership lost; exiting so that no two replicas reconcile at once');
  return held ? 0 : 1;
}

export async function runCommand(options: ManagerOptions & { identity?: string }): Promise<number> {
  const log = createLogger(options.logLevel);
  const client = await KubeClient.create(loadKubeConfig({ kubeconfig: options.kubeconfig }), {
    qps: options.qps,
    burst: options.burst,
  });
  await checkPodGroupCrd(client, options);
  // The metrics read the manager lazily, at scrape time, once it exists.
  const metrics: OperatorMetrics = new OperatorMetrics(
    () => manager.jobStates(),
    () => manager.queueDepth,
  );
  const manager: Manager = new Manager(client, options, log, metrics);
  const servers: Server[] = [];
  const metricsAddress = parseBindAddress('metrics-bind-address', options.metricsBindAddress);
  if (metricsAddress) servers.push(await serveMetrics(metricsAddress, metrics.registry));
  const healthAddress = parseBindAddress('health-probe-bind-address', options.healthProbeBindAddress);
  // A standby is ready, as controller-runtime's are: otherwise a Deployment of several replicas never
  // finishes rolling out. The leader is ready once its caches have synced.
  if (healthAddress)
    servers.push(await serveHealth(healthAddress, () => !elector || !elector.leading || manager.ready));

  const shutdown = new AbortController();
  const stop = (signal: string) => {
    log.info({ signal }, 'shutting down');
    shutdown.abort();
    manager.stop();
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
    return await leadThenRun(manager, elector, shutdown.signal, log);
  } finally {
    await closeAll(servers);
    client.close();
  }
}
