// `training-operator install-manifests`: the operator's own manifests (what the Helm chart installs with
// the same values), as YAML for `kubectl apply --server-side -f -`.
import type { Argv } from 'yargs';
import {
  DEFAULT_INSTALL_OPTIONS,
  PULL_POLICIES,
  type PullPolicy,
  checkInstallOptions,
} from '../install/options.ts';
import { parseNamespaces, parseSchemes } from '../manager/options.ts';
import { LOG_LEVELS, type LogLevel } from '../telemetry/log-levels.ts';
import type { Output } from './validate.ts';
import { toYaml } from './yaml.ts';

export interface InstallManifestsArgs {
  namespace: string;
  image: string;
  imagePullPolicy: PullPolicy;
  replicas: number;
  enableScheme: string[];
  gangSchedulerName?: string;
  watchNamespace: string[];
  logLevel: LogLevel;
  kubeApiQps: number;
  kubeApiBurst: number;
  threads: number;
  withCrds: boolean;
  createNamespace: boolean;
}

/** The options, for `.command('install-manifests', ..., installManifestsOptions, ...)` in main.ts. */
export function installManifestsOptions(y: Argv) {
  const d = DEFAULT_INSTALL_OPTIONS;
  return y
    .option('namespace', {
      alias: 'n',
      type: 'string',
      default: d.namespace,
      describe: 'the operator’s own namespace',
    })
    .option('image', { type: 'string', default: d.image, describe: 'the operator image' })
    .option('image-pull-policy', { choices: PULL_POLICIES, default: d.imagePullPolicy })
    .option('replicas', {
      type: 'number',
      default: d.replicas,
      describe: 'more than 1 turns leader election on',
    })
    .option('enable-scheme', {
      type: 'string',
      array: true,
      default: [] as string[],
      describe: 'job kinds to reconcile and grant RBAC for (repeatable or comma-separated); default all six',
    })
    .option('gang-scheduler-name', {
      type: 'string',
      describe: 'volcano, or a scheduler-plugins scheduler name',
    })
    .option('watch-namespace', {
      type: 'string',
      array: true,
      default: [] as string[],
      describe:
        'namespaces to watch, each with its own Role (repeatable or comma-separated); default the whole cluster',
    })
    .option('log-level', { choices: LOG_LEVELS, default: d.logLevel })
    .option('kube-api-qps', {
      type: 'number',
      default: d.qps,
      describe: 'API requests per second (0 = unlimited)',
    })
    .option('kube-api-burst', { type: 'number', default: d.burst })
    .option('threads', { type: 'number', default: d.threads, describe: 'concurrent reconciles' })
    .option('with-crds', { type: 'boolean', default: false, describe: 'print the six CRDs first' })
    .option('create-namespace', {
      type: 'boolean',
      default: true,
      describe: 'include the Namespace object (--no-create-namespace for an existing one)',
    })
    .example('$0 install-manifests --with-crds | kubectl apply --server-side -f -', 'install everything')
    .example(
      '$0 install-manifests --watch-namespace team-a,team-b',
      'namespace-scoped: Roles, no ClusterRole',
    );
}

/** Prints the manifests; a bad value is a usage error (InputError, exit 2) and prints nothing. */
export async function installManifestsCommand(args: InstallManifestsArgs, output: Output): Promise<number> {
  const options = checkInstallOptions({
    namespace: args.namespace,
    image: args.image,
    imagePullPolicy: args.imagePullPolicy,
    replicas: args.replicas,
    schemes: parseSchemes(args.enableScheme),
    gangSchedulerName: args.gangSchedulerName || undefined,
    watchNamespaces: parseNamespaces(args.watchNamespace),
    logLevel: args.logLevel,
    qps: args.kubeApiQps,
    burst: args.kubeApiBurst,
    threads: args.threads,
  });
  // Loaded here: cdk8s-plus is needed by this command only.
  const { installManifests } = await import('../install/manifests.ts');
  output.out(
    toYaml(installManifests(options, { withCrds: args.withCrds, withNamespace: args.createNamespace })),
  );
  return 0;
}
