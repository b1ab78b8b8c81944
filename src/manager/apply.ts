// Carries out a Plan through the API server. Deterministic names make every step safe to repeat: a
// create that finds the object already there succeeded, a delete that finds nothing succeeded, and a
// delete names the exact pod (uid) it means, so a pod recreated meanwhile survives. A create or delete
// the API server refuses does not stop the status from being written: the status says what was refused
// (reconcile/refusals.ts).
import { ApiError, isAlreadyExists, isConflict, isNotFound } from '../kube/errors.ts';
import type { KubeClient } from '../kube/client.ts';
import type { ObjectRef } from '../kube/types.ts';
import type { Job, KubeObject } from '../api/types.ts';
import type { Plan } from '../reconcile/plan.ts';
import { amendPlan, type Refusal } from '../reconcile/refusals.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { EventRecorder } from './events.ts';

const FIELD_MANAGER = 'training-operator';

export interface ApplyDependencies {
  client: KubeClient;
  events: EventRecorder;
  log: Logger;
  /** Told of every create and delete that took effect, before the caches show it. */
  onCreated?(object: KubeObject): void;
  onDeleted?(ref: ObjectRef): void;
}

/** The API server's own words (the Status message), as the reference's events quote them. */
function apiMessage(error: Error): string {
  return (error instanceof ApiError && error.status?.message) || error.message;
}

/**
 * A 4xx answer about the request itself: the API server refused it as it stands (invalid, forbidden by
 * a quota, a LimitRange or RBAC, of a resource that does not exist). Timeouts, throttling, conflicts and
 * server errors are not refusals: they are retried with the work queue's backoff.
 */
function refusalOf(verb: Refusal['verb'], kind: string, name: string, error: unknown): Refusal | undefined {
  if (!(error instanceof ApiError) || error.code < 400 || error.code >= 500) return undefined;
  if ([408, 409, 429].includes(error.code)) return undefined;
  const message = apiMessage(error);
  const named = message.includes(`"${name}"`) ? message : `${kind} "${name}": ${message}`;
  return { verb, kind, name, code: error.code, message: named };
}

/** Events the reference emits per object: `SuccessfulCreatePod`, `FailedDeleteService`, ... */
function objectEvent(
  deps: ApplyDependencies,
  job: Job,
  verb: 'Create' | 'Delete',
  kind: string,
  name: string,
  error?: Error,
) {
  if (kind !== 'Pod' && kind !== 'Service') return;
  const done = verb === 'Create' ? 'Created' : 'Deleted';
  deps.events.record(
    job,
    error
      ? {
          type: 'Warning',
          reason: `Failed${verb}${kind}`,
          message: `Error ${verb === 'Create' ? 'creating' : 'deleting'}: ${apiMessage(error)}`,
        }
      : {
          type: 'Normal',
          reason: `Successful${verb}${kind}`,
          message: `${done} ${kind.toLowerCase()}: ${name}`,
        },
  );
}

/** Creates the object; a refusal is returned, any other failure thrown. */
async function createObject(
  deps: ApplyDependencies,
  job: Job,
  object: KubeObject,
): Promise<Refusal | undefined> {
  const log = deps.log.child({ object: `${object.kind}/${object.metadata.name}` });
  try {
    await deps.client.create(object, { fieldManager: FIELD_MANAGER });
    deps.onCreated?.(object);
    log.info('created');
    objectEvent(deps, job, 'Create', object.kind, object.metadata.name);
  } catch (error) {
    if (isAlreadyExists(error)) {
      deps.onCreated?.(object);
      log.debug('already exists');
      return undefined;
    }
    objectEvent(deps, job, 'Create', object.kind, object.metadata.name, error as Error);
    const refusal = refusalOf('create', object.kind, object.metadata.name, error);
    if (!refusal) throw error;
    log.warn({ code: refusal.code, err: refusal.message }, 'create refused');
    return refusal;
  }
  return undefined;
}

/** Deletes the object; a refusal is returned, any other failure thrown. */
async function deleteObject(deps: ApplyDependencies, job: Job, ref: ObjectRef): Promise<Refusal | undefined> {
  const log = deps.log.child({ object: `${ref.kind}/${ref.name}` });
  try {
    const deleted = await deps.client.delete(ref, { preconditions: ref.uid ? { uid: ref.uid } : undefined });
    deps.onDeleted?.(ref);
    if (!deleted) return undefined;
    log.info('deleted');
    objectEvent(deps, job, 'Delete', ref.kind, ref.name);
  } catch (error) {
    // Conflict: the uid precondition failed, so the object under that name is a newer one to keep.
    if (isNotFound(error) || isConflict(error)) return undefined;
    objectEvent(deps, job, 'Delete', ref.kind, ref.name, error as Error);
    const refusal = refusalOf('delete', ref.kind, ref.name, error);
    if (!refusal) throw error;
    log.warn({ code: refusal.code, err: refusal.message }, 'delete refused');
    return refusal;
  }
  return undefined;
}

/** Waits for every request; throws the first failure that is not a refusal, else returns the refusals in order. */
async function all(tasks: Promise<Refusal | undefined>[]): Promise<Refusal[]> {
  const results = await Promise.allSettled(tasks);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return results.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value] : []));
}

/** Pods come last: their PodGroup, ConfigMap and ServiceAccount must exist when the pods are admitted. */
const createdFirst = (object: KubeObject) => object.kind !== 'Pod' && object.kind !== 'Service';

/**
 * Applies the plan; returns the job as the API server stored it when the status was written. Refused
 * creates and deletes end in the status (the plan's status, events, metrics and requeue are amended
 * with what they change, for the caller to read); each later step waits for the one before it to pass
 * whole. Any other failure is thrown before the status is written, and retried.
 */
export async function applyPlan(
  deps: ApplyDependencies,
  job: Job,
  plan: Plan,
  now = new Date(),
): Promise<Job | undefined> {
  const refusals = await all(plan.delete.map((ref) => deleteObject(deps, job, ref)));
  for (const step of [plan.create.filter(createdFirst), plan.create.filter((o) => !createdFirst(o))]) {
    if (refusals.length > 0) break;
    refusals.push(...(await all(step.map((object) => createObject(deps, job, object)))));
  }
  await all(
    plan.update.map(async (object) => {
      await deps.client.apply(object, { fieldManager: FIELD_MANAGER, force: true });
      deps.log.info({ object: `${object.kind}/${object.metadata.name}` }, 'updated');
      return undefined;
    }),
  );
  amendPlan(job, plan, refusals, now);
  let written: Job | undefined;
  if (plan.status) {
    written = await deps.client.replaceStatus({ ...job, status: plan.status });
    deps.log.info(
      { conditions: plan.status.conditions?.map((c) => `${c.type}=${c.status}`) },
      'status written',
    );
  }
  for (const event of plan.events) deps.events.record(job, event);
  if (plan.deleteJob) {
    const refused = await deleteObject(deps, job, {
      apiVersion: job.apiVersion,
      kind: job.kind,
      namespace: job.metadata.namespace,
      name: job.metadata.name,
      uid: job.metadata.uid,
    });
    if (refused) throw new Error(`deleting the job after its TTL: ${refused.message}`);
    deps.events.record(job, {
      type: 'Normal',
      reason: 'SuccessfulDeleteJob',
      message: `Deleted job: ${job.metadata.name}`,
    });
  }
  return written;
}
