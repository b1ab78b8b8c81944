// Gang scheduling across a job's tree: the job's PodGroup, first in the chart because pods are admitted
// only into an existing group, and, once the replicas exist, every pod pointed at the group. Which
// scheduler, and what it wants, is the strategy's (src/gang/).
import { Construct, type IConstruct, type IMixin } from 'constructs';
import type { Job } from '../api/types.ts';
import type { GangScheduler } from '../gang/scheduler.ts';
import { ManifestObject } from './manifest.ts';
import { Replicas } from './replicas.ts';

export class GangScheduling extends Construct implements IMixin {
  constructor(
    scope: Construct,
    private readonly scheduler: GangScheduler,
    private readonly job: Job,
  ) {
    super(scope, 'GangScheduling');
    new ManifestObject(this, 'PodGroup', scheduler.podGroup(job));
  }

  supports(construct: IConstruct): boolean {
    return construct instanceof Replicas;
  }

  /** The scheduler, unless the pod template chose one, and the pod's link to the PodGroup. */
  applyTo(replicas: Replicas): void {
    const decoration = this.scheduler.podDecoration(this.job, replicas.replicaType);
    for (const pod of replicas.pods) {
      pod.manifest.spec.schedulerName ||= decoration.schedulerName;
      for (const [key, value] of Object.entries(decoration.labels ?? {})) pod.metadata.addLabel(key, value);
      for (const [key, value] of Object.entries(decoration.annotations ?? {}))
        pod.metadata.addAnnotation(key, value);
    }
  }
}
