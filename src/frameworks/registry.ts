// The framework of each kind, and the defaulting entry point that combines shared and framework rules.
import { withSharedDefaults } from '../api/defaults.ts';
import type { KindName } from '../api/kinds.ts';
import type { Job } from '../api/types.ts';
import type { Framework } from './framework.ts';
import { jax } from './jax.ts';
import { mpi } from './mpi.ts';
import { paddle } from './paddle.ts';
import { pytorch } from './pytorch.ts';
import { tensorflow } from './tensorflow.ts';
import { xgboost } from './xgboost.ts';

const FRAMEWORKS: Record<KindName, Framework> = {
  PyTorchJob: pytorch,
  TFJob: tensorflow,
  XGBoostJob: xgboost,
  MPIJob: mpi,
  PaddleJob: paddle,
  JAXJob: jax,
};

export function frameworkFor(kind: KindName): Framework {
  return FRAMEWORKS[kind];
}

/** A copy of the job with every default applied, as the operator sees it; the stored spec is untouched. */
export function withDefaults(job: Job): Job {
  const copy = withSharedDefaults(job);
  frameworkFor(copy.kind).defaults?.(copy);
  return copy;
}
