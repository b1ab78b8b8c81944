// What one reconcile decides, as data: the reconciler computes a Plan purely, apply.ts carries it out.
import type { V1Pod } from '@kubernetes/client-node';
import type { JobStatus, KubeObject } from '../api/types.ts';
import type { RenderOptions } from '../frameworks/framework.ts';
import type { JobEvent, JobMetric } from '../status/context.ts';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  /** Delete only this incarnation: a pod recreated under the same name meanwhile is left alone. */
  uid?: string;
}

export interface Plan {
  create: KubeObject[];
  /** Desired state of mutable objects that differ from what is observed (server-side apply). */
  update: KubeObject[];
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
}

export function emptyPlan(): Plan {
  return { create: [], update: [], delete: [], events: [], metrics: [], deleteJob: false };
}

export function refOf(object: KubeObject | V1Pod): ObjectRef {
  return {
    apiVersion: object.apiVersion ?? 'v1',
    kind: object.kind ?? 'Pod',
    namespace: object.metadata?.namespace,
    name: object.metadata!.name!,
    uid: object.metadata?.uid,
  };
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
