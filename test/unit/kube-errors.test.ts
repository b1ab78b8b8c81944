import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ApiError,
  apiErrorFromResponse,
  isAlreadyExists,
  isConflict,
  isForbidden,
  isGone,
  isInvalid,
  isNotFound,
  isTooManyRequests,
} from '../../src/kube/errors.ts';
import { LineSplitter, parseWatchEvent } from '../../src/kube/watch-stream.ts';

const status = (code: number, reason: string, message: string, extra: object = {}) =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message, ...extra });

describe('ApiError from a response', () => {
  test('reads the Status body into a readable message', () => {
    const err = apiErrorFromResponse(409, status(409, 'AlreadyExists', 'pods "x" already exists'));
    assert.ok(err instanceof ApiError);
    assert.equal(err.message, '409 AlreadyExists: pods "x" already exists');
    assert.equal(err.code, 409);
    assert.equal(err.reason, 'AlreadyExists');
    assert.equal(err.status?.message, 'pods "x" already exists');
  });

  test('a body that is no Status still gives a message', () => {
    const err = apiErrorFromResponse(502, '<html>Bad Gateway</html>');
    assert.equal(err.message, '502 Error: <html>Bad Gateway</html>');
    assert.equal(err.status, undefined);
    assert.equal(apiErrorFromResponse(500, '').message, '500 Error: no response body');
  });

  test('Retry-After comes from the header, else from the Status details', () => {
    assert.equal(
      apiErrorFromResponse(429, status(429, 'TooManyRequests', 'slow down'), '3').retryAfterSeconds,
      3,
    );
    const fromDetails = apiErrorFromResponse(
      429,
      status(429, 'TooManyRequests', 'slow down', { details: { retryAfterSeconds: 2 } }),
    );
    assert.equal(fromDetails.retryAfterSeconds, 2);
    assert.equal(apiErrorFromResponse(429, '', 'soon').retryAfterSeconds, undefined);
  });

  test('predicates tell the cases the reconciler handles apart', () => {
    const cases: [ApiError, (err: unknown) => boolean][] = [
      [apiErrorFromResponse(404, status(404, 'NotFound', 'x')), isNotFound],
      [apiErrorFromResponse(409, status(409, 'AlreadyExists', 'x')), isAlreadyExists],
      [apiErrorFromResponse(409, status(409, 'Conflict', 'the object has been modified')), isConflict],
      [apiErrorFromResponse(410, status(410, 'Expired', 'too old resource version')), isGone],
      [apiErrorFromResponse(422, status(422, 'Invalid', 'x')), isInvalid],
      [apiErrorFromResponse(403, status(403, 'Forbidden', 'x')), isForbidden],
      [apiErrorFromResponse(429, status(429, 'TooManyRequests', 'x')), isTooManyRequests],
    ];
    const predicates = cases.map(([, predicate]) => predicate);
    for (const [err, expected] of cases) {
      for (const predicate of predicates)
        assert.equal(predicate(err), predicate === expected, `${err.message}`);
    }
    assert.equal(isNotFound(new Error('404')), false, 'only ApiErrors');
    assert.equal(
      isConflict(apiErrorFromResponse(409, 'conflict')),
      true,
      'a 409 without reason is a conflict',
    );
  });
});

describe('watch stream parsing', () => {
  test('lines split across chunks are reassembled', () => {
    const lines = new LineSplitter();
    assert.deepEqual(lines.push('{"a":'), []);
    assert.deepEqual(lines.push('1}\n{"b"'), ['{"a":1}']);
    assert.deepEqual(lines.push(':2}\n\n'), ['{"b":2}', '']);
    assert.deepEqual(lines.push('{"c":3}'), []);
    assert.deepEqual(lines.end(), ['{"c":3}']);
    assert.deepEqual(lines.end(), []);
  });

  test('events parse; an ERROR event is the ApiError it carries', () => {
    const event = parseWatchEvent<{ metadata: { name: string } }>(
      '{"type":"ADDED","object":{"metadata":{"name":"a"}}}',
    );
    assert.equal(event.type, 'ADDED');
    assert.equal(event.object.metadata.name, 'a');
    const expired = JSON.stringify({
      type: 'ERROR',
      object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 1 (342)' },
    });
    assert.throws(
      () => parseWatchEvent(expired),
      (err) => isGone(err) && (err as Error).message === '410 Expired: too old resource version: 1 (342)',
    );
    assert.throws(() => parseWatchEvent('{"type":"SOMETHING","object":{}}'), /malformed watch event/);
    assert.throws(() => parseWatchEvent('not json'), SyntaxError);
  });
});
