// The `training-operator` command line. Handlers stay thin: parse arguments, call src/, print, exit.
// Each handler imports its command when it runs, so that `--help` and every command start without the
// modules only the others need (cdk8s and cdk8s-plus, the validators, the API client).
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { InputError } from '../api/errors.ts';
import { parseNamespaces, parseSchemes } from '../manager/options.ts';
import { fieldValidationOf } from './field-validation.ts';
import { FILE_OPTION, VALIDATE_OPTION } from './job-options.ts';
import { installManifestsOptions } from './install-manifests.ts';
import {
  ENV_PREFIX,
  frameworkSettingsOf,
  RUN_OPTIONS,
  SYNTH_FRAMEWORK_FLAGS,
  withEnvTwins,
  withUntypedFlags,
} from './run-options.ts';
import type { Output } from './validate.ts';
import { jobCommands } from './job-commands.ts';

const output: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

// A reader that stops early (`| head`) closes the pipe: end quietly, as kubectl does, instead of with an
// unhandled EPIPE and its stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
}

/** Exit codes: 0 fine, 1 invalid jobs (or a failed operator), 2 unusable input or usage. */
async function run(command: () => number | Promise<number>): Promise<void> {
  try {
    process.exitCode = await command();
  } catch (error) {
    output.err(`training-operator: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = error instanceof InputError ? 2 : 1;
  }
}

const JOB_FILES = { ...FILE_OPTION, demandOption: 'name the jobs with -f FILE (or -f - for standard input)' };

await yargs(hideBin(process.argv))
  .scriptName('training-operator')
  .usage('$0 <command> [options]\n\nRuns and previews Kubeflow kubeflow.org/v1 training jobs.')
  .command(
    'synth',
    'print every object the operator would create for the jobs, as YAML, without a cluster',
    (y) =>
      withUntypedFlags(y, SYNTH_FRAMEWORK_FLAGS)
        .option('file', JOB_FILES)
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
        .option('validate', VALIDATE_OPTION)
        .example('$0 synth -f job.yaml', 'the pods and services the operator creates for the jobs')
        .example('$0 synth -f job.yaml --gang-scheduler volcano', 'with a Volcano PodGroup'),
    (args) =>
      run(async () =>
        (await import('./synth.ts')).synthCommand(
          {
            files: args.file,
            namespace: args.namespace,
            gangSchedulerName: args.gangSchedulerName,
            settings: frameworkSettingsOf(args, SYNTH_FRAMEWORK_FLAGS),
            fieldValidation: fieldValidationOf(args.validate),
          },
          output,
        ),
      ),
  )
  .command(
    'validate',
    'check jobs against every rule the API server applies; exit 1 and list the errors if any',
    (y) =>
      y
        .option('file', JOB_FILES)
        .option('validate', VALIDATE_OPTION)
        .example('$0 validate -f job.yaml', '')
        .example('$0 validate -f job.yaml --validate=warn', 'unknown fields are warnings, as with kubectl'),
    (args) =>
      run(async () =>
        (await import('./validate.ts')).validateCommand(args.file, output, fieldValidationOf(args.validate)),
      ),
  )
  .command(jobCommands(run, output))
  .command(
    'run',
    'run the operator: watch the jobs and make the cluster match them',
    (y) =>
      y
        .options(withEnvTwins(RUN_OPTIONS, ENV_PREFIX))
        .epilogue(
          `Every flag can also be set as ${ENV_PREFIX}_<FLAG>, e.g. ${ENV_PREFIX}_LEADER_ELECT=true.`,
        ),
    (args) =>
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
          identity: args.leaderElectionIdentity,
          logLevel: args.logLevel,
          render: {
            gangSchedulerName: args.gangSchedulerName,
            settings: frameworkSettingsOf(args),
          },
        }),
      ),
  )
  .command(
    'crds',
    'print the CustomResourceDefinitions (apply with kubectl apply --server-side -f -)',
    (y) => y,
    () => run(async () => (await import('./crds.ts')).crdsCommand(output)),
  )
  .command(
    'install-manifests',
    'print the operator’s own manifests (RBAC, Deployment, Service; --with-crds adds the CRDs) for kubectl apply --server-side -f -',
    installManifestsOptions,
    (args) => run(async () => (await import('./install-manifests.ts')).installManifestsCommand(args, output)),
  )
  .command(
    'local <action>',
    'a local cluster with the operator, fake nodes and container logs: up, down, status, or demo (up, then run the example job in examples/)',
    (y) =>
      y
        .positional('action', { choices: ['up', 'down', 'status', 'demo'] as const, demandOption: true })
        .option('dir', { type: 'string', describe: 'state directory (default: .local/ in the checkout)' })
        .example('$0 local demo', 'start the cluster and run the example job to Succeeded, with its logs')
        .example('$0 local down', 'stop it'),
    (args) => run(async () => (await import('../local/cli.ts')).localCommand(args.action, args.dir, output)),
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
