// One reconcile of one job (ReconcileJobs in the reference's pkg/controller.v1/common/job.go,
// release-1.9), as a pure function:
// (stored job, objects it owns, options, now) → Plan. It reads top to bottom like the reference loop:
// finished → suspended → resumed → failed by backoff or deadline → normal (pods, services, status).
import type { V1Pod } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import { KIND_NAMES, KINDS, LABELS, type KindName } from '../api/kinds.ts';
import { isManagedElsewhere, isSuspended, replicaSpecs, replicaTypes, runPolicy } from '../api/job.ts';
import { objectKey, replicaSelector } from '../api/names.ts';
import type { Job, JobStatus, KubeObject, ReplicaStatus } from '../api/types.ts';
import { frameworkFor, withDefaults } from '../frameworks/registry.ts';
import { gangSchedulerFor } from '../gang/scheduler.ts';
import { type KubeObjectLike, type ObjectRef, refOf } from '../kube/types.ts';
import { renderMemo } from '../render/memo.ts';
import {
  findCondition,
  hasCondition,
  isFailed,
  isFinished,
  isSucceeded,
  reasonFor,
  setCondition,
} from '../status/conditions.ts';
import { markFailed, markRestarting, type StatusContext } from '../status/context.ts';
import { diffObjects } from './diff.ts';
import { earliest, emptyPlan, type Plan, type ReconcileContext, timestamp } from './plan.ts';
import { pastBackoffLimit } from './policies/backoff.ts';
import { podsToCleanUp } from './policies/clean-pods.ts';
import { pastActiveDeadline, untilDeadline } from './policies/deadline.ts';
import { exitCode, failedPodAction, UNKNOWN_EXIT_CODE } from './policies/restart.ts';
import { ttlOutcome } from './policies/ttl.ts';

/** Everything a reconcile needs, gathered once. */
interface Step {
  job: Job;
  stored: JobStatus;
  status: JobStatus;
  owned: KubeObject[];
  pods: V1Pod[];
  plan: Plan;
  context: ReconcileContext;
  now: string;
  /** Kinds whose live objects are patched back to the desired state (patchedKinds). */
  patched: ReadonlySet<string>;
}

/** The kinds each job kind's reconciles patch: its framework's, and the gang scheduler's PodGroup. */
const PATCHED_KINDS = new Map(
  KIND_NAMES.map((kind) => {
    const owned = frameworkFor(kind).owns ?? [];
    return [kind, new Set([...owned.filter((o) => o.patched).map((o) => o.kind), 'PodGroup'])];
  }),
);

export function patchedKinds(kind: KindName): ReadonlySet<string> {
  return PATCHED_KINDS.get(kind)!;
}

/** What suspending a job of this kind deletes besides its pods, services and PodGroup. */
function deletedOnSuspend(kind: KindName): string[] {
  return (frameworkFor(kind).owns ?? []).filter((o) => o.deletedOnSuspend).map((o) => o.kind);
}

/** Jobs another controller manages, and jobs being deleted: nothing of theirs is touched, status included. */
export function isLeftAlone(job: Job): boolean {
  return isManagedElsewhere(job) || !!job.metadata.deletionTimestamp;
}

export function reconcile(storedJob: Job, owned: KubeObject[], context: ReconcileContext): Plan {
  const plan = emptyPlan();
  if (isLeftAlone(storedJob)) return plan;
  const job = withDefaults(storedJob);
  const stored = storedJob.status ?? {};
  const step: Step = {
    job,
    stored,
    status: structuredClone(stored),
    owned,
    pods: owned.filter((object) => object.kind === 'Pod'),
    plan,
    context,
    now: timestamp(context.now),
    patched: patchedKinds(job.kind),
  };
  markCreated(step);
  if (isFinished(step.status)) finishedJob(step);
  else if (isSuspended(job)) suspendedJob(step);
  else {
    if (hasCondition(step.status, 'Suspended')) resumedJob(step);
    if (pastBackoffLimit(job, step.pods, stored))
      failJob(step, `Job ${job.metadata.name} has failed because it has reached the specified backoff limit`);
    else if (pastActiveDeadline(job, step.status, context.now))
      failJob(
        step,
        `Job ${job.metadata.name} has failed because it was active longer than specified deadline`,
      );
    else runningJob(step);
  }
  plan.delete = uniqueBy(plan.delete, (ref) =>
    objectKey({ kind: ref.kind, metadata: { namespace: ref.namespace, name: ref.name } }),
  ).filter((ref) => !(ref.uid && context.deleting?.has(ref.uid)));
  if (!isDeepStrictEqual(step.status, stored)) plan.status = step.status;
  return plan;
}

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()];
}

function statusContext(step: Step, counts: StatusContext['counts'] = {}): StatusContext {
  return {
    job: step.job,
    status: step.status,
    counts,
    pods: step.pods,
    now: step.now,
    events: step.plan.events,
    metrics: step.plan.metrics,
  };
}

