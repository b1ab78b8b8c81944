// The commands that work on jobs in a cluster (submit, get, describe, wait, logs, delete, diff), as
// yargs command modules for main.ts. Each handler imports its command when it runs, as main.ts does.
import type { Argv, CommandModule } from 'yargs';
import { KIND_NAMES, KINDS } from '../api/kinds.ts';
import { fieldValidationOf, type VALIDATE_CHOICES } from './field-validation.ts';
import { FILE_OPTION, VALIDATE_OPTION } from './job-options.ts';
import { frameworkSettingsOf, SYNTH_FRAMEWORK_FLAGS, withUntypedFlags } from './run-options.ts';
import type { TerminalOutput } from './cluster.ts';
import type { GetCommandOptions } from './get.ts';
import type { Output } from './validate.ts';

type Run = (command: () => number | Promise<number>) => Promise<void>;

const terminal = (output: Output): TerminalOutput => ({
  ...output,
  write: (text) => process.stdout.write(text),
  isTTY: process.stdout.isTTY === true,
});

/** `-n`, `--kubeconfig`, `--context`, as kubectl's. */
function withCluster<T>(y: Argv<T>) {
  return y
    .option('namespace', {
      alias: 'n',
      type: 'string',
      describe: 'namespace; default: the context’s, else default',
    })
    .option('kubeconfig', {
      type: 'string',
      describe: 'kubeconfig file; default: $KUBECONFIG, in-cluster, ~/.kube/config',
    })
    .option('context', { type: 'string', describe: 'kubeconfig context; default: its current-context' });
}

const timeoutOption = {
  type: 'string',
  describe: 'give up after this long: 30s, 10m, 1h30m (default: no limit); exit 3',
} as const;

/** The job a command works on, as `describe`, `wait`, `logs` and `delete` take it. */
const jobNameOption = { type: 'string', describe: 'NAME or KIND/NAME' } as const;

const requiredFileOption = { ...FILE_OPTION, demandOption: 'name the jobs with -f FILE' };

async function timeoutMs(value: string | undefined): Promise<number | undefined> {
  return value === undefined ? undefined : (await import('./cluster.ts')).parseTimeout(value);
}

