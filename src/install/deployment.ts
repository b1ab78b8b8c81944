// The operator's pod: the flags it runs with, its ports, probes and security settings. Defined here
// once; charts/training-operator/templates/deployment.yaml writes the same, and
// test/unit/install-chart.test.ts fails if the two ever differ.
import { Duration, Size } from 'cdk8s';
import {
  Capability,
  type ContainerResources,
  type ContainerSecurityContextProps,
  Cpu,
  type PodSecurityContextProps,
  Probe,
  SeccompProfileType,
} from 'cdk8s-plus-28';
import { KIND_NAMES } from '../api/kinds.ts';
import { type InstallOptions, leaderElect } from './options.ts';

export const CONTAINER_NAME = 'training-operator';
export const METRICS_PORT = { name: 'metrics', port: 8080 } as const;
export const HEALTH_PORT = { name: 'health', port: 8081 } as const;
/** The Lease replicas compete for; passed explicitly so the RBAC rule naming it cannot drift from it. */
export const LEADER_ELECTION_ID = '1ca428e5.training-operator.kubeflow.org';
/** The distroless convention for "nonroot"; the Dockerfile creates no user, the number is enough. */
const RUN_AS_USER = 65532;

function httpProbe(path: string, initialDelaySeconds: number, periodSeconds: number): Probe {
  return Probe.fromHttpGet(path, {
    port: HEALTH_PORT.port,
    initialDelaySeconds: Duration.seconds(initialDelaySeconds),
    periodSeconds: Duration.seconds(periodSeconds),
    timeoutSeconds: Duration.seconds(3),
    failureThreshold: 3,
  });
}

/** The process answers (manager/http.ts). */
export const LIVENESS_PROBE = httpProbe('/healthz', 15, 20);
/** The caches are synced; a standby replica waiting for the Lease is not ready. */
export const READINESS_PROBE = httpProbe('/readyz', 5, 10);

/** A requests-only CPU: a reconcile burst should not be throttled; memory is capped for the caches. */
export const RESOURCES: ContainerResources = {
  cpu: { request: Cpu.millis(100) },
  memory: { request: Size.mebibytes(256), limit: Size.mebibytes(1024) },
};

/** The one writable place for any library's temporary files; the root file system is read-only. */
export const TMP_VOLUME = { name: 'tmp', mountPath: '/tmp' } as const;

/** The Pod Security "restricted" profile (with the container's settings), as a fixed non-root user. */
export const POD_SECURITY_CONTEXT: PodSecurityContextProps = {
  ensureNonRoot: true,
  user: RUN_AS_USER,
  group: RUN_AS_USER,
};

export const CONTAINER_SECURITY_CONTEXT: ContainerSecurityContextProps = {
  ensureNonRoot: true,
  privileged: false,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: [Capability.ALL] },
  seccompProfile: { type: SeccompProfileType.RUNTIME_DEFAULT },
};

/** `training-operator run` and its flags; every setting is spelled out, none left to a default. */
export function operatorArgs(options: InstallOptions): string[] {
  const schemes = KIND_NAMES.filter((kind) => options.schemes.includes(kind));
  return [
    'run',
    `--enable-scheme=${schemes.join(',')}`,
    ...(options.watchNamespaces.length > 0 ? [`--namespace=${options.watchNamespaces.join(',')}`] : []),
    ...(options.gangSchedulerName ? [`--gang-scheduler-name=${options.gangSchedulerName}`] : []),
    `--threads=${options.threads}`,
    `--kube-api-qps=${options.qps}`,
    `--kube-api-burst=${options.burst}`,
    `--log-level=${options.logLevel}`,
    `--metrics-bind-address=:${METRICS_PORT.port}`,
    `--health-probe-bind-address=:${HEALTH_PORT.port}`,
    ...(leaderElect(options) ? ['--leader-elect', `--leader-election-id=${LEADER_ELECTION_ID}`] : []),
  ];
}
