// Defaults shared by every kind (the reference's pkg/apis/kubeflow.org/v1/defaulting_utils.go and
// *_defaults.go, release-1.9). They are applied to a copy in memory and never written back to the user's
// spec; framework-specific defaults follow in src/frameworks.
import { type CleanPodPolicy, KINDS } from './kinds.ts';
import type { Job, ReplicaSpec } from './types.ts';

export function withSharedDefaults(job: Job): Job {
  const copy = structuredClone(job);
  const info = KINDS[copy.kind];
  const specs = normaliseReplicaTypeKeys(
    copy.spec[info.replicaSpecsField] as Record<string, ReplicaSpec>,
    info.replicaTypes,
  );
  copy.spec[info.replicaSpecsField] = specs;
  for (const [type, spec] of Object.entries(specs)) {
    spec.replicas ??= info.defaultReplicas?.[type] ?? 1;
    spec.restartPolicy ??= info.defaultRestartPolicy;
    if (info.defaultPort) addDefaultPort(spec, info.defaultContainer, info.defaultPort);
  }
  // MPIJob still has a legacy spec.cleanPodPolicy; runPolicy's value wins when both are set.
  copy.spec.runPolicy = { ...copy.spec.runPolicy };
  copy.spec.runPolicy.cleanPodPolicy ??= (copy.spec.cleanPodPolicy as CleanPodPolicy | undefined) ?? 'None';
  return copy;
}

/**
 * Moves a replica spec written as `worker` or `WORKER` to its canonical key `Worker`. Unlike the
 * reference, which picks a spelling in Go map order and may overwrite an existing canonical entry,
 * the canonical entry wins and the first other spelling in document order is moved only when the
 * canonical key is absent.
 */
export function normaliseReplicaTypeKeys(
  specs: Record<string, ReplicaSpec> | undefined,
  canonicalTypes: readonly string[],
): Record<string, ReplicaSpec> {
  const result: Record<string, ReplicaSpec> = { ...specs };
  for (const type of canonicalTypes) {
    if (type in result) continue;
    const spelling = Object.keys(result).find((key) => key.toLowerCase() === type.toLowerCase());
    if (spelling === undefined) continue;
    result[type] = result[spelling];
    delete result[spelling];
  }
  return result;
}

/**
 * Appends the kind's default port to the default container (or the first container) unless a port
 * with that name is there already. A pod without containers is left alone instead of crashing.
 */
function addDefaultPort(
  spec: ReplicaSpec,
  containerName: string,
  port: { name: string; port: number },
): void {
  const containers = spec.template?.spec?.containers;
  if (!containers?.length) return;
  const container = containers.find((c) => c.name === containerName) ?? containers[0];
  container.ports ??= [];
  if (!container.ports.some((p) => p.name === port.name)) {
    container.ports.push({ name: port.name, containerPort: port.port });
  }
}
