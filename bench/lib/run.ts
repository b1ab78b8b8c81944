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

/** "low–high" of the values to `digits` decimals, or the one value when they agree. */
export function valueRange(values: number[], digits: number): string {
  const sorted = values.toSorted((a, b) => a - b);
  const [low, high] = [sorted[0].toFixed(digits), sorted.at(-1)!.toFixed(digits)];
  return low === high ? low : `${low}–${high}`;
}

/** "median M, min A, max B" of the values, as whole numbers. */
export function medianMinMax(values: number[]): string {
  const sorted = values.toSorted((a, b) => a - b);
  const whole = (n: number) => n.toFixed(0);
  return `median ${whole(sorted[Math.floor(sorted.length / 2)])}, min ${whole(sorted[0])}, max ${whole(sorted.at(-1)!)}`;
}
