// What the job commands share: connecting as kubectl does (--kubeconfig, --context, -n), naming a job
// (NAME or KIND/NAME), ages as kubectl prints them, and the exit codes.
import { InputError } from '../api/errors.ts';
import { resolveKind } from '../client/kinds.ts';
import { TrainingClient } from '../client/training-client.ts';
import { kindOf, type JobRef, type TrainingJob } from '../client/types.ts';
import type { Output } from './validate.ts';

/** Exit codes of the job commands beyond 0 (done), 1 (failed) and 2 (unusable input or usage). */
export const EXIT_TIMED_OUT = 3;

export interface ClusterOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

/** Output that can also rewrite lines in place on a terminal. */
export interface TerminalOutput extends Output {
  /** Raw text to standard output, no newline added. */
  write: (text: string) => void;
  isTTY: boolean;
}

/** Runs `body` with a connected client and closes it after. */
export async function withClient<T>(
  options: ClusterOptions,
  body: (client: TrainingClient) => Promise<T>,
): Promise<T> {
  const client = await TrainingClient.connect(options);
  try {
    return await body(client);
  } finally {
    client.close();
  }
}

/**
 * The job a command line names: `KIND/NAME` (kubectl's `pytorchjob/mnist`), or a bare NAME looked up
 * among every kind.
 */
export async function findJob(
  client: TrainingClient,
  name: string,
  namespace?: string,
): Promise<TrainingJob> {
  const slash = name.indexOf('/');
  if (slash < 0) return client.find(name, namespace ?? client.namespace);
  const kind = resolveKind(name.slice(0, slash));
  const bare = name.slice(slash + 1);
  if (!bare) throw new InputError(`${name}: name the job after the slash`);
  return client.get({ kind, name: bare, namespace });
}

export function refOf(job: TrainingJob): JobRef {
  return { kind: kindOf(job), name: job.metadata!.name!, namespace: job.metadata!.namespace };
}

/** `PyTorchJob/mnist`. */
export const jobName = (job: TrainingJob) => `${job.kind}/${job.metadata?.name}`;

/** kubectl's short durations (`45s`, `3m20s`, `5h`, `2d3h`), from milliseconds. */
export function shortDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  if (seconds < 120) return `${seconds}s`;
  if (minutes < 10) return `${minutes}m${seconds % 60 ? `${seconds % 60}s` : ''}`;
  if (hours < 3) return `${minutes}m`;
  if (hours < 8) return `${hours}h${minutes % 60 ? `${minutes % 60}m` : ''}`;
  if (hours < 48) return `${hours}h`;
  if (days < 8) return `${days}d${hours % 24 ? `${hours % 24}h` : ''}`;
  return `${days}d`;
}

/** Time since `timestamp`, or `<unknown>`. */
export function age(timestamp: string | Date | undefined, now = Date.now()): string {
  if (timestamp === undefined) return '<unknown>';
  return shortDuration(now - new Date(timestamp).getTime());
}

/** Parses `--timeout`: kubectl's `30s`, `5m`, `1h30m`, or plain seconds. */
export function parseTimeout(value: string): number {
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = text;
  while (rest) {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (!match) throw new InputError(`--timeout ${value}: not a duration (e.g. 90s, 10m, 1h30m)`);
    total += Number(match[1]) * units[match[2]];
    rest = rest.slice(match[0].length);
  }
  return total;
}

/** Aligned columns, as kubectl prints tables: three spaces between columns. */
export function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('   ')
      .trimEnd(),
  );
}
