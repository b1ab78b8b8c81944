// What every benchmark script shares: how it reports the machine's load, and how it ends.
import os from 'node:os';

/** The 1, 5 and 15 minute load averages: a busy machine makes every figure of a run suspect. */
export const loadAverage = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

/** Runs the script's main function, then exits: 0, or 1 with the error (open sockets must not keep it alive). */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exit(1);
    },
  );
}
