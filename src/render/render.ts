// render(job) → the objects the operator wants for it, built as cdk8s constructs and synthesized in
// process. Pure: no I/O, no clock; the same job always gives byte-identical output in a stable order.
import type { V1OwnerReference } from '@kubernetes/client-node';
import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { jobLabels } from '../api/names.ts';
import { isManagedElsewhere, isSuspended, replicaSpecs, replicaTypes } from '../api/job.ts';
import type { Job, KubeObject } from '../api/types.ts';
import type { Framework, Observed, RenderOptions } from '../frameworks/framework.ts';
import { frameworkFor } from '../frameworks/registry.ts';
import { gangScheduler, podGroup } from './gang.ts';
import { desiredPod, desiredService } from './pods.ts';

const NOTHING_OBSERVED: Observed = { pods: [] };

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

/** Every object of the job as one construct; offline (no uid yet) objects carry no owner reference. */
class JobObjects extends Construct {
  constructor(scope: Construct, job: Job, framework: Framework, options: RenderOptions, observed: Observed) {
    super(scope, job.metadata.name);
    const owners = job.metadata.uid ? [ownerReference(job)] : undefined;
    const ownership = jobLabels(job);
    // Every object carries the job labels, so the operator can watch exactly its own objects.
    const add = (object: object) => {
      const typed = object as KubeObject;
      const id = `${typed.kind}-${typed.metadata.name}`;
      const labels = { ...typed.metadata.labels, ...ownership };
      new ApiObject(this, id, { ...typed, metadata: { ...typed.metadata, labels, ownerReferences: owners } });
    };
    const scheduler = gangScheduler(options.gangSchedulerName);
    if (scheduler) add(podGroup(job, scheduler));
    for (const object of framework.extraObjects?.(job, options, observed) ?? []) add(object);
    for (const type of replicaTypes(job)) {
      for (let index = 0; index < (replicaSpecs(job)[type].replicas ?? 1); index++) {
        add(desiredPod(job, framework, type, index, options));
        if (framework.createsServices) add(desiredService(job, type, index));
      }
    }
  }
}

/**
 * The desired objects of a job that has its defaults applied (frameworks/registry.ts withDefaults).
 * A suspended job, or one another controller manages, wants nothing.
 */
export function render(
  job: Job,
  options: RenderOptions,
  observed: Observed = NOTHING_OBSERVED,
): KubeObject[] {
  if (isSuspended(job) || isManagedElsewhere(job)) return [];
  const chart = new Chart(new App(), 'job', {
    namespace: job.metadata.namespace,
    disableResourceNameHashes: true,
  });
  new JobObjects(chart, job, frameworkFor(job.kind), options, observed);
  return chart.toJson() as KubeObject[];
}