/** The reference adds Created in memory on the create event; here the first reconcile persists it. */
function markCreated({ job, status, plan, now }: Step): void {
  if (findCondition(status, 'Created')) return;
  const message = `${job.kind} ${job.metadata.name} is created.`;
  setCondition(status, 'Created', 'True', reasonFor(job.kind, 'Created'), message, now);
  plan.metrics.push('created');
}

/** A delete of this incarnation of the object only. */
function deleteRef(object: KubeObjectLike): ObjectRef {
  return { ...refOf(object), uid: object.metadata?.uid };
}

function deleteObjects(step: Step, objects: KubeObject[]): void {
  for (const object of objects) {
    if (!object.metadata.deletionTimestamp) step.plan.delete.push(deleteRef(object));
  }
}

/** Pods go, with the services named after them; a service whose pod is gone already stays (as in the reference). */
function deletePodsAndServices(step: Step, pods: V1Pod[]): void {
  const names = new Set(pods.map((pod) => pod.metadata!.name));
  const services = step.owned.filter(
    (object) => object.kind === 'Service' && names.has(object.metadata.name),
  );
  deleteObjects(step, [...(pods as KubeObject[]), ...services]);
}

function deleteOwned(step: Step, kinds: string[]): void {
  deleteObjects(
    step,
    step.owned.filter((object) => kinds.includes(object.kind)),
  );
}

function applyTtl(step: Step): void {
  const ttl = ttlOutcome(step.job, step.status, step.context.now);
  if (ttl.expired) {
    step.plan.deleteJob = true;
    step.plan.metrics.push('deleted');
  } else step.plan.requeueAfterMs = earliest(step.plan.requeueAfterMs, ttl.afterMs);
}

function finishedJob(step: Step): void {
  if (neverRanWhole(step.status)) {
    // Like a job past its deadline, whatever cleanPodPolicy says: no pod waits for replicas that never come.
    deleteOwned(step, ['Pod', 'Service', 'PodGroup']);
  } else {
    deletePodsAndServices(step, podsToCleanUp(step.pods, runPolicy(step.job).cleanPodPolicy, true));
    deleteOwned(step, ['PodGroup']);
  }
  applyTtl(step);
  if (isSucceeded(step.status)) {
    for (const replica of Object.values(step.status.replicaStatuses ?? {})) {
      replica.succeeded = (replica.succeeded ?? 0) + (replica.active ?? 0) || undefined;
      delete replica.active;
    }
  }
}

/** Failed while some of its objects could not be created (refusals.ts). */
function neverRanWhole(status: JobStatus): boolean {
  return isFailed(status) && findCondition(status, 'ReplicaFailure')?.reason === 'FailedCreate';
}

function suspendedJob(step: Step): void {
  const { job, status, now } = step;
  deletePodsAndServices(step, step.pods);
  deleteOwned(step, ['PodGroup', ...deletedOnSuspend(job.kind)]);
  for (const replica of Object.values(status.replicaStatuses ?? {})) delete replica.active;
  const reason = reasonFor(job.kind, 'Suspended');
  const message = `${job.kind} ${job.metadata.name} is suspended.`;
  if (hasCondition(status, 'Running')) setCondition(status, 'Running', 'False', reason, message, now);
  if (setCondition(status, 'Suspended', 'True', reason, message, now)) {
    step.plan.events.push({ type: 'Normal', reason, message });
  }
}

function resumedJob(step: Step): void {
  const { job, status, now } = step;
  const reason = reasonFor(job.kind, 'Resumed');
  const message = `${job.kind} ${job.metadata.name} is resumed.`;
  setCondition(status, 'Suspended', 'False', reason, message, now);
  status.startTime = now;
  step.plan.events.push({ type: 'Normal', reason, message });
}

/** Backoff limit or deadline: every pod goes whatever cleanPodPolicy says, and the job fails. */
function failJob(step: Step, message: string): void {
  step.status.completionTime ??= step.now;
  deletePodsAndServices(step, step.pods);
  deleteOwned(step, ['PodGroup']);
  markFailed(statusContext(step), message);
  applyTtl(step);
}

/** Pods wait while the gang scheduler wants them to (Volcano: until it admits the PodGroup). */
function waitingForPodGroup(step: Step, desired: KubeObject[]): boolean {
  const group = step.owned.find((object) => object.kind === 'PodGroup');
  if (!gangSchedulerFor(step.context.options.gangSchedulerName)?.podsWaitForPodGroup(group)) return false;
  const diff = diffObjects(
    desired.filter((object) => object.kind === 'PodGroup'),
    group ? [group] : [],
    step.patched,
  );
  step.plan.create.push(...diff.create);
  step.plan.update.push(...diff.update);
  return true;
}

/** What the gang scheduler changed in the live PodGroup (Volcano: its queue) is kept. */
function keepSchedulerChanges(step: Step, desired: KubeObject[]): KubeObject[] {
  const scheduler = gangSchedulerFor(step.context.options.gangSchedulerName);
  if (!scheduler) return desired;
  return desired.map((object) => {
    const live = object.kind === 'PodGroup' && step.owned.find((o) => objectKey(o) === objectKey(object));
    return live ? scheduler.keepSchedulerChanges(object, live) : object;
  });
}

