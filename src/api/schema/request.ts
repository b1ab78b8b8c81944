// kube-apiserver reads at most --max-request-body-bytes of a request body (3 MiB by default,
// k8s.io/apiserver pkg/server/config.go) and refuses a longer one with 413 before it decodes anything
// (pkg/endpoints/handlers/rest.go limitedReadBody).
import type { FieldError } from '../errors.ts';

export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

/** Go's encoding/json escapes these, as kubectl's request body then has them. */
const GO_ESCAPED = /[<>&\u2028\u2029]/g;
const HAS_GO_ESCAPED = /[<>&\u2028\u2029]/;

/** The size of `obj` as kubectl sends it: JSON, without indentation. */
export function requestBodyBytes(obj: unknown): number {
  const json = JSON.stringify(obj) ?? '';
  const bytes = Buffer.byteLength(json, 'utf8');
  // Most jobs have none: testing is a scan without the list of matches.
  if (!HAS_GO_ESCAPED.test(json)) return bytes;
  const escapes = json.match(GO_ESCAPED) ?? [];
  return bytes + escapes.reduce((extra, c) => extra + (c < '\u0080' ? 5 : 3), 0);
}

/** The API server's answer to a create or update over MAX_REQUEST_BODY_BYTES, which has no field. */
export function requestTooLarge(): FieldError {
  return { path: '', message: `Request entity too large: limit is ${MAX_REQUEST_BODY_BYTES}` };
}
