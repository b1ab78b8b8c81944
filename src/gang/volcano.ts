// Volcano: its PodGroup (queue, priority class), the scheduler name and the annotations that tie a pod
// to its group and task, and pods held back until Volcano has admitted the group (the reference's
// pkg/controller.v1/common/scheduling.go and control/podgroup_control.go, release-1.9).
import { runPolicy } from '../api/job.ts';
import type { Job, KubeObject } from '../api/types.ts';
import { type GangScheduler, podGroupApi, podGroupOf } from './strategy.ts';

const API_VERSION = 'scheduling.volcano.sh/v1beta1';

export const volcano: GangScheduler = {
  ...podGroupApi(API_VERSION),

  podGroup(job) {
    const policy = runPolicy(job).schedulingPolicy ?? {};
    return podGroupOf(API_VERSION, job, {
      queue: policy.queue || 'default',
      priorityClassName: policy.priorityClass || undefined,
    });
  },

  podDecoration(job: Job, replicaType: string) {
    return {
      schedulerName: 'volcano',
      annotations: {
        'scheduling.k8s.io/group-name': job.metadata.name,
        'volcano.sh/task-spec': replicaType.toLowerCase(),
      },
    };
  },

  /** Volcano admits pods only once their PodGroup is out of Pending. */
  podsWaitForPodGroup(live) {
    const phase = (live?.status as { phase?: string } | undefined)?.phase;
    return !live || !phase || phase === 'Pending';
  },

  /** Volcano may move a PodGroup to another queue; that choice is kept. */
  keepSchedulerChanges(desired: KubeObject, live: KubeObject) {
    const queue = (live.spec as { queue?: string } | undefined)?.queue;
    return queue ? { ...desired, spec: { ...(desired.spec as object), queue } } : desired;
  },
};
