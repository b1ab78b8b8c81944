// Deterministic names and labels of the objects the operator creates (reference, release-1.9:
// GenGeneralName in pkg/controller.v1/common/util.go, GenLabels in common/job_controller.go, createNewPod
// in common/pod.go).
import { KINDS, LABELS } from './kinds.ts';
import type { Job } from './types.ts';

/** `<job>-<type>-<index>`, lower-cased type, every `/` replaced by `-`: the name of a pod and its service. */
export function replicaName(jobName: string, replicaType: string, index: number): string {
  return `${jobName}-${replicaType.toLowerCase()}-${index}`.replaceAll('/', '-');
}

/** The two labels that select everything a job owns. */
export function jobLabels(job: Job): Record<string, string> {
  return {
    [LABELS.operatorName]: KINDS[job.kind].controllerName,
    [LABELS.jobName]: job.metadata.name.replaceAll('/', '-'),
  };
}

/** Job labels plus the replica type (lower case), and the index where there is one. */
export function replicaLabels(job: Job, replicaType: string, index?: number): Record<string, string> {
  const labels = { ...jobLabels(job), [LABELS.replicaType]: replicaType.toLowerCase() };
  return index === undefined ? labels : { ...labels, [LABELS.replicaIndex]: String(index) };
}

/** The label selector string of one replica type, keys sorted: what the scale subresource reads. */
export function replicaSelector(job: Job, replicaType: string): string {
  return Object.entries(replicaLabels(job, replicaType))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

/**
 * `kind/namespace/name` (no namespace for cluster-scoped objects): the one key of an object wherever
 * objects are cached, compared or queued.
 */
export function objectKey(object: {
  kind?: string;
  metadata?: { namespace?: string; name?: string };
}): string {
  return `${object.kind}/${object.metadata?.namespace ?? ''}/${object.metadata?.name}`;
}
