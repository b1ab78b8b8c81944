// A client-side token bucket, like client-go's flowcontrol limiter: `burst` requests at once, then `qps`
// a second. It keeps a busy operator from tripping the API server's priority-and-fairness limits.
import { setTimeout as delay } from 'node:timers/promises';

export interface RateLimiterOptions {
  /** Requests per second; `<= 0` means unlimited. */
  qps: number;
  /** Bucket size: requests allowed back to back after a quiet spell (at least 1). */
  burst: number;
  /** Milliseconds on a monotonic clock; injectable for tests. */
  now?: () => number;
}

export class TokenBucket {
  private readonly qps: number;
  private readonly burst: number;
  private readonly now: () => number;
  /** Goes negative while callers wait: each waiter has reserved a future token. */
  private tokens: number;
  private last: number;

  constructor({ qps, burst, now = () => performance.now() }: RateLimiterOptions) {
    this.qps = qps;
    this.burst = Math.max(1, burst);
    this.now = now;
    this.tokens = this.burst;
    this.last = now();
  }

  /** Reserves a token and returns how many milliseconds to wait before using it. */
  reserve(): number {
    if (this.qps <= 0) return 0;
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.qps) / 1000);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.qps;
  }

  /** Waits for a token. */
  async take(signal?: AbortSignal): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await delay(wait, undefined, { signal });
  }
}
