// What happens to a failed pod, by its replica's restartPolicy (ReconcilePods in the reference's
// pkg/controller.v1/common/pod.go, release-1.9).
import type { V1Pod } from '@kubernetes/client-node';
import { KINDS } from '../../api/kinds.ts';
import type { Job, ReplicaSpec } from '../../api/types.ts';

/** Exit code used when a failed pod has no terminated state to read, as the reference does: retryable. */
export const UNKNOWN_EXIT_CODE = 0xbeef;

export type FailedPodAction = 'restart' | 'fail-job' | 'none';

/** Exit code of the kind's default container, else of the pod's first container. */
export function exitCode(job: Job, pod: V1Pod): number {
  const statuses = pod.status?.containerStatuses ?? [];
  const name = KINDS[job.kind].defaultContainer;
  const status =
    statuses.find((s) => s.name === name) ?? statuses.find((s) => s.name === pod.spec?.containers[0]?.name);
  return status?.state?.terminated?.exitCode ?? UNKNOWN_EXIT_CODE;
}

/** ExitCode policy: 1–127 are the program's own verdict (permanent); 128+ are signals (retryable). */
export function isRetryableExitCode(code: number): boolean {
  return code >= 128;
}

export function failedPodAction(job: Job, spec: ReplicaSpec, pod: V1Pod): FailedPodAction {
  if (pod.status?.phase !== 'Failed') return 'none';
  switch (spec.restartPolicy) {
    case 'Always':
    case 'OnFailure':
      return 'restart';
    case 'ExitCode':
      return isRetryableExitCode(exitCode(job, pod)) ? 'restart' : 'fail-job';
    default:
      return 'none';
  }
}
