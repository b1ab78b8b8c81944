// How big a job's gang is: the PodGroup's minMember and minResources, whichever scheduler reads them
// (the reference's pkg/controller.v1/common/scheduling.go and common/job.go, release-1.9).
import { replicaSpecs, replicaTypes, runPolicy } from '../api/job.ts';
import type { Job } from '../api/types.ts';
import { addQuantities, formatQuantity, parseQuantity, type Quantity } from './quantity.ts';

/** runPolicy.schedulingPolicy.minAvailable, or every replica of the job. */
export function minMember(job: Job): number {
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

/**
 * schedulingPolicy.minResources when set, else the computed sum; none when nothing requests anything.
 * The sum is computed either way, so an invalid quantity is refused whether or not it is used.
 */
export function podGroupResources(job: Job): Record<string, string | number> | undefined {
  const computed = minResources(job);
  return (
    runPolicy(job).schedulingPolicy?.minResources ?? (Object.keys(computed).length ? computed : undefined)
  );
}
