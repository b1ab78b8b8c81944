// One pod per replica index, built from the replica's template (createNewPod in the reference's
// pkg/controller.v1/common/pod.go, release-1.9).
import type { V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { LABELS } from '../api/kinds.ts';
import { defaultContainer, replicaSpecs } from '../api/job.ts';
import { replicaLabels, replicaName } from '../api/names.ts';
import type { Job, ReplicaSpec } from '../api/types.ts';
import type { Framework, RenderOptions } from '../frameworks/framework.ts';
import { decorateForGang, gangScheduler } from './gang.ts';

/** ExitCode is the operator's policy; the kubelet must not restart such a pod itself. */
export function podRestartPolicy(spec: ReplicaSpec): V1PodSpec['restartPolicy'] {
  return spec.restartPolicy === 'ExitCode' ? 'Never' : spec.restartPolicy;
}

export function podName(job: Job, framework: Framework, replicaType: string, index: number): string {
  return framework.podName?.(job, replicaType, index) ?? replicaName(job.metadata.name, replicaType, index);
}

export function desiredPod(
  job: Job,
  framework: Framework,
  replicaType: string,
  index: number,
  options: RenderOptions,
): V1Pod {
  const replica = replicaSpecs(job)[replicaType];
  const template = replica.template ?? {};
  const withIndex = framework.labelsReplicaIndex?.(replicaType) ?? true;
  const labels = {
    ...template.metadata?.labels,
    ...replicaLabels(job, replicaType, withIndex ? index : undefined),
  };
  if (framework.isMasterRole(job, replicaType, index)) labels[LABELS.jobRole] = 'master';
  // Frameworks replace fields and arrays rather than change them in place, so copying the spec and its
  // containers one level deep keeps the (defaulted) job untouched at a fraction of a deep clone's cost.
  const spec: V1PodSpec = {
    ...template.spec,
    containers: (template.spec?.containers ?? []).map((container) => ({ ...container })),
  };
  framework.configurePod({ job, replicaType, index, options }, spec);
  spec.restartPolicy = podRestartPolicy(replica);
  const pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName(job, framework, replicaType, index),
      labels,
      annotations: template.metadata?.annotations,
      finalizers: template.metadata?.finalizers,
    },
    spec,
  };
  const scheduler = gangScheduler(options.gangSchedulerName);
  if (scheduler) decorateForGang(pod, job, replicaType, scheduler);
  return pod;
}

/** The headless service that gives a pod a stable DNS name, with the default container's named ports. */
export function desiredService(job: Job, replicaType: string, index: number) {
  const selector = replicaLabels(job, replicaType, index);
  const ports = (defaultContainer(job, replicaSpecs(job)[replicaType])?.ports ?? [])
    .filter((port) => port.name)
    .map((port) => ({ name: port.name, port: port.containerPort }));
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: replicaName(job.metadata.name, replicaType, index), labels: selector },
    spec: { clusterIP: 'None', selector, ports },
  };
}
