// Carries out a Plan through the API server. Deterministic names make every step safe to repeat: a
// create that finds the object already there succeeded, a delete that finds nothing succeeded, and a
// delete names the exact pod (uid) it means, so a pod recreated meanwhile survives.
import { isAlreadyExists, isConflict, isNotFound } from '../kube/errors.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Job, KubeObject } from '../api/types.ts';
import type { EventRecorder } from '../manager/events.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { ObjectRef, Plan } from './plan.ts';

export const FIELD_MANAGER = 'training-operator';

export interface ApplyDependencies {
  client: KubeClient;
  events: EventRecorder;
  log: Logger;
  /** Told of every create and delete that took effect, before the caches show it. */
  onCreated?(object: KubeObject): void;
  onDeleted?(ref: ObjectRef): void;
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
          message: `Error ${verb === 'Create' ? 'creating' : 'deleting'}: ${error.message}`,
        }
      : {
          type: 'Normal',
          reason: `Successful${verb}${kind}`,
          message: `${done} ${kind.toLowerCase()}: ${name}`,
        },
  );
}

async function createObject(deps: ApplyDependencies, job: Job, object: KubeObject): Promise<void> {
  const log = deps.log.child({ object: `${object.kind}/${object.metadata.name}` });
  try {
    await deps.client.create(object, { fieldManager: FIELD_MANAGER });
    deps.onCreated?.(object);
    log.info('created');
    objectEvent(deps, job, 'Create', object.kind, object.metadata.name);
  } catch (error) {
    if (isAlreadyExists(error)) {
      deps.onCreated?.(object);
      return log.debug('already exists');
    }
    objectEvent(deps, job, 'Create', object.kind, object.metadata.name, error as Error);
    throw error;
  }
}

async function deleteObject(deps: ApplyDependencies, job: Job, ref: ObjectRef): Promise<void> {
  const log = deps.log.child({ object: `${ref.kind}/${ref.name}` });
  try {
    const deleted = await deps.client.delete(ref, { preconditions: ref.uid ? { uid: ref.uid } : undefined });
    deps.onDeleted?.(ref);
    if (!deleted) return;
    log.info('deleted');
    objectEvent(deps, job, 'Delete', ref.kind, ref.name);
  } catch (error) {
    // Conflict: the uid precondition failed, so the object under that name is a newer one to keep.
    if (isNotFound(error) || isConflict(error)) return;
    objectEvent(deps, job, 'Delete', ref.kind, ref.name, error as Error);
    throw error;
  }
}

async function all(tasks: Promise<void>[]): Promise<void> {
  const failures = (await Promise.allSettled(tasks)).filter(
    (r): r is PromiseRejectedResult => r.status === 'rejected',
  );
  if (failures.length > 0) throw failures[0].reason;
}

/** Pods come last: their PodGroup, ConfigMap and ServiceAccount must exist when the pods are admitted. */
const createdFirst = (object: KubeObject) => object.kind !== 'Pod' && object.kind !== 'Service';

/** Applies the plan; returns the job as the API server stored it when the status was written. */
export async function applyPlan(deps: ApplyDependencies, job: Job, plan: Plan): Promise<Job | undefined> {
  await all(plan.delete.map((ref) => deleteObject(deps, job, ref)));
  await all(plan.create.filter(createdFirst).map((object) => createObject(deps, job, object)));
  await all(plan.create.filter((o) => !createdFirst(o)).map((object) => createObject(deps, job, object)));
  await all(
    plan.update.map(async (object) => {
      await deps.client.apply(object, { fieldManager: FIELD_MANAGER, force: true });
      deps.log.info({ object: `${object.kind}/${object.metadata.name}` }, 'updated');
    }),
  );
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
    await deleteObject(deps, job, {
      apiVersion: job.apiVersion,
      kind: job.kind,
      namespace: job.metadata.namespace,
      name: job.metadata.name,
      uid: job.metadata.uid,
    });
    deps.events.record(job, {
      type: 'Normal',
      reason: 'SuccessfulDeleteJob',
      message: `Deleted job: ${job.metadata.name}`,
    });
  }
  return written;
}
