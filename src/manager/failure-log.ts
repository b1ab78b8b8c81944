// Logs the failures of a loop that retries by itself (an informer, the leader election) without flooding
// the log during an outage: the first failure at once, then one line per interval with the count so far,
// and the end of the outage with its length.
import type { Logger } from '../telemetry/logger.ts';

const FAILURE_LOG_INTERVAL_MS = 30_000;

/** Milliseconds as seconds with one decimal, for the log. */
const seconds = (ms: number) => Math.round(ms / 100) / 10;

export class FailureLog {
  private failures = 0;
  private since = 0;
  private loggedAt = 0;

  constructor(
    private readonly log: Logger,
    /** Fields naming the loop, e.g. `{ informer: 'pods in all namespaces' }`. */
    private readonly fields: Record<string, unknown>,
    private readonly intervalMs = FAILURE_LOG_INTERVAL_MS,
  ) {}

  /** Counts a failure; logs it at warn if it is the first of an outage or the interval has passed. */
  failed(error: unknown, message: string): void {
    const now = Date.now();
    if (this.failures++ === 0) this.since = now;
    else if (now - this.loggedAt < this.intervalMs) return;
    this.loggedAt = now;
    this.log.warn(
      {
        ...this.fields,
        err: error instanceof Error ? error.message : String(error),
        failures: this.failures,
        failingForSeconds: seconds(now - this.since),
      },
      message,
    );
  }

  /** Ends an outage, if one was under way, logging it at info. */
  recovered(message: string): void {
    if (this.failures === 0) return;
    this.log.info(
      {
        ...this.fields,
        failures: this.failures,
        outageSeconds: seconds(Date.now() - this.since),
      },
      message,
    );
    this.failures = 0;
  }
}
