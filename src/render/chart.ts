// A job's construct tree, which is its topology:
//   JobChart (namespace, job labels, owner reference on every object)
//   ├─ GangScheduling: the PodGroup, and the pods' decoration (when a gang scheduler is set)
//   ├─ what the framework adds (Framework.addConstructs: MPI's config and launcher access, PyTorch's HPA)
//   └─ Replicas per replica type: its pods and their headless services
// Objects synthesize in this order (manifest.ts), which is also the order `chart.toJson()` gives.
import type { V1OwnerReference } from '@kubernetes/client-node';
import { ApiObject, type App, Chart } from 'cdk8s';
import { replicaTypes } from '../api/job.ts';
import { jobLabels } from '../api/names.ts';
import type { Job } from '../api/types.ts';
import type { Framework, Observed, RenderOptions } from '../frameworks/framework.ts';
import { gangSchedulerFor } from '../gang/scheduler.ts';
import { GangScheduling } from './gang.ts';
import { Replicas } from './replicas.ts';

/** The controller owner reference every object of a job carries, so deleting the job deletes them. */
export function ownerReference(job: Job): V1OwnerReference {
  return {
    apiVersion: job.apiVersion,
    kind: job.kind,
    name: job.metadata.name,
    uid: job.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export class JobChart extends Chart {
  constructor(app: App, job: Job, framework: Framework, options: RenderOptions, observed: Observed) {
    // Every object carries the job labels, so the operator can watch exactly its own objects.
    super(app, job.metadata.name, {
      namespace: job.metadata.namespace,
      labels: jobLabels(job),
      disableResourceNameHashes: true,
    });
    const scheduler = gangSchedulerFor(options.gangSchedulerName);
    const gang = scheduler && new GangScheduling(this, scheduler, job);
    framework.addConstructs?.(this, job, options, observed);
    for (const type of replicaTypes(job)) new Replicas(this, job, type, framework, options);
    if (gang) this.with(gang);
    // Offline (no uid yet), objects carry no owner reference.
    if (job.metadata.uid) {
      const owner = ownerReference(job);
      for (const construct of this.node.findAll()) {
        if (construct instanceof ApiObject) construct.metadata.addOwnerReference(owner);
      }
    }
  }
}
