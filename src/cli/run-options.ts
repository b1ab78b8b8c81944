// The `run` command's flags. Each has an environment-variable twin, TRAINING_OPERATOR_<FLAG>, read here
// rather than through yargs' .env(), which would turn every unrelated TRAINING_OPERATOR_* variable
// into an unknown-argument error under .strict().
import type { Argv, Options } from 'yargs';
import type { RenderOptions, Setting } from '../frameworks/framework.ts';
import { frameworkSettings } from '../frameworks/registry.ts';
import { LOG_LEVELS } from '../telemetry/log-levels.ts';

export const ENV_PREFIX = 'TRAINING_OPERATOR';

function flagOf({ type, default: value, describe, env }: Setting): Options {
  return { type, default: (env === undefined ? undefined : process.env[env]) ?? value, describe };
}

function flagsOf(settings: [string, Setting][]): Record<string, Options> {
  return Object.fromEntries(settings.map(([flag, setting]) => [flag, flagOf(setting)]));
}

const SETTINGS = Object.entries(frameworkSettings());

/** Each framework's settings (Framework.settings) as flags of `run`. */
export const FRAMEWORK_FLAGS = flagsOf(SETTINGS);

/** The framework settings that are also flags of `synth`. */
export const SYNTH_FRAMEWORK_FLAGS = flagsOf(SETTINGS.filter(([, setting]) => setting.synth));

/**
 * Adds flags whose names are known at run time only (the frameworks'), leaving the arguments' type as
 * it is: yargs would otherwise type every argument as unknown. frameworkSettingsOf reads them by name.
 */
export function withUntypedFlags<T>(y: Argv<T>, flags: Record<string, Options>): Argv<T> {
  y.options(flags);
  return y;
}

/** The framework settings among parsed arguments, by flag name, for RenderOptions.settings. */
export function frameworkSettingsOf(
  args: Record<string, unknown>,
  flags: Record<string, Options> = FRAMEWORK_FLAGS,
): RenderOptions['settings'] {
  const given = Object.keys(flags).flatMap((flag) => {
    const value = args[flag];
    return typeof value === 'string' || typeof value === 'number' ? [[flag, value] as const] : [];
  });
  return Object.fromEntries(given);
}

export const RUN_OPTIONS = {
  kubeconfig: {
    type: 'string',
    describe: 'kubeconfig file; default $KUBECONFIG, in-cluster, ~/.kube/config',
  },
  'enable-scheme': {
    type: 'string',
    array: true,
    default: [] as string[],
    describe: 'kinds to reconcile (repeatable or comma-separated, any case); default all six',
  },
  namespace: {
    type: 'string',
    array: true,
    default: process.env.KUBEFLOW_NAMESPACE ? [process.env.KUBEFLOW_NAMESPACE] : ([] as string[]),
    describe:
      'namespaces to watch (repeatable or comma-separated); default all ($KUBEFLOW_NAMESPACE also works)',
  },
  threads: {
    alias: 'controller-threads',
    type: 'number',
    default: 4,
    describe: 'concurrent reconciles',
  },
  'gang-scheduler-name': {
    type: 'string',
    describe: 'volcano, or a scheduler-plugins scheduler name: create PodGroups and decorate pods',
  },
  'kube-api-qps': {
    type: 'number',
    default: 20,
    describe: 'API requests per second (0 = unlimited)',
  },
  'kube-api-burst': { type: 'number', default: 30, describe: 'API request burst' },
  'metrics-bind-address': {
    type: 'string',
    default: ':8080',
    describe: 'Prometheus /metrics listener; 0 = off',
  },
  'health-probe-bind-address': {
    type: 'string',
    default: ':8081',
    describe: '/healthz and /readyz listener; 0 = off',
  },
  'leader-elect': {
    type: 'boolean',
    default: false,
    describe: 'run as one of several replicas behind a Lease',
  },
  'leader-election-id': {
    type: 'string',
    default: '1ca428e5.training-operator.kubeflow.org',
    describe: 'Lease name',
  },
  'leader-election-identity': {
    type: 'string',
    default: process.env.POD_NAME,
    describe: "this replica's name in the Lease (default: $POD_NAME, else host name plus a random suffix)",
  },
  'leader-election-namespace': {
    type: 'string',
    default: process.env.POD_NAMESPACE ?? process.env.MY_POD_NAMESPACE ?? 'default',
    describe: 'Lease namespace (default: $POD_NAMESPACE)',
  },
  ...FRAMEWORK_FLAGS,
  'log-level': { choices: LOG_LEVELS, default: 'info' as const, describe: 'JSON log level' },
} as const satisfies Record<string, Options>;

/** The variable that stands in for a flag: `--kube-api-qps` → TRAINING_OPERATOR_KUBE_API_QPS. */
export function envName(flag: string, prefix = ENV_PREFIX): string {
  return `${prefix}_${flag.toUpperCase().replaceAll('-', '_')}`;
}

function fromEnv(option: Options, text: string): unknown {
  if (option.array) return text.split(',').filter(Boolean);
  if (option.type === 'number') return Number(text);
  if (option.type === 'boolean') return text === 'true' || text === '1';
  return text;
}

/** The options with defaults taken from their environment twins where those are set; flags still win. */
export function withEnvTwins<T extends Record<string, Options>>(
  options: T,
  prefix = ENV_PREFIX,
  env = process.env,
): T {
  return Object.fromEntries(
    Object.entries(options).map(([flag, option]) => {
      const text = env[envName(flag, prefix)];
      return [flag, text === undefined ? option : { ...option, default: fromEnv(option, text) }];
    }),
  ) as T;
}
