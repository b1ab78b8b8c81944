// `--gang-scheduler-name` → the gang scheduling strategy (strategy.ts), or none.
import { schedulerPlugins } from './scheduler-plugins.ts';
import type { GangScheduler } from './strategy.ts';
import { volcano } from './volcano.ts';

export type { GangScheduler } from './strategy.ts';

/** `volcano` in any case is Volcano; any other name is a scheduler-plugins scheduler; unset is none. */
export function gangSchedulerFor(name: string | undefined): GangScheduler | undefined {
  if (!name) return undefined;
  return name.toLowerCase() === 'volcano' ? volcano : schedulerPlugins(name);
}
