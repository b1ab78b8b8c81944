// Live progress of a job while a command waits for it. On a terminal: a state line and one line per
// replica type, redrawn in place. Otherwise (a pipe, a CI log): a line for each thing that changed.
import type { JobProgress } from '../client/training-client.ts';
import { formatReplicaProgress } from '../client/status.ts';
import { jobName, type TerminalOutput } from './cluster.ts';

/** Moves the cursor up `n` lines; clears a line. */
const up = (n: number) => `\x1b[${n}A`;
const CLEAR_LINE = '\r\x1b[2K';

export class ProgressDisplay {
  private drawn = 0;
  private lastState?: string;
  private readonly lastReplicas = new Map<string, string>();

  constructor(
    private readonly output: TerminalOutput,
    private readonly inPlace = output.isTTY,
  ) {}

  show(progress: JobProgress): void {
    const stateLine = `${jobName(progress.job)}: ${progress.state}`;
    const replicaLines = progress.replicas.map((replica) => `  ${formatReplicaProgress(replica)}`);
    if (this.inPlace) {
      const lines = [stateLine, ...replicaLines];
      const redraw = this.drawn ? up(this.drawn) : '';
      this.output.write(redraw + lines.map((line) => `${CLEAR_LINE}${line}\n`).join(''));
      this.drawn = lines.length;
      return;
    }
    if (stateLine !== this.lastState) this.output.out(stateLine);
    this.lastState = stateLine;
    for (const [index, replica] of progress.replicas.entries()) {
      const line = replicaLines[index];
      if (this.lastReplicas.get(replica.type) !== line) this.output.out(line);
      this.lastReplicas.set(replica.type, line);
    }
  }
}