export function jobCommands(run: Run, output: Output): CommandModule[] {
  const commands = [
    {
      command: 'submit',
      describe:
        'validate jobs offline, then create them; --wait follows them to the end, --logs shows their logs',
      builder: (y: Argv) =>
        withCluster(y)
          .option('file', requiredFileOption)
          .option('wait', { type: 'boolean', describe: 'wait for Succeeded (exit 0) or Failed (exit 1)' })
          .option('logs', {
            type: 'boolean',
            describe: 'stream the logs of every pod, then wait for the end',
          })
          .option('timeout', timeoutOption)
          .option('validate', VALIDATE_OPTION)
          .example('$0 submit -f job.yaml --wait --logs', ''),
      handler: (args: Record<string, unknown>) =>
        run(async () =>
          (await import('./submit.ts')).submitCommand(
            {
              ...cluster(args),
              files: args.file as string[],
              wait: args.wait as boolean | undefined,
              logs: args.logs as boolean | undefined,
              timeoutMs: await timeoutMs(args.timeout as string | undefined),
              fieldValidation: fieldValidationOf(args.validate as (typeof VALIDATE_CHOICES)[number]),
            },
            terminal(output),
          ),
        ),
    },
    {
      command: 'get [kind] [name]',
      describe: 'list jobs: state, replicas running/wanted per type, age, duration',
      builder: (y: Argv) =>
        withCluster(y)
          .positional('kind', {
            type: 'string',
            describe: `${KINDS[KIND_NAMES[0]].plural}, ${KIND_NAMES[0]}... (any case, singular or plural), KIND/NAME, or a name`,
          })
          .positional('name', { type: 'string' })
          .option('all-namespaces', { alias: 'A', type: 'boolean', describe: 'jobs of every namespace' })
          .option('output', { alias: 'o', type: 'string', choices: ['wide', 'yaml', 'json'] as const })
          .example('$0 get', 'every job of the namespace')
          .example(`$0 get ${KINDS[KIND_NAMES[0]].plural} -A`, '')
          .example('$0 get mnist -o yaml', ''),
      handler: (args: Record<string, unknown>) =>
        run(async () =>
          (await import('./get.ts')).getCommand(
            {
              ...cluster(args),
              kind: args.kind as string | undefined,
              name: args.name as string | undefined,
              allNamespaces: args.allNamespaces as boolean | undefined,
              output: args.output as GetCommandOptions['output'],
            },
            output,
          ),
        ),
    },
    {
      command: 'describe <name>',
      describe: 'a job’s conditions, replica statuses, pods (phase, node) and recent events',
      builder: (y: Argv) => withCluster(y).positional('name', jobNameOption),
      handler: (args: Record<string, unknown>) =>
        run(async () =>
          (await import('./describe.ts')).describeCommand(
            { ...cluster(args), name: args.name as string },
            output,
          ),
        ),
    },
    {
      command: 'wait <name>',
      describe: 'wait for a condition, showing progress per replica type; exit 0 met, 1 failed, 3 timed out',
      builder: (y: Argv) =>
        withCluster(y)
          .positional('name', jobNameOption)
          .option('for', {
            type: 'string',
            default: 'Succeeded',
            describe: 'Created, Running, Restarting, Succeeded, Failed or Suspended',
          })
          .option('timeout', timeoutOption)
          .example('$0 wait mnist --for=Succeeded --timeout=30m', ''),
      handler: (args: Record<string, unknown>) =>
        run(async () =>
          (await import('./wait.ts')).waitCommand(
            {
              ...cluster(args),
              name: args.name as string,
              for: args.for as string,
              timeoutMs: await timeoutMs(args.timeout as string | undefined),
            },
            terminal(output),
          ),
        ),
    },
    {
      command: 'logs <name>',
      describe: 'container logs of a job’s pods (default: the master), prefixed by pod when several',
      builder: (y: Argv) =>
        withCluster(y)
          .positional('name', jobNameOption)
          .option('replica-type', {
            alias: 'r',
            type: 'string',
            describe: 'only pods of this type (Worker...)',
          })
          .option('index', { alias: 'i', type: 'number', describe: 'only pods of this replica index' })
          .option('all', { type: 'boolean', describe: 'every pod of the job' })
          .option('follow', { alias: 'f', type: 'boolean', describe: 'stream until the pods finish' })
          .option('container', { alias: 'c', type: 'string', describe: 'default: the training container' })
          .option('prefix', { type: 'boolean', describe: 'prefix lines with [pod/NAME/CONTAINER]' })
          .example('$0 logs mnist --all -f', 'every rank, interleaved'),
      handler: (args: Record<string, unknown>) =>
        run(async () =>
          (await import('./logs.ts')).logsCommand(
            {
              ...cluster(args),
              name: args.name as string,
              replicaType: args.replicaType as string | undefined,
              index: args.index as number | undefined,
              all: args.all as boolean | undefined,
              follow: args.follow as boolean | undefined,
              container: args.container as string | undefined,
              prefix: args.prefix as boolean | undefined,
            },
            output,
          ),
        ),
    },
    {
      command: 'delete [names..]',
      describe: 'delete jobs named on the command line or in files; --wait until they are gone',
      builder: (y: Argv) =>
        withCluster(y)
          .positional('names', { ...jobNameOption, array: true })
          .option('file', FILE_OPTION)
          .option('wait', { type: 'boolean', describe: 'return once the jobs are gone' })
          .option('timeout', timeoutOption),
      handler: (args: Record<string, unknown>) =>
        run(async () =>
          (await import('./delete.ts')).deleteCommand(
            {
              ...cluster(args),
              names: (args.names as string[] | undefined) ?? [],
              files: args.file as string[] | undefined,
              wait: args.wait as boolean | undefined,
              timeoutMs: await timeoutMs(args.timeout as string | undefined),
            },
            output,
          ),
        ),
    },
    {
      command: 'diff',
      describe:
        'the change to each job’s spec against the cluster, and what the operator would create, patch, delete',
      builder: (y: Argv) =>
        withUntypedFlags(withCluster(y), SYNTH_FRAMEWORK_FLAGS)
          .option('file', requiredFileOption)
          .option('validate', VALIDATE_OPTION)
          .option('gang-scheduler-name', {
            alias: 'gang-scheduler',
            type: 'string',
            describe: 'the operator’s --gang-scheduler-name: volcano, or a scheduler-plugins scheduler name',
          }),
      handler: (args: Record<string, unknown>) =>
        run(async () =>
          (await import('./diff.ts')).diffCommand(
            {
              ...cluster(args),
              files: args.file as string[],
              fieldValidation: fieldValidationOf(args.validate as (typeof VALIDATE_CHOICES)[number]),
              gangSchedulerName: args.gangSchedulerName as string | undefined,
              settings: frameworkSettingsOf(args, SYNTH_FRAMEWORK_FLAGS),
            },
            output,
          ),
        ),
    },
  ];
  return commands;
}

function cluster(args: Record<string, unknown>) {
  return {
    namespace: args.namespace as string | undefined,
    kubeconfig: args.kubeconfig as string | undefined,
    context: args.context as string | undefined,
  };
}
