import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TokenBucket } from '../../src/kube/rate-limiter.ts';

/** A bucket on a clock the test moves by hand. */
function bucket(qps: number, burst: number) {
  let now = 0;
  const limiter = new TokenBucket({ qps, burst, now: () => now });
  return { limiter, advance: (ms: number) => (now += ms) };
}

describe('TokenBucket', () => {
  test('lets a burst through at once, then spaces requests 1/qps apart', () => {
    const { limiter } = bucket(10, 3);
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map(() => Math.round(limiter.reserve())),
      [0, 0, 0, 100, 200, 300],
    );
  });

  test('refills over time, up to the burst and no more', () => {
    const { limiter, advance } = bucket(10, 2);
    limiter.reserve();
    limiter.reserve();
    advance(100);
    assert.equal(limiter.reserve(), 0, 'one token came back after 100 ms');
    assert.equal(Math.round(limiter.reserve()), 100);
    advance(10_000);
    assert.deepEqual(
      [1, 2, 3].map(() => Math.round(limiter.reserve())),
      [0, 0, 100],
      'a long pause refills only the burst',
    );
  });

  test('qps <= 0 never waits', () => {
    const { limiter } = bucket(0, 1);
    for (let i = 0; i < 1000; i++) assert.equal(limiter.reserve(), 0);
  });

  test('take() waits its turn on the real clock', async () => {
    const limiter = new TokenBucket({ qps: 50, burst: 1 });
    const start = performance.now();
    await Promise.all([1, 2, 3].map(() => limiter.take()));
    const elapsed = performance.now() - start;
    assert.ok(elapsed >= 35 && elapsed < 500, `3 requests at 50 qps with burst 1 took ${elapsed} ms`);
  });
});
