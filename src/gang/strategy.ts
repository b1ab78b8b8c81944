// Gang scheduling as one strategy: what a gang scheduler needs from the operator (a PodGroup per job,
// pods pointed at it) and what the operator needs to know about it (its PodGroup API, whether pods wait
// for the group, which PodGroup fields the scheduler owns). Render, reconcile, the manager, the start-up
// check and the install RBAC ask the strategy; none of them names a scheduler.
import type { Job, KubeObject } from '../api/types.ts';

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

/** `podgroups.<group>` of a PodGroup apiVersion `<group>/<version>`. */
export function podGroupCrdOf(apiVersion: string): string {
  return `podgroups.${apiVersion.split('/')[0]}`;
}
