// The framework of each kind, and the defaulting entry point that combines shared and framework rules.
import type { KubeflowJobsByKind } from '../../generated/kubeflow.org/v1/index.ts';
import { applyRunPolicyDefaults, withReplicaDefaults } from '../api/defaults.ts';
import type { KindName } from '../api/kinds.ts';
import type { Job } from '../api/types.ts';
import type { Framework } from './framework.ts';
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

/** A copy of the job with every default applied, as the operator sees it; the stored spec is untouched. */
export function withDefaults<J extends Job>(job: J): J {
  const copy = withReplicaDefaults(job);
  frameworkFor(copy.kind).defaults?.(copy);
  applyRunPolicyDefaults(copy);
  return copy;
}
