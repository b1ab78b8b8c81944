// Reading a job the same way for every kind: its replica map, run policy and ports.
import type { V1Container } from '@kubernetes/client-node';
import { KINDS, type KindName, MANAGED_BY_OPERATOR, type SpecOf } from './kinds.ts';
import type { Job, ReplicaSpec, RunPolicy } from './types.ts';

function replicaMap<K extends KindName>(kind: K, spec: SpecOf<K>): Record<string, ReplicaSpec> | undefined {
  return KINDS[kind].replicaSpecsOf(spec);
}

/** The job's replica map (`pytorchReplicaSpecs`, `tfReplicaSpecs`, ...), the object itself, not a copy. */
export function replicaSpecs(job: Job): Record<string, ReplicaSpec> {
  return replicaMap(job.kind, job.spec) ?? {};
}

/**
 * Replica types of the job in a stable order: the kind's canonical order first, then any other key
 * (TFJob accepts arbitrary keys) alphabetically. The reference iterates a Go map here, i.e. randomly.
 */
export function replicaTypes(job: Job): string[] {
  const specs = replicaSpecs(job);
  const canonical = KINDS[job.kind].replicaTypes.filter((type) => type in specs);
  const others = Object.keys(specs)
    .filter((type) => !canonical.includes(type))
    .sort();
  return [...canonical, ...others];
}

/** `replicas` of one type; an unset count means 1, as in the reference's arithmetic. */
export function replicaCount(spec: ReplicaSpec | undefined): number {
  return spec?.replicas ?? 1;
}

export function totalReplicas(job: Job): number {
  return Object.values(replicaSpecs(job)).reduce((sum, spec) => sum + replicaCount(spec), 0);
}

export function runPolicy(job: Job): RunPolicy {
  return job.spec.runPolicy ?? {};
}

/** The container named like the kind's default container, which carries the job's ports. */
export function defaultContainer(job: Job, spec: ReplicaSpec | undefined): V1Container | undefined {
  const name = KINDS[job.kind].defaultContainer;
  return spec?.template?.spec?.containers?.find((container) => container.name === name);
}

/** containerPort of the port named `portName` on the default container of a replica type. */
export function defaultContainerPort(job: Job, replicaType: string, portName: string): number | undefined {
  return defaultContainer(job, replicaSpecs(job)[replicaType])?.ports?.find((port) => port.name === portName)
    ?.containerPort;
}

export function isSuspended(job: Job): boolean {
  return runPolicy(job).suspend === true;
}

/** A job whose runPolicy.managedBy names another controller (MultiKueue, say) is left entirely alone. */
export function isManagedElsewhere(job: Job): boolean {
  const managedBy = runPolicy(job).managedBy;
  return managedBy !== undefined && managedBy !== MANAGED_BY_OPERATOR;
}