/** Failed pods restart under the same name, or fail the job for a permanent ExitCode (common/pod.go). */
function handleFailedPods(step: Step, context: StatusContext): void {
  const { job } = step;
  for (const type of replicaTypes(job)) {
    const spec = replicaSpecs(job)[type];
    for (const pod of podsOf(step.pods, type)) {
      reportExitCode(step, pod);
      const action = failedPodAction(job, spec, pod);
      if (action === 'restart') {
        step.plan.delete.push(deleteRef(pod));
        markRestarting(context, `job ${job.metadata.name} is restarting because ${type} replica(s) failed.`);
      } else if (action === 'fail-job') {
        markFailed(
          context,
          `job "${job.metadata.name}" is failing because "${type}" replica(s) failed.`,
          'Warning',
        );
      }
    }
  }
}

/** `ExitedWithCode` for a pod whose main container has terminated (the recorder writes it once). */
function reportExitCode(step: Step, pod: V1Pod): void {
  const phase = pod.status?.phase;
  if (phase !== 'Succeeded' && phase !== 'Failed') return;
  const code = exitCode(step.job, pod);
  if (code === UNKNOWN_EXIT_CODE) return;
  const message = `Pod: ${pod.metadata?.namespace}.${pod.metadata?.name} exited with code ${code}`;
  step.plan.events.push({ type: 'Normal', reason: 'ExitedWithCode', message });
}

/** The replica's restartPolicy decides; a pod template that sets its own is told so when its pods are made. */
function warnTemplateRestartPolicy(step: Step, created: KubeObject[]): void {
  const types = new Set(
    created.filter((o) => o.kind === 'Pod').map((o) => o.metadata.labels?.[LABELS.replicaType]),
  );
  for (const [type, spec] of Object.entries(replicaSpecs(step.job))) {
    if (!types.has(type.toLowerCase()) || !spec.template?.spec?.restartPolicy) continue;
    step.plan.events.push({
      type: 'Warning',
      reason: 'SetPodTemplateRestartPolicy',
      message: 'Restart policy in pod template will be overwritten by restart policy in replica spec',
    });
  }
}

function podsOf(pods: V1Pod[], replicaType: string): V1Pod[] {
  return pods.filter((pod) => pod.metadata?.labels?.[LABELS.replicaType] === replicaType.toLowerCase());
}

/** Running, with a deletion under way, counts as failed: the pod will not finish its work (common/pod.go). */
export function countPods(pods: V1Pod[]): Required<Pick<ReplicaStatus, 'active' | 'succeeded' | 'failed'>> {
  const counts = { active: 0, succeeded: 0, failed: 0 };
  for (const pod of pods) {
    const phase = pod.status?.phase;
    if (phase === 'Running') counts[pod.metadata?.deletionTimestamp ? 'failed' : 'active']++;
    else if (phase === 'Succeeded') counts.succeeded++;
    else if (phase === 'Failed') counts.failed++;
  }
  return counts;
}

/** Zero counts are left out, as the reference's JSON omits them. */
function replicaStatus(job: Job, type: string, counts: ReturnType<typeof countPods>): ReplicaStatus {
  const status: ReplicaStatus = {};
  for (const key of ['active', 'succeeded', 'failed'] as const) if (counts[key]) status[key] = counts[key];
  if (KINDS[job.kind].scalesWorkers) status.selector = replicaSelector(job, type);
  return status;
}

function runningJob(step: Step): void {
  const { job, context } = step;
  const observedPods = { pods: step.pods };
  const desired = keepSchedulerChanges(step, renderMemo.render(job, context.options, observedPods));
  if (waitingForPodGroup(step, desired)) return;

  const counts = Object.fromEntries(
    replicaTypes(job).map((type) => [type, countPods(podsOf(step.pods, type))]),
  );
  const statusCtx = statusContext(step, counts);
  handleFailedPods(step, statusCtx);

  const diff = diffObjects(desired, step.owned, step.patched);
  warnTemplateRestartPolicy(step, diff.create);
  step.plan.create.push(...diff.create);
  step.plan.update.push(...diff.update);
  deleteObjects(step, diff.remove);

  step.status.replicaStatuses = Object.fromEntries(
    replicaTypes(job).map((type) => [type, replicaStatus(job, type, counts[type])]),
  );
  step.status.startTime ??= step.now;
  frameworkFor(job.kind).updateStatus(statusCtx);
  if (isFinished(step.status)) {
    // Finished in this pass: only the status is written; the next pass cleans up per cleanPodPolicy.
    Object.assign(step.plan, { create: [], update: [], delete: [] });
  } else {
    step.plan.requeueAfterMs = earliest(
      step.plan.requeueAfterMs,
      untilDeadline(job, step.status, context.now),
    );
  }
}
