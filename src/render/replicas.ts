// One replica type of a job: a pod per replica index, built from the replica's template with the
// framework's role, env and init containers, and the headless service that gives each pod a stable DNS
// name (createNewPod in the reference's pkg/controller.v1/common/pod.go and service.go, release-1.9).
import type { V1Pod, V1PodSpec, V1Service } from '@kubernetes/client-node';
import { Construct } from 'constructs';
import { LABELS } from '../api/kinds.ts';
import { defaultContainer, replicaSpecs } from '../api/job.ts';
import { replicaLabels, replicaName } from '../api/names.ts';
import type { Job, KubeObject, ReplicaSpec } from '../api/types.ts';
import type { Framework, RenderOptions } from '../frameworks/framework.ts';
import { ManifestObject } from './manifest.ts';

type PodManifest = V1Pod & KubeObject & { spec: V1PodSpec };

/** ExitCode is the operator's policy; the kubelet must not restart such a pod itself. */
function podRestartPolicy(spec: ReplicaSpec): V1PodSpec['restartPolicy'] {
  return spec.restartPolicy === 'ExitCode' ? 'Never' : spec.restartPolicy;
}

function desiredPod(
  job: Job,
  framework: Framework,
  replicaType: string,
  index: number,
  options: RenderOptions,
): PodManifest {
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
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name:
        framework.podName?.(job, replicaType, index) ?? replicaName(job.metadata.name, replicaType, index),
      labels,
      annotations: template.metadata?.annotations,
      finalizers: template.metadata?.finalizers,
    },
    spec,
  };
}

/** The headless service of one pod, with the default container's named ports. */
function desiredService(job: Job, replicaType: string, index: number): V1Service & KubeObject {
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

/** The pods (and services) of one replica type, in index order: `<type>/pod-<i>`, `<type>/service-<i>`. */
export class Replicas extends Construct {
  readonly pods: ManifestObject<PodManifest>[] = [];

  constructor(
    scope: Construct,
    readonly job: Job,
    readonly replicaType: string,
    framework: Framework,
    options: RenderOptions,
  ) {
    // Ids carry a letter: an integer-like id would move ahead of its siblings in the tree's order.
    super(scope, `replicas-${replicaType}`);
    for (let index = 0; index < (replicaSpecs(job)[replicaType].replicas ?? 1); index++) {
      const pod = desiredPod(job, framework, replicaType, index, options);
      this.pods.push(new ManifestObject(this, `pod-${index}`, pod));
      if (framework.createsServices)
        new ManifestObject(this, `service-${index}`, desiredService(job, replicaType, index));
    }
  }
}
