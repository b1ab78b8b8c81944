// The manager's settings, from flags (each with an environment-variable twin), checked once at start.
import { InputError } from '../api/errors.ts';
import { KIND_NAMES, type KindName } from '../api/kinds.ts';
import type { RenderOptions } from '../frameworks/framework.ts';
import type { LogLevel } from '../telemetry/log-levels.ts';

export interface ManagerOptions {
  kubeconfig?: string;
  /** Kinds to reconcile; all six when none is named. */
  schemes: KindName[];
  /** Namespaces to watch; empty means all. */
  namespaces: string[];
  threads: number;
  qps: number;
  burst: number;
  metricsBindAddress: string;
  healthProbeBindAddress: string;
  leaderElect: boolean;
  leaderElectionId: string;
  leaderElectionNamespace: string;
  logLevel: LogLevel;
  render: RenderOptions;
}

/** `--enable-scheme` is case-insensitive, as in the reference: `pytorchjob` means PyTorchJob. */
export function parseSchemes(values: string[]): KindName[] {
  const schemes = values.flatMap((value) => value.split(',')).filter(Boolean);
  if (schemes.length === 0) return [...KIND_NAMES];
  return [
    ...new Set(
      schemes.map((value) => {
        const kind = KIND_NAMES.find((name) => name.toLowerCase() === value.toLowerCase());
        if (!kind)
          throw new InputError(
            `--enable-scheme: scheme ${value.toLowerCase()} is not supported yet (supported: ${KIND_NAMES.join(', ')})`,
          );
        return kind;
      }),
    ),
  ];
}

export function parseNamespaces(values: string[]): string[] {
  return [...new Set(values.flatMap((value) => value.split(',')).filter(Boolean))];
}

/** `host:port`, `:port` (all interfaces) or `0` (off). */
export function parseBindAddress(flag: string, value: string): { host?: string; port: number } | undefined {
  if (value === '0') return undefined;
  const match = /^(.*):(\d+)$/.exec(value);
  if (!match) throw new InputError(`--${flag}: expected host:port, :port or 0, got "${value}"`);
  return { host: match[1] || undefined, port: Number(match[2]) };
}
