// CPU time of the processes in play (operator, kube-apiserver, etcd, the benchmark itself), from
// /proc/<pid>/stat: where the machine's two cores went during a run.
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (`getconf CLK_TCK`; 100 on Linux). */
const TICKS_PER_SECOND = 100;

export type CpuReading = Map<string, number>;

/** User + system CPU seconds of a process so far; NaN once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name, which may itself hold spaces: utime is field 14.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

export function readCpu(pids: Record<string, number>): CpuReading {
  return new Map(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
}

/** CPU seconds each process spent between two readings. */
export function cpuSpent(after: CpuReading, before: CpuReading): CpuReading {
  return new Map([...after].map(([name, s]) => [name, s - (before.get(name) ?? 0)]));
}

export const totalCpu = (spent: CpuReading) => [...spent.values()].reduce((sum, s) => sum + s, 0);

/** `2 cores' worth: 41.2 s = kube-apiserver 30.1 s, etcd 5.0 s, ...` */
export function describeCpu(spent: CpuReading): string {
  const parts = [...spent].map(([name, s]) => `${name} ${s.toFixed(1)} s`).join(', ');
  return `${totalCpu(spent).toFixed(1)} s = ${parts}`;
}
