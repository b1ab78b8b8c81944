// A work queue with client-go's semantics: a key waits in the queue at most once however often it is
// added, and is never handed to two workers at once: added while being processed, it goes back in the
// queue when its worker calls done(). Keys are `namespace/name` strings.
import { KeyedBackoff } from './backoff.ts';

export interface WorkQueueOptions {
  /** Delays for addRateLimited. Default: 5 ms doubling per failure, capped at 5 minutes. */
  backoff?: KeyedBackoff;
}

export class WorkQueue {
  /** Waiting keys in FIFO order; a Set keeps insertion order and makes membership O(1). */
  private readonly queue = new Set<string>();
  /** Keys that need processing: queued ones, and processing ones added again meanwhile. */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly backoff: KeyedBackoff;
  private shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.backoff = options.backoff ?? new KeyedBackoff();
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.queue.add(key);
    this.dispatch();
  }

  /** Adds `key` after `ms`. Of several pending delays for one key only the earliest is kept. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + ms;
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    this.timers.set(key, { at, timer });
  }

  /** Adds `key` after its backoff: 5 ms, 10 ms, 20 ms, ... per failure until forget(key). */
  addRateLimited(key: string): void {
    this.addAfter(key, this.backoff.when(key));
  }

  /** Resets the backoff of `key` (it was processed successfully). */
  forget(key: string): void {
    this.backoff.forget(key);
  }

  /**
   * Queues at once every key waiting out the backoff of its failures, keeping their failure counts:
   * after an outage of the API server, jobs whose reconciles failed meanwhile need not wait for delays
   * that grew while it was down. Delays asked for by successful handlers (requeueAfterMs) stay.
   */
  retryFailedNow(): void {
    for (const [key, { timer }] of this.timers) {
      if (this.backoff.attempts(key) === 0) continue;
      clearTimeout(timer);
      this.timers.delete(key);
      this.add(key);
    }
  }

  numRequeues(key: string): number {
    return this.backoff.attempts(key);
  }

  /** The next key, once one is waiting; undefined once the queue is shut down. Call done(key) after. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.take();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Ends the processing of `key`; if it was added meanwhile, it is queued again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.shuttingDown) {
      this.queue.add(key);
      this.dispatch();
    }
  }

  /**
   * Stops the queue: adds are ignored, waiting and future get() calls return undefined, queued keys
   * and pending delays are dropped. Unlike client-go, queued keys are not handed out any more: a
   * stopping operator should start no new reconcile, and whoever runs next lists everything anyway.
   */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.queue.clear();
    this.dirty.clear();
    for (const resolve of this.waiters.splice(0)) resolve(undefined);
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Keys waiting to be processed (not those in process, nor delayed ones). */
  len(): number {
    return this.queue.size;
  }

  private take(): string | undefined {
    const next = this.queue.values().next();
    if (next.done) return undefined;
    const key = next.value;
    this.queue.delete(key);
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }

  private dispatch(): void {
    while (this.waiters.length > 0 && this.queue.size > 0) {
      const key = this.take();
      const waiter = this.waiters.shift();
      if (key !== undefined && waiter) waiter(key);
    }
  }
}

/** What a handler may ask for: to be called again after a while even if nothing changes. */
export type HandlerResult = void | { requeueAfterMs?: number };

/**
 * Runs `workers` loops that each take a key, call `handler(key)` and mark the key done. A throwing
 * handler's key comes back with its backoff (reported through `onError`); a successful one's backoff
 * is forgotten. Resolves when the queue is shut down and every handler in progress has returned.
 */
export async function runWorkers(
  queue: WorkQueue,
  workers: number,
  handler: (key: string) => Promise<HandlerResult>,
  onError: (key: string, err: unknown) => void = () => {},
): Promise<void> {
  const work = async () => {
    for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
      try {
        const result = await handler(key);
        queue.forget(key);
        if (result?.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
      } catch (err) {
        onError(key, err);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, work));
}
