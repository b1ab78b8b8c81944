// JAXJob: jax.distributed's coordinator environment (the reference's pkg/controller.v1/jax/envvar.go,
// release-1.9).
import type { JAXJob } from '../../generated/kubeflow.org/v1/index.ts';
import { KINDS } from '../api/kinds.ts';
import { replicaName } from '../api/names.ts';
import { defaultContainerPort, totalReplicas } from '../api/job.ts';
import { appendEnv, envVar, type Framework } from './framework.ts';
import { coordinatorStatus } from '../status/rules.ts';

const info = KINDS.JAXJob;

export const jax: Framework<JAXJob> = {
  info,
  createsServices: true,

  updateStatus(context) {
    coordinatorStatus(context, { coordinator: 'Master' });
  },

  isMasterRole(_job, _replicaType, index) {
    return index === 0;
  },

  configurePod({ job, index }, pod) {
    const port = defaultContainerPort(job, 'Worker', info.defaultPort!.name);
    if (port === undefined) {
      throw new Error(`JAXJob ${job.metadata.name}: default container port is not exposed`);
    }
    const env = [
      envVar('PYTHONUNBUFFERED', '1'),
      envVar('COORDINATOR_PORT', port),
      envVar('COORDINATOR_ADDRESS', replicaName(job.metadata.name, 'Worker', 0)),
      envVar('NUM_PROCESSES', totalReplicas(job)),
      envVar('PROCESS_ID', index),
    ];
    for (const container of pod.containers) appendEnv(container, env);
  },
};
