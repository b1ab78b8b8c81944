// Outages in the log and in /readyz: FailureLog's rate limit, and the readiness endpoint's reasons.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { FailureLog } from '../../src/manager/failure-log.ts';
import { serveHealth } from '../../src/manager/http.ts';
import { createLogger } from '../../src/telemetry/logger.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLogger('info', sink) };
}

test('FailureLog: the first failure at once, then one line per interval with the count, and the end of the outage', async () => {
  const { lines, log } = capture();
  const failures = new FailureLog(log, { informer: 'pods in all namespaces' }, 40);
  failures.recovered('listing and watching again');
  for (let i = 0; i < 5; i++) failures.failed(new Error('connect ECONNREFUSED'), 'cannot list or watch');
  await delay(50);
  failures.failed(new Error('503 ServiceUnavailable'), 'cannot list or watch');
  failures.recovered('listing and watching again');
  failures.recovered('listing and watching again');
  await delay(10);
  const summary = lines.map(({ level, msg, err, failures: count, informer }) => ({
    level,
    msg,
    err,
    failures: count,
    informer,
  }));
  assert.deepEqual(summary, [
    {
      level: 40,
      msg: 'cannot list or watch',
      err: 'connect ECONNREFUSED',
      failures: 1,
      informer: 'pods in all namespaces',
    },
    {
      level: 40,
      msg: 'cannot list or watch',
      err: '503 ServiceUnavailable',
      failures: 6,
      informer: 'pods in all namespaces',
    },
    {
      level: 30,
      msg: 'listing and watching again',
      err: undefined,
      failures: 6,
      informer: 'pods in all namespaces',
    },
  ]);
  assert.ok((lines[2].outageSeconds as number) >= 0.05);
});

test('/readyz: 200 "ok" when ready, else 503 with one line per reason', async (t) => {
  let reasons: string[] = ['pods in namespace a: not synced, last error: 403 Forbidden: pods is forbidden'];
  const server = await serveHealth({ host: '127.0.0.1', port: 0 }, () => reasons);
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let response = await fetch(`${url}/readyz`);
  assert.equal(response.status, 503);
  assert.equal(
    await response.text(),
    'not ready:\n- pods in namespace a: not synced, last error: 403 Forbidden: pods is forbidden\n',
  );
  reasons = [];
  response = await fetch(`${url}/readyz`);
  assert.equal(response.status, 200);
  assert.equal(await response.text(), 'ok\n');
  assert.equal((await fetch(`${url}/healthz`)).status, 200);
});
