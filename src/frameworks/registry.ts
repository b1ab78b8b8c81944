// The framework of each kind, and the defaulting entry point that combines shared and framework rules.
import type { KubeflowJobsByKind } from '../../generated/kubeflow.org/v1/index.ts';
import { applyRunPolicyDefaults, withReplicaDefaults } from '../api/defaults.ts';
import type { KindName } from '../api/kinds.ts';
import type { Job } from '../api/types.ts';
import type { Framework, OwnedKind, PolicyRule, Setting } from './framework.ts';
import { jax } from './jax.ts';
import { mpi } from './mpi.ts';
import { paddle } from './paddle.ts';
import { pytorch } from './pytorch.ts';
import { tensorflow } from './tensorflow.ts';
import { xgboost } from './xgboost.ts';

const FRAMEWORKS: { [K in KindName]: Framework<KubeflowJobsByKind[K]> } = {
  PyTorchJob: pytorch,
  TFJob: tensorflow,
  XGBoostJob: xgboost,
  MPIJob: mpi,
  PaddleJob: paddle,
  JAXJob: jax,
};

/**
 * The framework of a kind, for jobs of any kind: the table above pairs each kind with its own framework,
 * and the generic code hands a framework only jobs of the kind it was looked up by.
 */
export function frameworkFor(kind: KindName): Framework {
  return FRAMEWORKS[kind];
}

/** Every job owns pods and services (MPIJob none of the latter); its framework may own more. */
const POD_AND_SERVICE: OwnedKind[] = [
  { apiVersion: 'v1', kind: 'Pod', patched: false },
  { apiVersion: 'v1', kind: 'Service', patched: false },
];

/** The kinds of object that jobs of these kinds own, each once. */
export function ownedKinds(kinds: readonly KindName[]): OwnedKind[] {
  const all = [...POD_AND_SERVICE, ...kinds.flatMap((kind) => FRAMEWORKS[kind].owns ?? [])];
  return [...new Map(all.map((owned) => [`${owned.apiVersion}/${owned.kind}`, owned])).values()];
}

/** The rules of the Roles that jobs of these kinds create (Framework.grants). */
export function grantedRules(kinds: readonly KindName[]): PolicyRule[] {
  return kinds.flatMap((kind) => FRAMEWORKS[kind].grants ?? []);
}

/** Every framework's settings by flag name; two frameworks cannot declare the same flag. */
export function frameworkSettings(): Record<string, Setting> {
  const settings: Record<string, Setting> = {};
  for (const framework of Object.values(FRAMEWORKS)) {
    for (const [flag, setting] of Object.entries(framework.settings ?? {})) {
      if (flag in settings) throw new Error(`two frameworks declare the setting --${flag}`);
      settings[flag] = setting;
    }
  }
  return settings;
}

/** A copy of the job with every default applied, as the operator sees it; the stored spec is untouched. */
export function withDefaults<J extends Job>(job: J): J {
  const copy = withReplicaDefaults(job);
  frameworkFor(copy.kind).defaults?.(copy);
  applyRunPolicyDefaults(copy);
  return copy;
}
