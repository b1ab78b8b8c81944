import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { KeyedBackoff, Backoff } from '../../src/manager/backoff.ts';
import { runWorkers, WorkQueue } from '../../src/manager/queue.ts';

/** Polls until `done()` holds, for at most 5 s: on a loaded machine timers fire late. */
async function until(done: () => boolean): Promise<void> {
  for (const start = Date.now(); !done() && Date.now() - start < 5000;) await delay(5);
}

/** Resolves with the value of `promise`, or 'pending' if it has not settled within a few ticks. */
async function settled<T>(promise: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([promise, delay(5).then(() => 'pending' as const)]);
}

describe('WorkQueue', () => {
  test('a key added many times is queued once, in FIFO order with others', async () => {
    const queue = new WorkQueue();
    for (const key of ['a', 'b', 'a', 'c', 'b', 'a']) queue.add(key);
    assert.equal(queue.len(), 3);
    assert.deepEqual([await queue.get(), await queue.get(), await queue.get()], ['a', 'b', 'c']);
    assert.equal(await settled(queue.get()), 'pending');
    queue.shutDown();
  });

  test('a key being processed is not handed out again until done, then once', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    assert.equal(await queue.get(), 'a');
    queue.add('a');
    queue.add('a');
    assert.equal(queue.len(), 0, 'not queued while processing');
    const second = queue.get();
    assert.equal(await settled(second), 'pending');
    queue.done('a');
    assert.equal(await second, 'a');
    queue.done('a');
    assert.equal(queue.len(), 0, 'not added meanwhile: not queued again');
    queue.shutDown();
  });

  test('a waiting get() receives a key added later', async () => {
    const queue = new WorkQueue();
    const next = queue.get();
    queue.add('x');
    assert.equal(await next, 'x');
    queue.shutDown();
  });

  test('addAfter keeps only the earliest pending delay per key', async () => {
    const queue = new WorkQueue();
    queue.addAfter('a', 200);
    queue.addAfter('a', 10);
    queue.addAfter('a', 300);
    await delay(40);
    assert.equal(queue.len(), 1);
    assert.equal(await queue.get(), 'a');
    queue.done('a');
    await delay(250);
    assert.equal(queue.len(), 0, 'the replaced 200 ms timer did not fire');
    queue.shutDown();
  });

  test('addRateLimited backs off per key, doubling, until forget', () => {
    const backoff = new KeyedBackoff(5, 40);
    assert.deepEqual(
      [1, 2, 3, 4, 5].map(() => backoff.when('a')),
      [5, 10, 20, 40, 40],
    );
    assert.equal(backoff.when('b'), 5, 'keys are independent');
    assert.equal(backoff.attempts('a'), 5);
    backoff.forget('a');
    assert.equal(backoff.attempts('a'), 0);
    assert.equal(backoff.when('a'), 5);
  });

  test('retryFailedNow queues the keys backing off after failures at once; requeueAfter delays stay', async () => {
    const queue = new WorkQueue({ backoff: new KeyedBackoff(60_000) });
    queue.addRateLimited('failed');
    queue.addAfter('scheduled', 60_000);
    assert.equal(queue.len(), 0);
    queue.retryFailedNow();
    assert.deepEqual([queue.len(), await queue.get()], [1, 'failed']);
    queue.done('failed');
    assert.equal(queue.numRequeues('failed'), 1, 'the failure count stays');
    assert.equal(await settled(queue.get()), 'pending', 'the requeueAfter delay still runs');
    queue.shutDown();
  });

  test('numRequeues counts rate-limited adds until forget', async () => {
    const queue = new WorkQueue();
    queue.addRateLimited('a');
    queue.addRateLimited('a');
    assert.equal(queue.numRequeues('a'), 2);
    assert.equal(await queue.get(), 'a');
    queue.forget('a');
    assert.equal(queue.numRequeues('a'), 0);
    queue.shutDown();
  });

  test('shutDown wakes waiters with undefined, drops queued keys and ignores adds', async () => {
    const queue = new WorkQueue();
    const waiting = queue.get();
    queue.shutDown();
    assert.equal(await waiting, undefined);
    queue.add('a');
    queue.addAfter('b', 1);
    assert.equal(queue.len(), 0);
    assert.equal(await queue.get(), undefined);
  });
});

describe('runWorkers', () => {
  test('never runs one key in two workers at once, and processes a re-added key again', async () => {
    const queue = new WorkQueue();
    const running = new Set<string>();
    const processed: string[] = [];
    let overlap = false;
    let readded = false;
    const workers = runWorkers(queue, 4, async (key) => {
      if (running.has(key)) overlap = true;
      running.add(key);
      if (key === 'a' && !readded) {
        readded = true;
        queue.add(key);
      }
      await delay(5);
      processed.push(key);
      running.delete(key);
    });
    queue.add('a');
    queue.add('b');
    await delay(50);
    queue.shutDown();
    await workers;
    assert.equal(overlap, false);
    assert.deepEqual(processed.sort(), ['a', 'a', 'b']);
  });

  test('a failing key comes back with growing backoff; success forgets it', async () => {
    const queue = new WorkQueue({ backoff: new KeyedBackoff(1, 1000) });
    const calls: number[] = [];
    const errors: string[] = [];
    const workers = runWorkers(
      queue,
      2,
      async (key) => {
        calls.push(queue.numRequeues(key));
        if (calls.length < 3) throw new Error(`fail ${calls.length}`);
        return Promise.resolve();
      },
      (key, err) => errors.push(`${key}: ${(err as Error).message}`),
    );
    queue.add('a');
    await until(() => calls.length >= 3);
    assert.deepEqual(calls, [0, 1, 2]);
    assert.deepEqual(errors, ['a: fail 1', 'a: fail 2']);
    assert.equal(queue.numRequeues('a'), 0, 'forgotten after success');
    queue.shutDown();
    await workers;
  });

  test('requeueAfterMs brings a key back later', async () => {
    const queue = new WorkQueue();
    let calls = 0;
    const workers = runWorkers(queue, 1, async () => {
      calls++;
      return Promise.resolve(calls === 1 ? { requeueAfterMs: 10 } : undefined);
    });
    queue.add('a');
    await until(() => calls >= 2);
    assert.equal(calls, 2);
    queue.shutDown();
    await workers;
  });

  test('shutDown resolves once the handlers in progress have returned', async () => {
    const queue = new WorkQueue();
    let finished = false;
    const workers = runWorkers(queue, 2, async () => {
      await delay(30);
      finished = true;
    });
    queue.add('a');
    await delay(5);
    queue.shutDown();
    await workers;
    assert.equal(finished, true);
  });
});

describe('Backoff', () => {
  test('doubles from the initial delay to the cap, jitter only shortens, reset starts over', () => {
    const backoff = new Backoff({ initialMs: 200, maxMs: 1000, jitter: 0.5, random: () => 0 });
    assert.deepEqual(
      [1, 2, 3, 4, 5].map(() => backoff.next()),
      [200, 400, 800, 1000, 1000],
    );
    backoff.reset();
    assert.equal(backoff.next(), 200);
    const jittered = new Backoff({ initialMs: 200, maxMs: 1000, jitter: 0.5, random: () => 1 });
    assert.equal(jittered.next(), 100);
  });
});
