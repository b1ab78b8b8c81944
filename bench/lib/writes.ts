// Sorting the API writes of a run by who made them and why: the objects a job needs, its status, Events
// (best effort, reported apart), and the control plane's own background writes (the kube-apiserver
// renews its identity Lease every 10 s), which no client of ours made.
import { sum, type RequestTotals } from './apiserver-metrics.ts';

/** Resources the operator writes; a write to anything else is the control plane's own. */
const OPERATOR_RESOURCES = new Set([
  'pods',
  'services',
  'events',
  'pytorchjobs',
  'tfjobs',
  'mpijobs',
  'xgboostjobs',
  'paddlejobs',
  'jaxjobs',
  'configmaps',
  'serviceaccounts',
  'roles',
  'rolebindings',
  'horizontalpodautoscalers',
  'podgroups',
]);

export interface WriteBreakdown {
  /** Creates of pods and services. */
  objects: number;
  /** Writes of the jobs' status subresource. */
  status: number;
  events: number;
  /** Any other write by the operator (updates of pods, deletes, ...): none is expected here. */
  other: number;
  /** Writes of the control plane itself. */
  background: number;
  /** Every write, keyed `VERB resource`. */
  all: RequestTotals;
}

const resourceOf = (key: string) => key.split(' ')[1].split('/')[0];
const isObjectCreate = (key: string) => key === 'POST pods' || key === 'POST services';
const isStatus = (key: string) => key.endsWith('jobs/status');
const isEvent = (key: string) => resourceOf(key) === 'events';
const isBackground = (key: string) => !OPERATOR_RESOURCES.has(resourceOf(key));

export function breakDown(writes: RequestTotals): WriteBreakdown {
  return {
    objects: sum(writes, isObjectCreate),
    status: sum(writes, isStatus),
    events: sum(writes, isEvent),
    other: sum(
      writes,
      (key) => !isObjectCreate(key) && !isStatus(key) && !isEvent(key) && !isBackground(key),
    ),
    background: sum(writes, isBackground),
    all: writes,
  };
}

/** Writes the operator made, Events included. */
export const operatorWrites = (b: WriteBreakdown) => b.objects + b.status + b.events + b.other;

/** `POST pods 3000, PUT pytorchjobs/status 1000`, largest first (reads too). */
export function describeWrites(writes: RequestTotals, keep: (key: string) => boolean = () => true): string {
  const shown = [...writes].filter(([key]) => keep(key)).sort(([, a], [, b]) => b - a);
  return shown.length ? shown.map(([key, n]) => `${key} ${n}`).join(', ') : 'none';
}

export const backgroundOnly = isBackground;
