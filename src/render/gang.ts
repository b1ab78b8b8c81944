// Gang scheduling: the PodGroup of a job and the decoration of its pods, for Volcano and
// scheduler-plugins (the reference's pkg/controller.v1/common/scheduling.go, common/job.go and
// control/podgroup_control.go, release-1.9).
import type { V1Pod } from '@kubernetes/client-node';
import { replicaSpecs, replicaTypes, runPolicy } from '../api/job.ts';
import type { Job, KubeObject } from '../api/types.ts';
import { addQuantities, formatQuantity, parseQuantity, type Quantity } from './quantity.ts';

export type GangScheduler = { kind: 'volcano' } | { kind: 'scheduler-plugins'; schedulerName: string };

/** `--gang-scheduler-name`: `volcano` in any case is Volcano; any other name is a scheduler-plugins scheduler. */
export function gangScheduler(name: string | undefined): GangScheduler | undefined {
  if (!name) return undefined;
  return name.toLowerCase() === 'volcano'
    ? { kind: 'volcano' }
    : { kind: 'scheduler-plugins', schedulerName: name };
}

export const PODGROUP_API = {
  volcano: 'scheduling.volcano.sh/v1beta1',
  'scheduler-plugins': 'scheduling.x-k8s.io/v1alpha1',
} as const;

function minMember(job: Job): number {
  const total = Object.values(replicaSpecs(job)).reduce((sum, spec) => sum + (spec.replicas ?? 1), 0);
  return runPolicy(job).schedulingPolicy?.minAvailable ?? total;
}

/**
 * The resources the first `minMember` pods request (limits where a container has no requests), taking
 * replica types in the job's stable order. The reference sorts by PriorityClass value, but its lookups
 * always fail, so every type ranks equal there too.
 */
export function minResources(job: Job): Record<string, string> {
  const sums: Record<string, Quantity[]> = {};
  let remaining = minMember(job);
  for (const type of replicaTypes(job)) {
    const spec = replicaSpecs(job)[type];
    for (let index = 0; index < (spec.replicas ?? 1) && remaining > 0; index++, remaining--) {
      for (const container of spec.template?.spec?.containers ?? []) {
        const resources = container.resources?.requests ?? container.resources?.limits ?? {};
        for (const [name, value] of Object.entries(resources)) (sums[name] ??= []).push(parseQuantity(value));
      }
    }
  }
  return Object.fromEntries(
    Object.entries(sums)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, values]) => [name, formatQuantity(addQuantities(values))]),
  );
}

export function podGroup(job: Job, scheduler: GangScheduler): KubeObject {
  const policy = runPolicy(job).schedulingPolicy ?? {};
  const computed = minResources(job);
  const resources = policy.minResources ?? (Object.keys(computed).length ? computed : undefined);
  const metadata = { name: job.metadata.name, annotations: job.metadata.annotations };
  const spec =
    scheduler.kind === 'volcano'
      ? {
          minMember: minMember(job),
          queue: policy.queue || 'default',
          priorityClassName: policy.priorityClass || undefined,
          minResources: resources,
        }
      : {
          minMember: minMember(job),
          minResources: resources,
          scheduleTimeoutSeconds: policy.scheduleTimeoutSeconds,
        };
  return { apiVersion: PODGROUP_API[scheduler.kind], kind: 'PodGroup', metadata, spec };
}

/** Points a pod at the gang scheduler (unless its template chose a scheduler) and at its PodGroup. */
export function decorateForGang(pod: V1Pod, job: Job, replicaType: string, scheduler: GangScheduler): void {
  const spec = pod.spec!;
  const metadata = pod.metadata!;
  if (scheduler.kind === 'volcano') {
    spec.schedulerName ||= 'volcano';
    metadata.annotations = {
      ...metadata.annotations,
      'scheduling.k8s.io/group-name': job.metadata.name,
      'volcano.sh/task-spec': replicaType.toLowerCase(),
    };
  } else {
    spec.schedulerName ||= scheduler.schedulerName;
    metadata.labels = { ...metadata.labels, 'scheduling.x-k8s.io/pod-group': job.metadata.name };
  }
}
