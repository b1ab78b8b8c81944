// The success and failure rules that PyTorchJob, XGBoostJob, PaddleJob, JAXJob and MPIJob share
// (UpdateJobStatus in the reference's pkg/controller.v1/<framework>/*_controller.go, release-1.9): a
// coordinator replica (Master, or MPI's Launcher) decides success when there is one, otherwise the Workers
// do; failed replicas restart or fail the job.
import { replicaSpecs, replicaTypes } from '../api/job.ts';
import {
  expected,
  markFailed,
  markRestarting,
  markRunning,
  markSucceeded,
  type StatusContext,
} from './context.ts';

export interface CoordinatorRules {
  /** The replica type whose completion completes the job: `Master`, or `Launcher` for MPI. */
  coordinator: string;
  /** PyTorch elastic: any succeeded Worker completes a job without a Master. */
  elasticWorkerSuccess?: boolean;
}

/** Replicas that failed and are not all replaced yet either restart (any policy but Never) or fail the job. */
export function failureRule(context: StatusContext, replicaType: string): void {
  const { job } = context;
  const spec = replicaSpecs(job)[replicaType];
  const { active, succeeded, failed } = context.counts[replicaType];
  if (failed === 0 || (spec.replicas ?? 1) <= succeeded + active) return;
  const what = `${failed} ${replicaType} replica(s) failed.`;
  if (spec.restartPolicy === 'Never') {
    markFailed(context, `${job.kind} ${job.metadata.name} is failed because ${what}`);
  } else {
    markRestarting(context, `${job.kind} ${job.metadata.name} is restarting because ${what}`);
  }
}

export function coordinatorStatus(context: StatusContext, rules: CoordinatorRules): void {
  const { job } = context;
  const specs = replicaSpecs(job);
  const name = job.metadata.name;
  const qualified = `${job.metadata.namespace}/${name}`;
  const hasCoordinator = rules.coordinator in specs;
  for (const type of replicaTypes(job)) {
    const { active, succeeded } = context.counts[type];
    const remaining = expected(context, type, specs[type].replicas ?? 1);
    if (hasCoordinator && type === rules.coordinator) {
      if (active > 0) markRunning(context, `${job.kind} ${name} is running.`);
      if (remaining === 0) return markSucceeded(context, `${job.kind} ${name} is successfully completed.`);
    } else if (!hasCoordinator && type === 'Worker') {
      if (remaining === 0 || (rules.elasticWorkerSuccess && succeeded > 0)) {
        return markSucceeded(context, `${job.kind} ${qualified} successfully completed.`);
      }
      if (active > 0) markRunning(context, `${job.kind} ${qualified} is running.`);
    }
    failureRule(context, type);
  }
}
