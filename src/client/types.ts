// The job types the client speaks, from the CRDs (generated/kubeflow.org/v1).
import type { KubeflowJob, KubeflowJobsByKind } from '../../generated/kubeflow.org/v1/index.ts';
import { isKindName, KIND_NAMES, type KindName } from '../api/kinds.ts';

/** Each kind's generated type, so that `get({ kind: 'TFJob', ... })` returns a `TFJob`. */
export type JobOfKind = KubeflowJobsByKind;

/** Any of the six job kinds. */
export type TrainingJob = KubeflowJob;

/** Names one job; `namespace` defaults to the client's. */
export interface JobRef<K extends KindName = KindName> {
  kind: K;
  name: string;
  namespace?: string;
}

/** The job's kind, checked at run time: an object of any other kind is refused. */
export function kindOf(job: { kind?: string }): KindName {
  if (!isKindName(job.kind)) {
    throw new Error(`unknown job kind "${String(job.kind)}": one of ${KIND_NAMES.join(', ')}`);
  }
  return job.kind;
}
