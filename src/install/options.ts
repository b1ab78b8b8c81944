// What an installation of the operator can vary: the Helm chart's main values, as install-manifests
// options. Both the chart (charts/training-operator/values.yaml) and `install-manifests` default to
// DEFAULT_INSTALL_OPTIONS; test/unit/install-chart.test.ts holds them to the same output.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../api/errors.ts';
import { KIND_NAMES, type KindName } from '../api/kinds.ts';
import { PACKAGE_ROOT } from '../package-root.ts';
import type { LogLevel } from '../telemetry/log-levels.ts';

export const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];

export interface InstallOptions {
  /** The operator's own namespace: its Deployment, ServiceAccount, Service and leader-election Lease. */
  namespace: string;
  image: string;
  imagePullPolicy: PullPolicy;
  /** More than one replica turns leader election on: only the Lease holder reconciles. */
  replicas: number;
  /** The job kinds to reconcile; the RBAC rules cover these kinds only. */
  schemes: KindName[];
  /** `volcano`, a scheduler-plugins scheduler name, or undefined for no gang scheduling. */
  gangSchedulerName?: string;
  /** Namespaces to watch, each with a Role of its own; empty means the whole cluster (a ClusterRole). */
  watchNamespaces: string[];
  logLevel: LogLevel;
  qps: number;
  burst: number;
  threads: number;
}

/** The object names and the `app.kubernetes.io/instance` label, as `helm install training-operator` gives them. */
export const INSTALL_NAME = 'training-operator';

const packageJson = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
  version: string;
};

/** The release this source tree builds; the chart's appVersion and the default image tag. */
export const VERSION = packageJson.version;
export const IMAGE_REPOSITORY = 'ghcr.io/training-operator/training-operator';

export const DEFAULT_INSTALL_OPTIONS: InstallOptions = {
  namespace: 'training-operator',
  image: `${IMAGE_REPOSITORY}:${VERSION}`,
  imagePullPolicy: 'IfNotPresent',
  replicas: 1,
  schemes: [...KIND_NAMES],
  watchNamespaces: [],
  logLevel: 'info',
  qps: 20,
  burst: 30,
  threads: 4,
};

/** A single replica needs no Lease: the Deployment's Recreate strategy never runs two at once. */
export function leaderElect(options: Pick<InstallOptions, 'replicas'>): boolean {
  return options.replicas > 1;
}

/** A namespace name: a DNS-1123 label. */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function problems(options: InstallOptions): string[] {
  const wholeAtLeast = (name: string, value: number, min: number) =>
    Number.isInteger(value) && value >= min
      ? []
      : [`${name} must be a whole number of at least ${min} (got ${value})`];
  return [
    ...[options.namespace, ...options.watchNamespaces]
      .filter((name) => !NAMESPACE_NAME.test(name))
      .map(
        (name) => `"${name}" is not a valid namespace name (lower-case letters, digits and '-', at most 63)`,
      ),
    ...(options.image.trim() ? [] : ['image must not be empty']),
    ...wholeAtLeast('replicas', options.replicas, 1),
    ...wholeAtLeast('threads', options.threads, 1),
    ...wholeAtLeast('kube-api-burst', options.burst, 1),
    ...(Number.isFinite(options.qps) && options.qps >= 0
      ? []
      : [`kube-api-qps must be 0 or more (got ${options.qps})`]),
  ];
}

/** The options unchanged, or an InputError naming every bad value; the chart's values.schema.json agrees. */
export function checkInstallOptions(options: InstallOptions): InstallOptions {
  const found = problems(options);
  if (found.length > 0) throw new InputError(found.join('; '));
  return options;
}
