// Which pods go when a job stops (DeletePodsAndServices in the reference's
// pkg/controller.v1/common/job.go, release-1.9).
import type { V1Pod } from '@kubernetes/client-node';

/**
 * After a job finished, cleanPodPolicy decides: All, Running (running or still pending), or None.
 * A job that stops without finishing (suspended, past its deadline or backoff limit) loses every pod.
 */
export function podsToCleanUp(pods: V1Pod[], policy: string | undefined, finished: boolean): V1Pod[] {
  if (!finished || policy === 'All') return pods;
  if (policy === 'Running')
    return pods.filter((pod) => ['Running', 'Pending'].includes(pod.status?.phase ?? ''));
  return [];
}
