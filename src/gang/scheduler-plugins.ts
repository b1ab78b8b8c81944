// kubernetes-sigs/scheduler-plugins' coscheduling: its PodGroup (schedule timeout) and the label that
// ties a pod to it; pods are created at once, the scheduler holds them (the reference's
// pkg/controller.v1/common/scheduling.go and control/podgroup_control.go, release-1.9).
import { runPolicy } from '../api/job.ts';
import { minMember, podGroupResources } from './sizing.ts';
import { type GangScheduler, podGroupCrdOf } from './strategy.ts';

const API_VERSION = 'scheduling.x-k8s.io/v1alpha1';

/** The scheduler-plugins scheduler deployed under `schedulerName`. */
export function schedulerPlugins(schedulerName: string): GangScheduler {
  return {
    podGroupType: { apiVersion: API_VERSION, kind: 'PodGroup' },
    podGroupCrd: podGroupCrdOf(API_VERSION),

    podGroup(job) {
      return {
        apiVersion: API_VERSION,
        kind: 'PodGroup',
        metadata: { name: job.metadata.name, annotations: job.metadata.annotations },
        spec: {
          minMember: minMember(job),
          minResources: podGroupResources(job),
          scheduleTimeoutSeconds: runPolicy(job).schedulingPolicy?.scheduleTimeoutSeconds,
        },
      };
    },

    podDecoration(job) {
      return { schedulerName, labels: { 'scheduling.x-k8s.io/pod-group': job.metadata.name } };
    },

    podsWaitForPodGroup: () => false,

    keepSchedulerChanges: (desired) => desired,
  };
}
