// Exponential backoff: one sequence for a retry loop (informers), and one per key (the work queue).

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Each delay is shortened by up to this fraction at random, so retries of many callers spread out. */
  jitter?: number;
  random?: () => number;
}

/** initial, 2×initial, 4×initial, ... capped at max, each with jitter. */
export class Backoff {
  private attempts = 0;

  constructor(private readonly options: BackoffOptions) {}

  next(): number {
    const { initialMs, maxMs, jitter = 0, random = Math.random } = this.options;
    const delay = Math.min(maxMs, initialMs * 2 ** this.attempts);
    this.attempts = Math.min(this.attempts + 1, 60);
    return delay * (1 - jitter * random());
  }

  reset(): void {
    this.attempts = 0;
  }
}

/** client-go's ItemExponentialFailureRateLimiter: base × 2^failures per key, capped. */
export class KeyedBackoff {
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly baseMs = 5,
    private readonly maxMs = 5 * 60_000,
  ) {}

  /** The delay before retrying `key`, counting this failure. */
  when(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    return Math.min(this.maxMs, this.baseMs * 2 ** Math.min(failures, 60));
  }

  /** Failures counted for `key` since it was last forgotten. */
  attempts(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }
}
