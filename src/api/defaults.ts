// Defaults shared by every kind (the reference's pkg/apis/kubeflow.org/v1/defaulting_utils.go and
// *_defaults.go, release-1.9). They are applied to a copy in memory and never written back to the user's
// spec; framework-specific defaults follow in src/frameworks.
import { KINDS } from './kinds.ts';
import { replicaSpecs } from './job.ts';
import type { Job, ReplicaSpec } from './types.ts';

/** Replica keys, counts, restart policies and ports, on a copy of the job. */
export function withReplicaDefaults<J extends Job>(job: J): J {
  const copy = structuredClone(job);
  const info = KINDS[copy.kind];
  const specs = replicaSpecs(copy);
  normaliseReplicaTypeKeys(specs, info.replicaTypes);
  for (const [type, spec] of Object.entries(specs)) {
    spec.replicas ??= info.defaultReplicas?.[type] ?? 1;
    spec.restartPolicy ??= info.defaultRestartPolicy;
    if (info.defaultPort) addDefaultPort(spec, info.defaultContainer, info.defaultPort);
  }
  return copy;
}

/**
 * The run policy's defaults. They come after the framework's, so that a framework's legacy field (MPI's
 * spec.cleanPodPolicy) can fill the run policy first.
 */
export function applyRunPolicyDefaults(job: Job): void {
  job.spec.runPolicy = { ...job.spec.runPolicy };
  job.spec.runPolicy.cleanPodPolicy ??= 'None';
}

/**
 * Moves, in place, a replica spec written as `worker` or `WORKER` to its canonical key `Worker`. Unlike the
 * reference, which picks a spelling in Go map order and may overwrite an existing canonical entry,
 * the canonical entry wins and the first other spelling in document order is moved only when the
 * canonical key is absent.
 */
function normaliseReplicaTypeKeys(
  specs: Record<string, ReplicaSpec>,
  canonicalTypes: readonly string[],
): void {
  for (const type of canonicalTypes) {
    if (type in specs) continue;
    const spelling = Object.keys(specs).find((key) => key.toLowerCase() === type.toLowerCase());
    if (spelling === undefined) continue;
    specs[type] = specs[spelling];
    delete specs[spelling];
  }
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
