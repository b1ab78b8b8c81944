// The `training-operator` command line. Handlers stay thin: parse arguments, call src/, print, exit.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { InputError } from '../api/errors.ts';
import { DEFAULT_RENDER_OPTIONS } from '../frameworks/framework.ts';
import { parseNamespaces, parseSchemes } from '../manager/options.ts';
import { LOG_LEVELS } from '../telemetry/logger.ts';
import { crdsCommand } from './crds.ts';
import { synthCommand } from './synth.ts';
import { validateCommand, type Output } from './validate.ts';

const output: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Exit codes: 0 fine, 1 invalid jobs (or a failed operator), 2 unusable input or usage. */
async function run(command: () => number | Promise<number>): Promise<void> {
  try {
    process.exitCode = await command();
  } catch (error) {
    output.err(`training-operator: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = error instanceof InputError ? 2 : 1;
  }
}

// Not `array: true`: yargs would then refuse `-f -`; a repeated -f still collects into a list.
const fileOption = {
  alias: 'f',
  type: 'string',
  coerce: (value: string | string[]) => [value].flat(),
  demandOption: 'name the jobs with -f FILE (or -f - for standard input)',
  describe: 'YAML or JSON file with one or more jobs; - reads standard input; repeatable',
} as const;

await yargs(hideBin(process.argv))
  .scriptName('training-operator')
  .usage('$0 <command> [options]\n\nRuns and previews Kubeflow kubeflow.org/v1 training jobs.')
  .command(
    'synth',
    'print every object the operator would create for the jobs, as YAML, without a cluster',
    (y) =>
      y
        .option('file', fileOption)
        .option('namespace', {
          alias: 'n',
          type: 'string',
          default: 'default',
          describe: 'namespace of jobs that name none',
        })
        .option('gang-scheduler-name', {
          alias: 'gang-scheduler',
          type: 'string',
          describe: 'add PodGroups and pod decoration: volcano, or a scheduler-plugins scheduler name',
        })
        .example('$0 synth -f examples/pytorchjob.yaml', 'the pods and services of a PyTorchJob')
        .example('$0 synth -f job.yaml --gang-scheduler volcano', 'with a Volcano PodGroup'),
    (args) =>
      run(() =>
        synthCommand(
          { files: args.file, namespace: args.namespace, gangSchedulerName: args.gangSchedulerName },
          output,
        ),
      ),
  )
  .command(
    'validate',
    'check jobs against every rule the API server applies; exit 1 and list the errors if any',
    (y) => y.option('file', fileOption).example('$0 validate -f job.yaml', ''),
    (args) => run(() => validateCommand(args.file, output)),
  )
  .command(
    'run',
    'run the operator: watch the jobs and make the cluster match them',
    (y) =>
      y
        .option('kubeconfig', {
          type: 'string',
          describe: 'kubeconfig file; default $KUBECONFIG, in-cluster, ~/.kube/config',
        })
        .option('enable-scheme', {
          type: 'string',
          array: true,
          default: [] as string[],
          describe: 'kinds to reconcile (repeatable or comma-separated, any case); default all six',
        })
        .option('namespace', {
          type: 'string',
          array: true,
          default: process.env.KUBEFLOW_NAMESPACE ? [process.env.KUBEFLOW_NAMESPACE] : ([] as string[]),
          describe:
            'namespaces to watch (repeatable or comma-separated); default all ($KUBEFLOW_NAMESPACE also works)',
        })
        .option('threads', {
          alias: 'controller-threads',
          type: 'number',
          default: 4,
          describe: 'concurrent reconciles',
        })
        .option('gang-scheduler-name', {
          type: 'string',
          describe: 'volcano, or a scheduler-plugins scheduler name: create PodGroups and decorate pods',
        })
        .option('kube-api-qps', {
          type: 'number',
          default: 20,
          describe: 'API requests per second (0 = unlimited)',
        })
        .option('kube-api-burst', { type: 'number', default: 30, describe: 'API request burst' })
        .option('metrics-bind-address', {
          type: 'string',
          default: ':8080',
          describe: 'Prometheus /metrics listener; 0 = off',
        })
        .option('health-probe-bind-address', {
          type: 'string',
          default: ':8081',
          describe: '/healthz and /readyz listener; 0 = off',
        })
        .option('leader-elect', {
          type: 'boolean',
          default: false,
          describe: 'run as one of several replicas behind a Lease',
        })
        .option('leader-election-id', {
          type: 'string',
          default: '1ca428e5.training-operator.kubeflow.org',
          describe: 'Lease name',
        })
        .option('leader-election-namespace', {
          type: 'string',
          default: process.env.POD_NAMESPACE ?? process.env.MY_POD_NAMESPACE ?? 'default',
          describe: 'Lease namespace (default: $POD_NAMESPACE)',
        })
        .option('pytorch-init-container-image', {
          type: 'string',
          default: DEFAULT_RENDER_OPTIONS.pytorchInitContainerImage,
          describe: 'image of the PyTorch wait-for-master init container',
        })
        .option('pytorch-init-container-max-tries', {
          type: 'number',
          default: DEFAULT_RENDER_OPTIONS.pytorchInitContainerMaxTries,
          describe: 'DNS lookups the init container tries',
        })
        .option('mpi-kubectl-delivery-image', {
          type: 'string',
          default: DEFAULT_RENDER_OPTIONS.mpiKubectlDeliveryImage,
          describe: 'image of the MPI launcher kubectl-delivery init container',
        })
        .option('cluster-domain', {
          type: 'string',
          default: process.env.CUSTOM_CLUSTER_DOMAIN,
          describe: 'cluster domain appended to TF_CONFIG hosts ($CUSTOM_CLUSTER_DOMAIN)',
        })
        .option('log-level', { choices: LOG_LEVELS, default: 'info' as const, describe: 'JSON log level' })
        .env('TRAINING_OPERATOR')
        .epilogue(
          'Every flag can also be set as TRAINING_OPERATOR_<FLAG>, e.g. TRAINING_OPERATOR_LEADER_ELECT=true.',
        ),
    (args) =>
      // Loaded on demand: the offline commands start without the client, informers and telemetry.
      run(async () =>
        (await import('./run.ts')).runCommand({
          kubeconfig: args.kubeconfig,
          schemes: parseSchemes(args.enableScheme),
          namespaces: parseNamespaces(args.namespace),
          threads: args.threads,
          qps: args.kubeApiQps,
          burst: args.kubeApiBurst,
          metricsBindAddress: args.metricsBindAddress,
          healthProbeBindAddress: args.healthProbeBindAddress,
          leaderElect: args.leaderElect,
          leaderElectionId: args.leaderElectionId,
          leaderElectionNamespace: args.leaderElectionNamespace,
          logLevel: args.logLevel,
          render: {
            gangSchedulerName: args.gangSchedulerName,
            pytorchInitContainerImage: args.pytorchInitContainerImage,
            pytorchInitContainerMaxTries: args.pytorchInitContainerMaxTries,
            mpiKubectlDeliveryImage: args.mpiKubectlDeliveryImage,
            clusterDomain: args.clusterDomain,
          },
        }),
      ),
  )
  .command(
    'crds',
    'print the CustomResourceDefinitions (apply with kubectl apply --server-side -f -)',
    (y) => y,
    () => run(() => crdsCommand(output)),
  )
  .demandCommand(1, 'name a command; see --help')
  .strict()
  .fail((message, error) => {
    if (error) throw error;
    output.err(`training-operator: ${message}\nRun training-operator --help for usage.`);
    process.exit(2);
  })
  .help()
  .alias('help', 'h')
  .version()
  .parseAsync();
