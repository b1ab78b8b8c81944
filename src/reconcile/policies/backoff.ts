// runPolicy.backoffLimit (PastBackoffLimit in the reference's pkg/controller.v1/common/job.go): how many
// retries a job gets before it fails.
import type { V1Pod } from '@kubernetes/client-node';
import { LABELS } from '../../api/kinds.ts';
import { replicaSpecs, runPolicy, totalReplicas } from '../../api/job.ts';
import type { Job, JobStatus } from '../../api/types.ts';

const RETRYING_POLICIES = new Set(['OnFailure', 'Always', 'ExitCode']);

function retryingPods(job: Job, pods: V1Pod[]): V1Pod[] {
  const types = Object.entries(replicaSpecs(job))
    .filter(([, spec]) => RETRYING_POLICIES.has(spec.restartPolicy ?? ''))
    .map(([type]) => type.toLowerCase());
  return pods.filter((pod) => types.includes(pod.metadata?.labels?.[LABELS.replicaType] ?? ''));
}

/** Container restarts the kubelet made in running pods of replicas that are allowed to retry. */
export function restartCount(job: Job, pods: V1Pod[]): number {
  return retryingPods(job, pods)
    .filter((pod) => pod.status?.phase === 'Running')
    .flatMap((pod) => [
      ...(pod.status?.initContainerStatuses ?? []),
      ...(pod.status?.containerStatuses ?? []),
    ])
    .reduce((sum, status) => sum + (status.restartCount ?? 0), 0);
}

/**
 * Past the limit when the restarts reach it (any restart, for a limit of 0), or, for a limit of 0, when
 * a pod failed that the stored status has not counted yet while the job is short of replicas.
 */
export function pastBackoffLimit(job: Job, pods: V1Pod[], stored: JobStatus): boolean {
  const limit = runPolicy(job).backoffLimit;
  if (limit === undefined) return false;
  const restarts = restartCount(job, pods);
  if (limit === 0 ? restarts > 0 : restarts >= limit) return true;
  if (limit > 0) return false;
  const failedPods = pods.filter((pod) => pod.status?.phase === 'Failed').length;
  const countedFailures = Object.values(stored.replicaStatuses ?? {}).reduce(
    (sum, r) => sum + (r.failed ?? 0),
    0,
  );
  const activePods = pods.filter(
    (pod) => !['Succeeded', 'Failed'].includes(pod.status?.phase ?? '') && !pod.metadata?.deletionTimestamp,
  ).length;
  return failedPods > countedFailures && activePods !== totalReplicas(job);
}
