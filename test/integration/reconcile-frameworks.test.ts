// Each framework end to end against a real API server, as a user sees it (the reference's
// pkg/controller.v1/<framework>/*_controller_test.go, release-1.9): the job's pods and headless services
// (MPI: launcher, workers, ConfigMap and RBAC) with the reference's names, labels, env and owner references;
// then pods driven Running → Succeeded, with the conditions, replica statuses, times and events that follow.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CoreV1Api, RbacAuthorizationV1Api, type V1Pod, type V1Service } from '@kubernetes/client-node';
import { KINDS, LABELS, type KindName } from '../../src/api/kinds.ts';
import type { Job } from '../../src/api/types.ts';
import { makeJob } from '../support/builders.ts';
import * as harness from './harness.ts';
import {
  cond,
  conditionsOf,
  createJob,
  envOf,
  getJob,
  hasCondition,
  jobEvents,
  namesOf,
  operatorNamespace,
  ownerRef,
  plain,
  servicesOf,
  setPhases,
  waitForEvent,
  waitForJob,
  waitForObjects,
} from './operator.ts';

function labels(
  kind: KindName,
  job: string,
  type: string,
  index?: number,
  master = false,
): Record<string, string> {
  return {
    [LABELS.operatorName]: KINDS[kind].controllerName,
    [LABELS.jobName]: job,
    [LABELS.replicaType]: type,
    ...(index === undefined ? {} : { [LABELS.replicaIndex]: String(index) }),
    ...(master ? { [LABELS.jobRole]: 'master' } : {}),
  };
}

/** Every pod carries the job's controller owner reference and exactly the reference's labels. */
function assertPod(pod: V1Pod, job: Job, expectedLabels: Record<string, string>): void {
  assert.deepEqual(pod.metadata?.labels, expectedLabels, `labels of ${pod.metadata?.name}`);
  assert.deepEqual(pod.metadata?.ownerReferences, [ownerRef(job)], `owner of ${pod.metadata?.name}`);
}

/** Headless, selecting its pod by the four replica labels, with the default container's named port. */
function assertService(
  service: V1Service,
  job: Job,
  selector: Record<string, string>,
  port: { name: string; port: number },
) {
  const name = service.metadata?.name;
  assert.equal(service.spec?.clusterIP, 'None', `${name} is headless`);
  assert.deepEqual(service.spec?.selector, selector, `selector of ${name}`);
  assert.deepEqual(service.metadata?.labels, selector, `labels of ${name}`);
  assert.deepEqual(
    service.spec?.ports?.map((p) => ({
      name: p.name,
      port: p.port,
      targetPort: p.targetPort,
      protocol: p.protocol,
    })),
    [{ ...port, targetPort: port.port, protocol: 'TCP' }],
    `ports of ${name}`,
  );
  assert.deepEqual(service.metadata?.ownerReferences, [ownerRef(job)], `owner of ${name}`);
}

const pick = (env: Record<string, string>, names: string[]) =>
  Object.fromEntries(names.map((n) => [n, env[n]]));
const byName = <T extends { metadata?: { name?: string } }>(items: T[], name: string) =>
  items.find((item) => item.metadata?.name === name)!;

/** Until the job is Succeeded; then the times are set and completionTime is not before startTime. */
async function waitSucceeded(ns: string, kind: KindName, name: string): Promise<Job> {
  const job = await waitForJob(ns, kind, name, (j) => hasCondition(j, 'Succeeded'), 'Succeeded');
  assert.ok(job.status?.startTime && job.status.completionTime, 'startTime and completionTime are set');
  assert.ok(job.status.completionTime >= job.status.startTime);
  return job;
}

/** The events a user sees: one per created pod and service, Succeeded, and no Created event. */
async function assertEvents(
  ns: string,
  kind: KindName,
  name: string,
  pods: string[],
  services: string[],
  succeeded: string,
) {
  await waitForEvent(ns, kind, name, `${kind}Succeeded`, succeeded);
  const events = await jobEvents(ns, kind, name);
  const created = (reason: string) =>
    events
      .filter((e) => e.reason === reason)
      .map((e) => e.message)
      .sort();
  assert.deepEqual(created('SuccessfulCreatePod'), pods.map((p) => `Created pod: ${p}`).sort());
  assert.deepEqual(created('SuccessfulCreateService'), services.map((s) => `Created service: ${s}`).sort());
  assert.ok(!events.some((e) => e.reason === `${kind}Created`), 'Created is a condition, not an event');
  assert.ok(
    events.every((e) => e.source === KINDS[kind].controllerName && e.type === 'Normal'),
    JSON.stringify(events),
  );
}

