// Gang scheduling as one strategy: what a gang scheduler needs from the operator (a PodGroup per job,
// pods pointed at it) and what the operator needs to know about it (its PodGroup API, whether pods wait
// for the group, which PodGroup fields the scheduler owns). Render, reconcile, the manager, the start-up
// check and the install RBAC ask the strategy; none of them names a scheduler.
import type { Job, KubeObject } from '../api/types.ts';
import { minMember, podGroupResources } from './sizing.ts';

/** What a pod of the job gets: the scheduler (unless its template chose one) and its link to the PodGroup. */
export interface PodDecoration {
  schedulerName: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface GangScheduler {
  /** The API of the PodGroups this scheduler reads: the type the operator creates and watches. */
  readonly podGroupType: { apiVersion: string; kind: 'PodGroup' };
  /** The CustomResourceDefinition that must be served for the PodGroups to be created. */
  readonly podGroupCrd: string;
  /** The job's desired PodGroup, named after the job. */
  podGroup(job: Job): KubeObject;
  /** How a pod of one replica type joins the job's gang. */
  podDecoration(job: Job, replicaType: string): PodDecoration;
  /** Whether the job's pods must not be created yet, given the PodGroup in the cluster (if any). */
  podsWaitForPodGroup(live: KubeObject | undefined): boolean;
  /** The desired PodGroup, keeping what the scheduler may have changed in the live one. */
  keepSchedulerChanges(desired: KubeObject, live: KubeObject): KubeObject;
}

/** A scheduler's PodGroup API: the type, and its CRD `podgroups.<group>` of apiVersion `<group>/<version>`. */
export function podGroupApi(apiVersion: string): Pick<GangScheduler, 'podGroupType' | 'podGroupCrd'> {
  return {
    podGroupType: { apiVersion, kind: 'PodGroup' },
    podGroupCrd: `podgroups.${apiVersion.split('/')[0]}`,
  };
}

/**
 * The job's PodGroup as every scheduler has it: named after the job, with its annotations, sized by
 * minMember and minResources (sizing.ts); `spec` adds the scheduler's own fields.
 */
export function podGroupOf(apiVersion: string, job: Job, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion,
    kind: 'PodGroup',
    metadata: { name: job.metadata.name, annotations: job.metadata.annotations },
    spec: { minMember: minMember(job), minResources: podGroupResources(job), ...spec },
  };
}
