// Values produced by several concurrent sources, consumed as one async iterable in arrival order.
export class Channel<T> implements AsyncIterable<T> {
  private readonly buffered: T[] = [];
  private waiting?: () => void;
  private ended = false;
  private failure?: { error: unknown };

  push(value: T): void {
    if (this.ended) return;
    this.buffered.push(value);
    this.wake();
  }

  /** No more values: iteration ends once the buffered ones are consumed. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /** Iteration throws `error` once the buffered values are consumed. */
  fail(error: unknown): void {
    if (this.ended) return;
    this.failure = { error };
    this.end();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      while (this.buffered.length > 0) yield this.buffered.shift()!;
      if (this.failure) throw this.failure.error;
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }
}