describe('frameworks: objects, env and status from creation to success', () => {
  test('PyTorchJob Master 1 + Worker 2', async (t) => {
    const { ns } = await operatorNamespace(t, 'pytorch');
    const kind = 'PyTorchJob';
    const job = await createJob(makeJob(kind, 'demo', ns).replicas('Master', 1).replicas('Worker', 2).obj());
    const names = ['demo-master-0', 'demo-worker-0', 'demo-worker-1'];
    const pods = await waitForObjects(ns, 'demo', names);

    const created = await waitForJob(ns, kind, 'demo', (j) => j.status?.startTime !== undefined, 'startTime');
    assert.deepEqual(conditionsOf(created), [
      cond('Created', 'True', 'PyTorchJobCreated', 'PyTorchJob demo is created.'),
    ]);
    const selector = (type: string) =>
      `${LABELS.jobName}=demo,${LABELS.operatorName}=pytorchjob-controller,${LABELS.replicaType}=${type}`;
    assert.deepEqual(created.status?.replicaStatuses, {
      Master: { selector: selector('master') },
      Worker: { selector: selector('worker') },
    });

    const services = await servicesOf(ns, 'demo');
    for (const [i, name] of names.entries()) {
      const [type, index] = i === 0 ? ['master', 0] : ['worker', i - 1];
      const pod = byName(pods, name);
      assertPod(pod, job, labels(kind, 'demo', type, index, type === 'master'));
      assertService(byName(services, name), job, labels(kind, 'demo', type, index), {
        name: 'pytorchjob-port',
        port: 23456,
      });
      assert.deepEqual(
        pick(envOf(pod), [
          'MASTER_ADDR',
          'MASTER_PORT',
          'WORLD_SIZE',
          'RANK',
          'PET_NODE_RANK',
          'PET_NPROC_PER_NODE',
          'PET_NNODES',
        ]),
        {
          MASTER_ADDR: 'demo-master-0',
          MASTER_PORT: '23456',
          WORLD_SIZE: '3',
          RANK: String(i),
          PET_NODE_RANK: String(i),
          PET_NPROC_PER_NODE: 'auto',
          PET_NNODES: '3',
        },
      );
      assert.equal(pod.spec?.restartPolicy, 'OnFailure');
      // Workers wait for the master's service to resolve.
      assert.deepEqual(
        pod.spec?.initContainers?.map((c) => c.name) ?? [],
        type === 'worker' ? ['init-pytorch'] : [],
      );
    }

    await setPhases(ns, ['demo-master-0'], 'Running');
    const running = await waitForJob(ns, kind, 'demo', (j) => hasCondition(j, 'Running'), 'Running');
    assert.deepEqual(conditionsOf(running), [
      cond('Created', 'True', 'PyTorchJobCreated', 'PyTorchJob demo is created.'),
      cond('Running', 'True', 'PyTorchJobRunning', 'PyTorchJob demo is running.'),
    ]);
    await setPhases(ns, ['demo-worker-0', 'demo-worker-1'], 'Running');
    await waitForJob(
      ns,
      kind,
      'demo',
      (j) => j.status?.replicaStatuses?.Worker?.active === 2,
      'Worker active 2',
    );

    await setPhases(ns, ['demo-master-0'], 'Succeeded');
    await waitSucceeded(ns, kind, 'demo');
    // The finished job folds the still running Workers into succeeded.
    const done = await waitForJob(
      ns,
      kind,
      'demo',
      (j) => j.status?.replicaStatuses?.Worker?.succeeded === 2,
      'Worker folded',
    );
    assert.deepEqual(conditionsOf(done), [
      cond('Created', 'True', 'PyTorchJobCreated', 'PyTorchJob demo is created.'),
      cond('Running', 'False', 'PyTorchJobRunning', 'PyTorchJob demo is running.'),
      cond('Succeeded', 'True', 'PyTorchJobSucceeded', 'PyTorchJob demo is successfully completed.'),
    ]);
    assert.deepEqual(done.status?.replicaStatuses, {
      Master: { succeeded: 1, selector: selector('master') },
      Worker: { succeeded: 2, selector: selector('worker') },
    });
    await assertEvents(ns, kind, 'demo', names, names, 'PyTorchJob demo is successfully completed.');
    // cleanPodPolicy defaults to None: everything stays.
    await waitForObjects(ns, 'demo', names);
  });

  test('TFJob PS 1 + Worker 2: TF_CONFIG, worker 0 decides success', async (t) => {
    const { ns } = await operatorNamespace(t, 'tf');
    const kind = 'TFJob';
    const job = await createJob(makeJob(kind, 'dist', ns).replicas('PS', 1).replicas('Worker', 2).obj());
    const names = ['dist-ps-0', 'dist-worker-0', 'dist-worker-1'];
    const pods = await waitForObjects(ns, 'dist', names);
    const services = await servicesOf(ns, 'dist');
    const cluster = {
      ps: [`dist-ps-0.${ns}.svc:2222`],
      worker: [`dist-worker-0.${ns}.svc:2222`, `dist-worker-1.${ns}.svc:2222`],
    };
    for (const [name, type, index] of [
      ['dist-ps-0', 'ps', 0],
      ['dist-worker-0', 'worker', 0],
      ['dist-worker-1', 'worker', 1],
    ] as const) {
      const pod = byName(pods, name);
      // Without a Chief or Master, worker 0 has the master role.
      assertPod(pod, job, labels(kind, 'dist', type, index, name === 'dist-worker-0'));
      assertService(byName(services, name), job, labels(kind, 'dist', type, index), {
        name: 'tfjob-port',
        port: 2222,
      });
      assert.equal(
        envOf(pod).TF_CONFIG,
        JSON.stringify({ cluster, task: { type, index }, environment: 'cloud' }),
        `TF_CONFIG of ${name}`,
      );
      assert.equal(pod.spec?.restartPolicy, 'Never');
    }
    const created = cond('Created', 'True', 'TFJobCreated', 'TFJob dist is created.');
    const runningCondition = cond('Running', 'True', 'TFJobRunning', `TFJob ${ns}/dist is running.`);
    assert.deepEqual(conditionsOf(await getJob(ns, kind, 'dist')), [created]);

    await setPhases(ns, names, 'Running');
    const running = await waitForJob(
      ns,
      kind,
      'dist',
      (j) => j.status?.replicaStatuses?.Worker?.active === 2,
      'Workers active',
    );
    assert.deepEqual(conditionsOf(running), [created, runningCondition]);
    assert.deepEqual(running.status?.replicaStatuses, { PS: { active: 1 }, Worker: { active: 2 } });

    await setPhases(ns, ['dist-worker-0'], 'Succeeded');
    await waitSucceeded(ns, kind, 'dist');
    const done = await waitForJob(
      ns,
      kind,
      'dist',
      (j) => j.status?.replicaStatuses?.Worker?.succeeded === 2,
      'folded',
    );
    assert.deepEqual(conditionsOf(done), [
      created,
      { ...runningCondition, status: 'False' },
      cond('Succeeded', 'True', 'TFJobSucceeded', `TFJob ${ns}/dist successfully completed.`),
    ]);
    assert.deepEqual(done.status?.replicaStatuses, { PS: { succeeded: 1 }, Worker: { succeeded: 2 } });
    await assertEvents(ns, kind, 'dist', names, names, `TFJob ${ns}/dist successfully completed.`);
  });

  test('XGBoostJob Master 1 + Worker 2', async (t) => {
    const { ns } = await operatorNamespace(t, 'xgb');
    const kind = 'XGBoostJob';
    const job = await createJob(makeJob(kind, 'xgb', ns).replicas('Master', 1).replicas('Worker', 2).obj());
    const names = ['xgb-master-0', 'xgb-worker-0', 'xgb-worker-1'];
    const pods = await waitForObjects(ns, 'xgb', names);
    const services = await servicesOf(ns, 'xgb');
    for (const [i, name] of names.entries()) {
      const [type, index] = i === 0 ? ['master', 0] : ['worker', i - 1];
      const pod = byName(pods, name);
      assertPod(pod, job, labels(kind, 'xgb', type, index, type === 'master'));
      assertService(byName(services, name), job, labels(kind, 'xgb', type, index), {
        name: 'xgboostjob-port',
        port: 9999,
      });
      assert.deepEqual(envOf(pod), {
        MASTER_PORT: '9999',
        MASTER_ADDR: 'xgb-master-0',
        WORLD_SIZE: '3',
        RANK: String(i),
        PYTHONUNBUFFERED: '1',
        WORKER_PORT: '9999',
        WORKER_ADDRS: 'xgb-worker-0,xgb-worker-1',
      });
    }
    const created = cond('Created', 'True', 'XGBoostJobCreated', 'XGBoostJob xgb is created.');
    const runningCondition = cond('Running', 'True', 'XGBoostJobRunning', 'XGBoostJob xgb is running.');
    await setPhases(ns, names, 'Running');
    const running = await waitForJob(
      ns,
      kind,
      'xgb',
      (j) => j.status?.replicaStatuses?.Worker?.active === 2,
      'Workers active',
    );
    assert.deepEqual(conditionsOf(running), [created, runningCondition]);
    assert.deepEqual(running.status?.replicaStatuses, { Master: { active: 1 }, Worker: { active: 2 } });

    await setPhases(ns, ['xgb-master-0'], 'Succeeded');
    await waitSucceeded(ns, kind, 'xgb');
    const done = await waitForJob(
      ns,
      kind,
      'xgb',
      (j) => j.status?.replicaStatuses?.Worker?.succeeded === 2,
      'folded',
    );
    assert.deepEqual(conditionsOf(done), [
      created,
      { ...runningCondition, status: 'False' },
      cond('Succeeded', 'True', 'XGBoostJobSucceeded', 'XGBoostJob xgb is successfully completed.'),
    ]);
    assert.deepEqual(done.status?.replicaStatuses, { Master: { succeeded: 1 }, Worker: { succeeded: 2 } });
    await assertEvents(ns, kind, 'xgb', names, names, 'XGBoostJob xgb is successfully completed.');
  });

  test('PaddleJob Master 1 + Worker 2', async (t) => {
    const { ns } = await operatorNamespace(t, 'paddle');
    const kind = 'PaddleJob';
    const job = await createJob(
      makeJob(kind, 'paddle-job', ns).replicas('Master', 1).replicas('Worker', 2).obj(),
    );
    const names = ['paddle-job-master-0', 'paddle-job-worker-0', 'paddle-job-worker-1'];
    const pods = await waitForObjects(ns, 'paddle-job', names);
    const services = await servicesOf(ns, 'paddle-job');
    for (const [i, name] of names.entries()) {
      const [type, index] = i === 0 ? ['master', 0] : ['worker', i - 1];
      const pod = byName(pods, name);
      assertPod(pod, job, labels(kind, 'paddle-job', type, index, type === 'master'));
      assertService(byName(services, name), job, labels(kind, 'paddle-job', type, index), {
        name: 'master',
        port: 36543,
      });
      const common = { PYTHONUNBUFFERED: '1', PADDLE_JOB_ID: 'paddle-job', PADDLE_NNODES: '3' };
      // The master announces its own IP; the workers reach it through its service.
      assert.deepEqual(
        envOf(pod),
        type === 'master'
          ? {
              ...common,
              POD_IP_DUMMY: '<status.podIP>',
              PADDLE_MASTER: '$(POD_IP_DUMMY):36543',
              PADDLE_SERVER_NUM: '1',
            }
          : { ...common, PADDLE_MASTER: 'paddle-job-master-0:36543', PADDLE_TRAINER_NUM: '1' },
      );
      assert.equal(pod.spec?.restartPolicy, 'OnFailure');
    }
    const selector = (type: string) =>
      `${LABELS.jobName}=paddle-job,${LABELS.operatorName}=paddlejob-controller,${LABELS.replicaType}=${type}`;
    const created = cond('Created', 'True', 'PaddleJobCreated', 'PaddleJob paddle-job is created.');
    const runningCondition = cond('Running', 'True', 'PaddleJobRunning', 'PaddleJob paddle-job is running.');
    await setPhases(ns, names, 'Running');
    const running = await waitForJob(
      ns,
      kind,
      'paddle-job',
      (j) => j.status?.replicaStatuses?.Worker?.active === 2,
      'active',
    );
    assert.deepEqual(conditionsOf(running), [created, runningCondition]);

    await setPhases(ns, ['paddle-job-master-0'], 'Succeeded');
    await waitSucceeded(ns, kind, 'paddle-job');
    const done = await waitForJob(
      ns,
      kind,
      'paddle-job',
      (j) => j.status?.replicaStatuses?.Worker?.succeeded === 2,
      'folded',
    );
    assert.deepEqual(conditionsOf(done), [
      created,
      { ...runningCondition, status: 'False' },
      cond('Succeeded', 'True', 'PaddleJobSucceeded', 'PaddleJob paddle-job is successfully completed.'),
    ]);
    assert.deepEqual(done.status?.replicaStatuses, {
      Master: { succeeded: 1, selector: selector('master') },
      Worker: { succeeded: 2, selector: selector('worker') },
    });
    await assertEvents(
      ns,
      kind,
      'paddle-job',
      names,
      names,
      'PaddleJob paddle-job is successfully completed.',
    );
  });

  test('JAXJob Worker 2: every Worker must succeed', async (t) => {
    const { ns } = await operatorNamespace(t, 'jax');
    const kind = 'JAXJob';
    const job = await createJob(makeJob(kind, 'jaxjob', ns).replicas('Worker', 2).obj());
    const names = ['jaxjob-worker-0', 'jaxjob-worker-1'];
    const pods = await waitForObjects(ns, 'jaxjob', names);
    const services = await servicesOf(ns, 'jaxjob');
    for (const [index, name] of names.entries()) {
      const pod = byName(pods, name);
      assertPod(pod, job, labels(kind, 'jaxjob', 'worker', index, index === 0));
      assertService(byName(services, name), job, labels(kind, 'jaxjob', 'worker', index), {
        name: 'jaxjob-port',
        port: 6666,
      });
      assert.deepEqual(envOf(pod), {
        PYTHONUNBUFFERED: '1',
        COORDINATOR_PORT: '6666',
        COORDINATOR_ADDRESS: 'jaxjob-worker-0',
        NUM_PROCESSES: '2',
        PROCESS_ID: String(index),
      });
    }
    const selector = `${LABELS.jobName}=jaxjob,${LABELS.operatorName}=jaxjob-controller,${LABELS.replicaType}=worker`;
    const created = cond('Created', 'True', 'JAXJobCreated', 'JAXJob jaxjob is created.');
    const runningCondition = cond('Running', 'True', 'JAXJobRunning', `JAXJob ${ns}/jaxjob is running.`);
    await setPhases(ns, names, 'Running');
    const running = await waitForJob(
      ns,
      kind,
      'jaxjob',
      (j) => j.status?.replicaStatuses?.Worker?.active === 2,
      'active',
    );
    assert.deepEqual(conditionsOf(running), [created, runningCondition]);

    await setPhases(ns, ['jaxjob-worker-0'], 'Succeeded');
    await waitForJob(
      ns,
      kind,
      'jaxjob',
      (j) => j.status?.replicaStatuses?.Worker?.succeeded === 1,
      'one Worker succeeded',
    );
    assert.deepEqual(conditionsOf(await getJob(ns, kind, 'jaxjob')), [created, runningCondition]);

    await setPhases(ns, ['jaxjob-worker-1'], 'Succeeded');
    const done = await waitSucceeded(ns, kind, 'jaxjob');
    assert.deepEqual(conditionsOf(done), [
      created,
      { ...runningCondition, status: 'False' },
      cond('Succeeded', 'True', 'JAXJobSucceeded', `JAXJob ${ns}/jaxjob successfully completed.`),
    ]);
    assert.deepEqual(done.status?.replicaStatuses, { Worker: { succeeded: 2, selector } });
    await assertEvents(ns, kind, 'jaxjob', names, names, `JAXJob ${ns}/jaxjob successfully completed.`);
  });

  test('MPIJob Launcher 1 + Worker 2: hostfile ConfigMap, RBAC, no services', async (t) => {
    const { ns } = await operatorNamespace(t, 'mpi');
    const kind = 'MPIJob';
    const job = await createJob(makeJob(kind, 'pi', ns).replicas('Launcher', 1).replicas('Worker', 2).obj());
    const pods = await waitForObjects(ns, 'pi', ['pi-launcher', 'pi-worker-0', 'pi-worker-1'], []);
    const core = harness.client(CoreV1Api);
    const rbac = harness.client(RbacAuthorizationV1Api);
    const [configMap, account, role, binding] = await harness.waitFor(
      async () =>
        plain(
          await Promise.all([
            core.readNamespacedConfigMap({ name: 'pi-config', namespace: ns }),
            core.readNamespacedServiceAccount({ name: 'pi-launcher', namespace: ns }),
            rbac.readNamespacedRole({ name: 'pi-launcher', namespace: ns }),
            rbac.readNamespacedRoleBinding({ name: 'pi-launcher', namespace: ns }),
          ]),
        ),
      10_000,
      'ConfigMap, ServiceAccount, Role and RoleBinding',
    );
    for (const object of [configMap, account, role, binding]) {
      assert.deepEqual(
        object.metadata?.ownerReferences,
        [ownerRef(job)],
        `owner of ${object.metadata?.name}`,
      );
      assert.equal(object.metadata?.labels?.app, 'pi');
    }
    assert.equal(configMap.data?.hostfile, 'pi-worker-0 slots=1\npi-worker-1 slots=1\n');
    assert.equal(
      configMap.data?.['kubexec.sh'],
      '#!/bin/sh\nset -x\nPOD_NAME=$1\nshift\n/opt/kube/kubectl exec ${POD_NAME} -- /bin/sh -c "$*"',
    );
    assert.deepEqual(role.rules, [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      {
        apiGroups: [''],
        resources: ['pods/exec'],
        verbs: ['create'],
        resourceNames: ['pi-worker-0', 'pi-worker-1'],
      },
    ]);
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'pi-launcher', namespace: ns }]);
    assert.deepEqual(binding.roleRef, {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'pi-launcher',
    });

    const launcher = byName(pods, 'pi-launcher');
    assertPod(launcher, job, labels(kind, 'pi', 'launcher', undefined, true));
    assert.equal(launcher.spec?.serviceAccountName, 'pi-launcher');
    assert.deepEqual(
      launcher.spec?.initContainers?.map((c) => c.name),
      ['kubectl-delivery'],
    );
    assert.deepEqual(envOf(launcher), {
      OMPI_MCA_plm_rsh_agent: '/etc/mpi/kubexec.sh',
      OMPI_MCA_orte_default_hostfile: '/etc/mpi/hostfile',
      NVIDIA_VISIBLE_DEVICES: '',
      NVIDIA_DRIVER_CAPABILITIES: '',
      I_MPI_HYDRA_BOOTSTRAP: 'rsh',
      I_MPI_HYDRA_BOOTSTRAP_EXEC: '/etc/mpi/kubexec.sh',
    });
    for (const index of [0, 1]) {
      const worker = byName(pods, `pi-worker-${index}`);
      assertPod(worker, job, labels(kind, 'pi', 'worker', index));
      assert.deepEqual(
        [worker.spec?.containers[0].command, worker.spec?.containers[0].args],
        [['sleep'], ['365d']],
      );
    }

    // Horovod's host discovery lists the running workers.
    await setPhases(ns, ['pi-worker-0', 'pi-worker-1', 'pi-launcher'], 'Running');
    await harness.waitFor(
      async () =>
        (await core.readNamespacedConfigMap({ name: 'pi-config', namespace: ns })).data?.[
          'discover_hosts.sh'
        ] === '#!/bin/sh\necho pi-worker-0:1\necho pi-worker-1:1',
      10_000,
      'discover_hosts.sh to list both workers',
    );
    const created = cond('Created', 'True', 'MPIJobCreated', 'MPIJob pi is created.');
    const runningCondition = cond('Running', 'True', 'MPIJobRunning', 'MPIJob pi is running.');
    const running = await waitForJob(
      ns,
      kind,
      'pi',
      (j) => j.status?.replicaStatuses?.Worker?.active === 2,
      'active',
    );
    assert.deepEqual(conditionsOf(running), [created, runningCondition]);
    assert.deepEqual(running.status?.replicaStatuses, { Launcher: { active: 1 }, Worker: { active: 2 } });

    await setPhases(ns, ['pi-launcher'], 'Succeeded');
    const done = await waitSucceeded(ns, kind, 'pi');
    assert.deepEqual(conditionsOf(done), [
      created,
      { ...runningCondition, status: 'False' },
      cond('Succeeded', 'True', 'MPIJobSucceeded', 'MPIJob pi is successfully completed.'),
    ]);
    assert.deepEqual(done.status?.replicaStatuses?.Launcher, { succeeded: 1 });
    await waitForEvent(ns, kind, 'pi', 'MPIJobSucceeded', 'MPIJob pi is successfully completed.');
    assert.deepEqual(namesOf(await servicesOf(ns, 'pi')), []);
  });
});
