// What one reconcile decides, as data: the reconciler computes a Plan purely, apply.ts carries it out.
import type { JobStatus, KubeObject } from '../api/types.ts';
import type { RenderOptions } from '../frameworks/framework.ts';
import type { ObjectRef } from '../kube/types.ts';
import type { JobEvent, JobMetric } from '../status/context.ts';

export interface Plan {
  create: KubeObject[];
  /** Desired state of mutable objects that differ from what is observed (server-side apply). */
  update: KubeObject[];
  /** Each names the incarnation it means (uid): a pod recreated under the same name meanwhile stays. */
  delete: ObjectRef[];
  /** The new status, only when it differs from the stored one. */
  status?: JobStatus;
  events: JobEvent[];
  metrics: JobMetric[];
  /** ttlSecondsAfterFinished has passed: delete the job itself. */
  deleteJob: boolean;
  /** Reconcile again after this long even if nothing happens (deadline, TTL). */
  requeueAfterMs?: number;
}

export interface ReconcileContext {
  options: RenderOptions;
  now: Date;
  /**
   * uids of owned objects whose delete the operator has sent while its caches still show them: they are
   * not deleted again.
   */
  deleting?: ReadonlySet<string>;
}

export function emptyPlan(): Plan {
  return { create: [], update: [], delete: [], events: [], metrics: [], deleteJob: false };
}

/** Kubernetes timestamps have second precision: `2026-01-02T03:04:05Z`. */
export function timestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

export function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
