// TFJob: TF_CONFIG in the `tensorflow` container of distributed jobs, normal or sparse
// (the reference's pkg/controller.v1/tensorflow/tensorflow.go and util.go, release-1.9).
import type { V1Pod } from '@kubernetes/client-node';
import type { TFJob } from '../../generated/kubeflow.org/v1/index.ts';
import { KINDS, LABELS } from '../api/kinds.ts';
import { replicaName } from '../api/names.ts';
import { defaultContainerPort, replicaSpecs, replicaTypes } from '../api/job.ts';
import type { Job } from '../api/types.ts';
import { hasCondition } from '../status/conditions.ts';
import { expected, markFailed, markRunning, markSucceeded, type StatusContext } from '../status/context.ts';
import { appendEnv, envVar, type Framework, type PodContext, type Setting, settingOf } from './framework.ts';

const info = KINDS.TFJob;

const SETTINGS = {
  'cluster-domain': {
    type: 'string',
    describe: 'cluster domain appended to TF_CONFIG hosts ($CUSTOM_CLUSTER_DOMAIN)',
    env: 'CUSTOM_CLUSTER_DOMAIN',
  },
} satisfies Record<string, Setting>;
const DISTRIBUTION_TYPES = ['Chief', 'Evaluator', 'Master', 'PS', 'Worker'];

/** A job with exactly one replica in total runs locally and gets no TF_CONFIG. */
export function isDistributed(job: Job<TFJob>): boolean {
  const specs = replicaSpecs(job);
  const total = DISTRIBUTION_TYPES.filter((type) => type in specs).reduce(
    (sum, type) => sum + (specs[type].replicas ?? 1),
    0,
  );
  return total !== 1;
}

/** Addresses of every replica, by lower-cased type: `<job>-<type>-<i>.<ns>.svc[.<domain>]:<port>`. */
export function clusterSpec(job: Job<TFJob>, clusterDomain?: string): Record<string, string[]> {
  const spec: Record<string, string[]> = {};
  for (const type of replicaTypes(job)) {
    const port = defaultContainerPort(job, type, info.defaultPort!.name) ?? info.defaultPort!.port;
    const count = replicaSpecs(job)[type].replicas ?? 1;
    spec[type.toLowerCase()] = Array.from({ length: count }, (_, index) => {
      const host = `${replicaName(job.metadata.name, type, index)}.${job.metadata.namespace ?? 'default'}.svc`;
      return `${clusterDomain ? `${host}.${clusterDomain}` : host}:${port}`;
    });
  }
  return Object.fromEntries(Object.entries(spec).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The sparse form used with enableDynamicWorker: a worker knows only itself and the PS tasks, a PS only
 * itself, so workers can come and go without every task's TF_CONFIG changing.
 */
export function sparseClusterSpec(cluster: Record<string, string[]>, type: string, index: number) {
  if (type === 'worker')
    return { worker: { [String(index)]: cluster.worker[index] }, ps: cluster.ps ?? null };
  if (type === 'ps') return { worker: {}, ps: [cluster.ps[index]] };
  return { worker: {}, ps: [] };
}

export function tfConfig({ job, replicaType, index, options }: PodContext<TFJob>): string {
  const cluster = clusterSpec(job, settingOf(options, SETTINGS, 'cluster-domain'));
  const type = replicaType.toLowerCase();
  const task = { type, index };
  if (job.spec.enableDynamicWorker === true) {
    return JSON.stringify({ cluster: sparseClusterSpec(cluster, type, index), task });
  }
  return JSON.stringify({ cluster, task, environment: 'cloud' });
}

/** Worker 0 succeeded with exit code 0 in its tensorflow container (true when there is no Worker). */
export function workerZeroCompleted(job: Job<TFJob>, pods: V1Pod[]): boolean {
  if (!('Worker' in replicaSpecs(job))) return true;
  const worker0 = pods.find(
    (pod) =>
      pod.metadata?.labels?.[LABELS.replicaType] === 'worker' &&
      pod.metadata?.labels?.[LABELS.replicaIndex] === '0',
  );
  const container = worker0?.status?.containerStatuses?.find(
    (status) => status.name === info.defaultContainer,
  );
  return worker0?.status?.phase === 'Succeeded' && container?.state?.terminated?.exitCode === 0;
}

/**
 * TF's rules (UpdateJobStatus in pkg/controller.v1/tensorflow/tfjob_controller.go): a Chief or Master
 * decides success; without one, all Workers finishing does, or worker 0 finishing unless successPolicy is
 * AllWorkers. Any failed replica fails the job, except while it is restarting, and except Workers with
 * enableDynamicWorker.
 */
function updateTfStatus(context: StatusContext & { job: Job<TFJob> }): void {
  const { job } = context;
  const tfSpec = job.spec;
  const specs = replicaSpecs(job);
  const qualified = `${job.metadata.namespace}/${job.metadata.name}`;
  const hasChief = 'Chief' in specs || 'Master' in specs;
  const restarting = hasCondition(context.status, 'Restarting');
  const types = DISTRIBUTION_TYPES.filter((type) => type in specs);
  for (const type of types) {
    const { active, failed } = context.counts[type];
    const remaining = expected(context, type, specs[type].replicas ?? 1);
    if (hasChief && (type === 'Chief' || type === 'Master')) {
      if (active > 0) markRunning(context, `TFJob ${qualified} is running.`);
      if (remaining === 0) markSucceeded(context, `TFJob ${qualified} successfully completed.`);
    } else if (!hasChief && type === 'Worker') {
      const workerZeroDecides =
        tfSpec.successPolicy !== 'AllWorkers' && workerZeroCompleted(job, context.pods);
      if (remaining === 0 || workerZeroDecides)
        markSucceeded(context, `TFJob ${qualified} successfully completed.`);
      else if (active > 0) markRunning(context, `TFJob ${qualified} is running.`);
    }
    if (failed === 0 || restarting || (type === 'Worker' && tfSpec.enableDynamicWorker === true)) continue;
    markFailed(context, `TFJob ${qualified} has failed because ${failed} ${type} replica(s) failed.`);
  }
}

export const tensorflow: Framework<TFJob> = {
  info,
  createsServices: true,
  settings: SETTINGS,

  updateStatus: updateTfStatus,

  defaults(job) {
    job.spec.successPolicy ??= '';
  },

  isMasterRole(job, replicaType, index) {
    const specs = replicaSpecs(job);
    if ('Chief' in specs || 'Master' in specs) return replicaType === 'Chief' || replicaType === 'Master';
    return replicaType === 'Worker' && index === 0;
  },

  configurePod(context, pod) {
    if (!isDistributed(context.job)) return;
    const container = pod.containers.find((c) => c.name === info.defaultContainer);
    if (container) appendEnv(container, [envVar('TF_CONFIG', tfConfig(context))]);
  },
};
