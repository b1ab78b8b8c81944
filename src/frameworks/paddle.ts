// PaddleJob: the PADDLE_* environment of `paddle.distributed.launch` (the reference's
// pkg/controller.v1/paddlepaddle/envvar.go, release-1.9).
import type { V1EnvVar } from '@kubernetes/client-node';
import { KINDS } from '../api/kinds.ts';
import { replicaName } from '../api/names.ts';
import { defaultContainerPort, replicaSpecs, totalReplicas } from '../api/job.ts';
import { appendEnv, envVar, type Framework, type PodContext } from './framework.ts';
import type { PaddleJob } from '../../generated/kubeflow.org/v1/index.ts';
import { defaultElasticReplicas } from './elastic.ts';
import { coordinatorStatus } from '../status/rules.ts';

const info = KINDS.PaddleJob;

function paddleEnv({ job, replicaType, index }: PodContext<PaddleJob>): V1EnvVar[] {
  const hasMaster = 'Master' in replicaSpecs(job);
  const coordinator = hasMaster ? 'Master' : 'Worker';
  const port = defaultContainerPort(job, coordinator, info.defaultPort!.name) ?? info.defaultPort!.port;
  const env = [
    envVar('PYTHONUNBUFFERED', '1'),
    envVar('PADDLE_JOB_ID', job.metadata.name),
    envVar('PADDLE_NNODES', totalReplicas(job)),
  ];
  // The coordinator pod announces its own IP; the others reach it through its service.
  if (replicaType === coordinator && index === 0) {
    env.push(
      { name: 'POD_IP_DUMMY', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      envVar('PADDLE_MASTER', `$(POD_IP_DUMMY):${port}`),
    );
  } else {
    env.push(envVar('PADDLE_MASTER', `${replicaName(job.metadata.name, coordinator, 0)}:${port}`));
  }
  if (hasMaster) env.push(envVar(replicaType === 'Master' ? 'PADDLE_SERVER_NUM' : 'PADDLE_TRAINER_NUM', '1'));
  return env;
}

export const paddle: Framework<PaddleJob> = {
  info,
  createsServices: true,

  updateStatus(context) {
    coordinatorStatus(context, { coordinator: 'Master' });
  },

  defaults(job) {
    defaultElasticReplicas(job.spec.elasticPolicy, replicaSpecs(job).Worker?.replicas);
  },

  isMasterRole(_job, replicaType) {
    return replicaType === 'Master';
  },

  configurePod(context, pod) {
    const env = paddleEnv(context);
    for (const container of pod.containers) appendEnv(container, env);
  },
};
