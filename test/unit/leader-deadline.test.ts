import assert from 'node:assert/strict';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { withDeadline } from '../../src/manager/leader.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Never settles unless its signal aborts: a request to a stalled API server. */
const hang = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));

test('a lease request is abandoned at its deadline even when garbage collections run meanwhile', async () => {
  const collect = setInterval(gc, 10);
  try {
    const started = Date.now();
    await assert.rejects(withDeadline(new AbortController().signal, 200, hang), /no answer within 200 ms/);
    assert.ok(Date.now() - started < 1000, `aborted after ${Date.now() - started} ms`);
  } finally {
    clearInterval(collect);
  }
});

test('stopping the elector aborts a lease request before its deadline', async () => {
  const stop = new AbortController();
  setTimeout(() => stop.abort(new Error('stopped')), 20);
  await assert.rejects(withDeadline(stop.signal, 60_000, hang), /stopped/);
});

test('an answer before the deadline is returned', async () => {
  assert.equal(
    await withDeadline(new AbortController().signal, 1000, () => Promise.resolve('renewed')),
    'renewed',
  );
});
