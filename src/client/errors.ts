// The client's errors: the API server's answer turned into a sentence about the job, with the Status
// it sent (reason, field causes) kept for callers that branch on it.
import { ApiError } from '../kube/errors.ts';
import type { JobCondition } from '../../generated/kubeflow.org/v1/index.ts';

/** One field the API server refused, from the Status details of a 422 Invalid. */
export interface FieldCause {
  /** The field path, e.g. `spec.pytorchReplicaSpecs[Worker].replicas`. */
  field?: string;
  /** `FieldValueInvalid`, `FieldValueRequired`, ... */
  reason?: string;
  message: string;
}

/** A request about a job the API server refused; `code` is the HTTP status. */
export class TrainingClientError extends Error {
  override name = 'TrainingClientError';
  constructor(
    message: string,
    readonly code: number,
    readonly reason?: string,
    readonly causes: FieldCause[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** 404: the job does not exist, or the cluster does not serve its kind (no CRD). */
export class NotFoundError extends TrainingClientError {
  override name = 'NotFoundError';
}

/** 409: a job of that name exists already (reason AlreadyExists), or it changed since it was read (Conflict). */
export class ConflictError extends TrainingClientError {
  override name = 'ConflictError';
}

/** 422: the job breaks a rule of the CRD's schema; `causes` names each field. */
export class InvalidError extends TrainingClientError {
  override name = 'InvalidError';
}

/** `waitFor` ran out of time; `job` is the last state seen. */
export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
  constructor(
    message: string,
    readonly job: unknown,
  ) {
    super(message);
  }
}

/** The job failed while `waitFor` waited for another condition; `condition` says why. */
export class JobFailedError extends Error {
  override name = 'JobFailedError';
  constructor(
    message: string,
    readonly job: unknown,
    readonly condition: JobCondition,
  ) {
    super(message);
  }
}

/**
 * The error to throw for `err` raised while doing something to `what` (e.g. `PyTorchJob "mnist" in
 * namespace "team"`). API errors other than 404, 409 and 422 keep the server's own message.
 */
export function explain(err: unknown, what: string): unknown {
  if (!(err instanceof ApiError)) return err;
  const status = err.status;
  const serverSays = status?.message ?? err.message;
  const options = { cause: err };
  switch (err.code) {
    case 404:
      // An unknown resource type has no details.name: the CRD is not installed.
      return status?.details?.name
        ? new NotFoundError(`${what} not found`, 404, err.reason, [], options)
        : new NotFoundError(
            `${what}: the cluster does not serve this kind (${serverSays}); install the CRDs: ` +
              'training-operator crds | kubectl apply --server-side -f -',
            404,
            err.reason,
            [],
            options,
          );
    case 409:
      return new ConflictError(
        err.reason === 'AlreadyExists'
          ? `${what} already exists`
          : `${what} was changed since it was read: get it again and retry (${serverSays})`,
        409,
        err.reason,
        [],
        options,
      );
    case 422: {
      const causes: FieldCause[] = (status?.details?.causes ?? []).map((cause) => ({
        field: cause.field,
        reason: cause.reason,
        message: cause.message ?? '',
      }));
      const lines = causes.map((cause) => `  ${cause.field ? `${cause.field}: ` : ''}${cause.message}`);
      const message = lines.length
        ? `${what} is invalid:\n${lines.join('\n')}`
        : `${what} is invalid: ${serverSays}`;
      return new InvalidError(message, 422, err.reason, causes, options);
    }
    default:
      return new TrainingClientError(`${what}: ${err.message}`, err.code, err.reason, [], options);
  }
}
