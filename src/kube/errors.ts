// Errors from the API server as one class with the Status it sent, and the predicates the reconciler
// branches on (client-go's apierrors.IsNotFound & co.).
import type { Status } from './types.ts';

export class ApiError extends Error {
  override name = 'ApiError';
  /** The HTTP status code, or the code of a watch ERROR event. */
  readonly code: number;
  /** The Status reason: `NotFound`, `AlreadyExists`, `Conflict`, `Expired`, `Invalid`, ... */
  readonly reason?: string;
  /** The parsed Status body, when the server sent one. */
  readonly status?: Status;
  /** From the Retry-After header or the Status details. */
  readonly retryAfterSeconds?: number;

  constructor(code: number, message: string, status?: Status, retryAfterSeconds?: number) {
    super(message);
    this.code = code;
    this.status = status;
    this.reason = status?.reason || undefined;
    this.retryAfterSeconds = retryAfterSeconds ?? status?.details?.retryAfterSeconds;
  }
}

/** Builds the error for a non-2xx response. `body` is the raw text; it is a Status for any real server. */
export function apiErrorFromResponse(code: number, body: string, retryAfterHeader?: string): ApiError {
  const status = parseStatus(body);
  const text = status?.message ?? (body.trim().slice(0, 300) || 'no response body');
  return new ApiError(
    code,
    `${code} ${status?.reason || 'Error'}: ${text}`,
    status,
    parseRetryAfter(retryAfterHeader),
  );
}

/** Builds the error for a watch ERROR event, whose object is a Status. */
export function apiErrorFromStatus(status: Status): ApiError {
  const code = status.code ?? 500;
  return new ApiError(
    code,
    `${code} ${status.reason || 'Error'}: ${status.message ?? 'watch error'}`,
    status,
  );
}

function parseStatus(body: string): Status | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (isObject(parsed) && parsed.kind === 'Status') return parsed;
  } catch {
    // Not JSON (a proxy's HTML page, say): the raw text goes into the message instead.
  }
  return undefined;
}

/** Retry-After in seconds; the HTTP-date form is not used by the API server. */
function parseRetryAfter(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

const hasCode = (err: unknown, code: number): err is ApiError => err instanceof ApiError && err.code === code;

export const isNotFound = (err: unknown): boolean => hasCode(err, 404);
export const isAlreadyExists = (err: unknown): boolean => hasCode(err, 409) && err.reason === 'AlreadyExists';
/** A stale resourceVersion or a failed precondition: re-read and try again. */
export const isConflict = (err: unknown): boolean => hasCode(err, 409) && err.reason !== 'AlreadyExists';
/** 410: the resourceVersion is too old (watch or list continuation); relist. */
export const isGone = (err: unknown): boolean => hasCode(err, 410);
export const isInvalid = (err: unknown): boolean => hasCode(err, 422);
export const isForbidden = (err: unknown): boolean => hasCode(err, 403);
export const isTooManyRequests = (err: unknown): boolean => hasCode(err, 429);
