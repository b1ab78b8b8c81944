// kubernetes-sigs/scheduler-plugins' coscheduling: its PodGroup (schedule timeout) and the label that
// ties a pod to it; pods are created at once, the scheduler holds them (the reference's
// pkg/controller.v1/common/scheduling.go and control/podgroup_control.go, release-1.9).
import { runPolicy } from '../api/job.ts';
import { type GangScheduler, podGroupApi, podGroupOf } from './strategy.ts';

const API_VERSION = 'scheduling.x-k8s.io/v1alpha1';

/** The scheduler-plugins scheduler deployed under `schedulerName`. */
export function schedulerPlugins(schedulerName: string): GangScheduler {
  return {
    ...podGroupApi(API_VERSION),

    podGroup(job) {
      return podGroupOf(API_VERSION, job, {
        scheduleTimeoutSeconds: runPolicy(job).schedulingPolicy?.scheduleTimeoutSeconds,
      });
    },

    podDecoration(job) {
      return { schedulerName, labels: { 'scheduling.x-k8s.io/pod-group': job.metadata.name } };
    },

    podsWaitForPodGroup: () => false,

    keepSchedulerChanges: (desired) => desired,
  };
}
