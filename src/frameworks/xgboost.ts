// XGBoostJob: Rabit tracker environment in every container (the reference's
// pkg/controller.v1/xgboost/xgboost.go, release-1.9).
import type { XGBoostJob } from '../../generated/kubeflow.org/v1/index.ts';
import { KINDS } from '../api/kinds.ts';
import { replicaName } from '../api/names.ts';
import { defaultContainerPort, replicaSpecs, totalReplicas } from '../api/job.ts';
import type { Job } from '../api/types.ts';
import { appendEnv, envVar, type Framework } from './framework.ts';
import { coordinatorStatus } from '../status/rules.ts';

const info = KINDS.XGBoostJob;
const PORT_NAME = info.defaultPort!.name;

function requiredPort(job: Job<XGBoostJob>, replicaType: string): number {
  const port = defaultContainerPort(job, replicaType, PORT_NAME);
  if (port === undefined) {
    throw new Error(
      `XGBoostJob ${job.metadata.name}: the ${replicaType}'s "xgboost" container has no port named ${PORT_NAME}`,
    );
  }
  return port;
}

export const xgboost: Framework<XGBoostJob> = {
  info,
  createsServices: true,

  updateStatus(context) {
    coordinatorStatus(context, { coordinator: 'Master' });
  },

  isMasterRole(_job, replicaType) {
    return replicaType === 'Master';
  },

  configurePod({ job, replicaType, index }, pod) {
    const total = totalReplicas(job);
    const masterReplicas = replicaSpecs(job).Master?.replicas ?? 1;
    const env = [
      envVar('MASTER_PORT', requiredPort(job, 'Master')),
      envVar('MASTER_ADDR', replicaName(job.metadata.name, 'Master', 0)),
      envVar('WORLD_SIZE', total),
      envVar('RANK', replicaType === 'Master' ? index : index + masterReplicas),
      envVar('PYTHONUNBUFFERED', '1'),
    ];
    if (total > 1) {
      const workers = Array.from({ length: total - 1 }, (_, i) =>
        replicaName(job.metadata.name, 'Worker', i),
      );
      env.push(envVar('WORKER_PORT', requiredPort(job, 'Worker')), envVar('WORKER_ADDRS', workers.join(',')));
    }
    for (const container of pod.containers) appendEnv(container, env);
  },
};
