import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { discoverHostsScript, isGpuLauncher, kubexecScript } from '../../src/frameworks/mpi.ts';
import { withDefaults } from '../../src/frameworks/registry.ts';
import { makeJob } from '../support/builders.ts';
import { envPairs, find, names, pod, renderJob } from '../support/render.ts';

const cpuJob = () => makeJob('MPIJob', 'pi').replicas('Launcher', 1).replicas('Worker', 2);
const gpu = { resources: { limits: { 'nvidia.com/gpu': '1' } } };

describe('MPIJob objects (pkg/controller.v1/mpi/mpijob_controller.go)', () => {
  const objects = renderJob(cpuJob().obj());

  test('config, RBAC, workers and launcher; no services', () => {
    assert.deepEqual(names(objects), [
      'ConfigMap/pi-config',
      'ServiceAccount/pi-launcher',
      'Role/pi-launcher',
      'RoleBinding/pi-launcher',
      'Pod/pi-launcher',
      'Pod/pi-worker-0',
      'Pod/pi-worker-1',
    ]);
  });

  test('hostfile lists the workers with their slots; kubexec.sh runs kubectl exec', () => {
    const data = find(objects, 'ConfigMap', 'pi-config').data as Record<string, string>;
    assert.equal(data.hostfile, 'pi-worker-0 slots=1\npi-worker-1 slots=1\n');
    assert.equal(
      data['kubexec.sh'],
      '#!/bin/sh\nset -x\nPOD_NAME=$1\nshift\n/opt/kube/kubectl exec ${POD_NAME} -- /bin/sh -c "$*"',
    );
    assert.equal(data['discover_hosts.sh'], '#!/bin/sh');
    assert.deepEqual(find(objects, 'ConfigMap', 'pi-config').metadata.labels, {
      app: 'pi',
      'training.kubeflow.org/job-name': 'pi',
      'training.kubeflow.org/operator-name': 'mpijob-controller',
    });
  });

  test('the launcher may exec only into its own workers', () => {
    const role = find(objects, 'Role', 'pi-launcher') as unknown as { rules: unknown[] };
    assert.deepEqual(role.rules, [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      {
        apiGroups: [''],
        resources: ['pods/exec'],
        verbs: ['create'],
        resourceNames: ['pi-worker-0', 'pi-worker-1'],
      },
    ]);
    const binding = find(objects, 'RoleBinding', 'pi-launcher') as unknown as {
      subjects: unknown[];
      roleRef: unknown;
    };
    assert.deepEqual(binding.subjects, [
      { kind: 'ServiceAccount', name: 'pi-launcher', namespace: 'default' },
    ]);
    assert.deepEqual(binding.roleRef, {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'pi-launcher',
    });
  });

  test('launcher: labels without index, service account, kubectl-delivery, MPI env, volumes', () => {
    const launcher = pod(objects, 'pi-launcher');
    assert.deepEqual(launcher.metadata!.labels, {
      'training.kubeflow.org/job-name': 'pi',
      'training.kubeflow.org/job-role': 'master',
      'training.kubeflow.org/operator-name': 'mpijob-controller',
      'training.kubeflow.org/replica-type': 'launcher',
    });
    assert.equal(launcher.spec!.serviceAccountName, 'pi-launcher');
    assert.equal(launcher.spec!.restartPolicy, 'Never');
    const [delivery] = launcher.spec!.initContainers!;
    assert.equal(delivery.name, 'kubectl-delivery');
    assert.equal(delivery.image, 'ghcr.io/kubeflow/training-v1/kubectl-delivery:latest');
    assert.deepEqual(delivery.env, [
      { name: 'TARGET_DIR', value: '/opt/kube' },
      { name: 'NAMESPACE', value: 'default' },
    ]);
    assert.deepEqual(envPairs(launcher), [
      ['OMPI_MCA_plm_rsh_agent', '/etc/mpi/kubexec.sh'],
      ['OMPI_MCA_orte_default_hostfile', '/etc/mpi/hostfile'],
      ['NVIDIA_VISIBLE_DEVICES', ''],
      ['NVIDIA_DRIVER_CAPABILITIES', ''],
      ['I_MPI_HYDRA_BOOTSTRAP', 'rsh'],
      ['I_MPI_HYDRA_BOOTSTRAP_EXEC', '/etc/mpi/kubexec.sh'],
    ]);
    assert.deepEqual(launcher.spec!.volumes, [
      { name: 'mpi-job-kubectl', emptyDir: {} },
      {
        name: 'mpi-job-config',
        configMap: {
          name: 'pi-config',
          items: [
            { key: 'kubexec.sh', path: 'kubexec.sh', mode: 0o555 },
            { key: 'hostfile', path: 'hostfile', mode: 0o444 },
            { key: 'discover_hosts.sh', path: 'discover_hosts.sh', mode: 0o555 },
          ],
        },
      },
    ]);
  });

  test('workers sleep unless told otherwise and mount kubexec.sh', () => {
    const worker = pod(objects, 'pi-worker-1');
    assert.deepEqual(worker.spec!.containers[0].command, ['sleep']);
    assert.deepEqual(worker.spec!.containers[0].args, ['365d']);
    assert.deepEqual(worker.spec!.containers[0].volumeMounts, [
      { name: 'mpi-job-config', mountPath: '/etc/mpi' },
    ]);
    assert.equal(worker.metadata!.labels!['training.kubeflow.org/replica-index'], '1');
    assert.equal(worker.metadata!.labels!['training.kubeflow.org/job-role'], undefined);
  });
});

describe('MPIJob details', () => {
  test('GPU launcher detection by limit key', () => {
    const launcher = (limits: Record<string, string>) =>
      makeJob('MPIJob', 'g')
        .replicas('Launcher', 1, { container: { resources: { limits } } })
        .obj();
    assert.equal(isGpuLauncher(launcher({ 'nvidia.com/gpu': '1' })), true);
    assert.equal(isGpuLauncher(launcher({ 'vendor-domain/gpu': '1' })), true);
    assert.equal(isGpuLauncher(launcher({ 'vendor-domain/resourcetype': '1' })), false);
  });

  test('a GPU launcher is listed in the hostfile and keeps the GPU variables', () => {
    const job = makeJob('MPIJob', 'g')
      .replicas('Launcher', 1, { container: gpu })
      .replicas('Worker', 1)
      .spec({ slotsPerWorker: 2 });
    const objects = renderJob(job.obj());
    assert.equal(
      (find(objects, 'ConfigMap', 'g-config').data as Record<string, string>).hostfile,
      'g-launcher slots=2\ng-worker-0 slots=2\n',
    );
    assert.equal(
      envPairs(pod(objects, 'g-launcher')).some(([name]) => name.startsWith('NVIDIA_')),
      false,
    );
  });

  test('Intel MPI bootstrap variables the user set are kept', () => {
    const withEnv = (env: { name: string; value: string }[]) =>
      envPairs(
        pod(
          renderJob(makeJob('MPIJob', 'i').replicas('Launcher', 1, { container: { env } }).obj()),
          'i-launcher',
        ),
      );
    const names = (pairs: [string, string][]) =>
      pairs.filter(([n]) => n.startsWith('I_MPI')).map(([n, v]) => `${n}=${v}`);
    assert.deepEqual(names(withEnv([{ name: 'X_MPI_HYDRA_BOOTSTRAP', value: 'foo' }])), [
      'I_MPI_HYDRA_BOOTSTRAP=rsh',
      'I_MPI_HYDRA_BOOTSTRAP_EXEC=/etc/mpi/kubexec.sh',
    ]);
    assert.deepEqual(names(withEnv([{ name: 'I_MPI_HYDRA_BOOTSTRAP', value: 'RSH' }])), [
      'I_MPI_HYDRA_BOOTSTRAP=RSH',
      'I_MPI_HYDRA_BOOTSTRAP_EXEC=/etc/mpi/kubexec.sh',
    ]);
    assert.deepEqual(names(withEnv([{ name: 'I_MPI_HYDRA_BOOTSTRAP_EXEC', value: '/script.sh' }])), [
      'I_MPI_HYDRA_BOOTSTRAP_EXEC=/script.sh',
      'I_MPI_HYDRA_BOOTSTRAP=rsh',
    ]);
  });

  test('the launcher template service account is used; mainContainer targets kubectl exec', () => {
    const job = makeJob('MPIJob', 's').replicas('Launcher', 1).spec({ mainContainer: 'trainer' }).obj();
    (
      job.spec.mpiReplicaSpecs as Record<string, { template: { spec: { serviceAccountName?: string } } }>
    ).Launcher.template.spec.serviceAccountName = 'launcher-sa';
    const objects = renderJob(job);
    assert.equal(pod(objects, 's-launcher').spec!.serviceAccountName, 'launcher-sa');
    assert.ok(objects.some((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'launcher-sa'));
    assert.match(kubexecScript(withDefaults(job)), /exec \$\{POD_NAME\} --container trainer -- /);
  });

  test('discover_hosts.sh lists the running workers, sorted', () => {
    const job = withDefaults(cpuJob().obj());
    const worker = (name: string, phase: string): V1Pod => ({
      metadata: { name, labels: { 'training.kubeflow.org/replica-type': 'worker' } },
      status: { phase },
    });
    const pods = [
      worker('pi-worker-1', 'Running'),
      worker('pi-worker-0', 'Running'),
      worker('pi-worker-2', 'Pending'),
    ];
    assert.equal(discoverHostsScript(job, { pods }), '#!/bin/sh\necho pi-worker-0:1\necho pi-worker-1:1');
  });

  test('defaults: Launcher 1, Worker 0, both clean-pod policies None; runPolicy wins over the legacy field', () => {
    const job = makeJob('MPIJob', 'd')
      .replicas('Launcher', 1, { unsetReplicas: true })
      .replicas('Worker', 1, { unsetReplicas: true });
    const spec = withDefaults(job.obj()).spec;
    const specs = spec.mpiReplicaSpecs as Record<string, { replicas: number; restartPolicy: string }>;
    assert.deepEqual(
      [specs.Launcher.replicas, specs.Worker.replicas, specs.Worker.restartPolicy],
      [1, 0, 'Never'],
    );
    assert.deepEqual([spec.cleanPodPolicy, spec.runPolicy!.cleanPodPolicy], ['None', 'None']);
    const legacy = withDefaults(job.spec({ cleanPodPolicy: 'Running' }).obj()).spec;
    assert.deepEqual([legacy.cleanPodPolicy, legacy.runPolicy!.cleanPodPolicy], ['Running', 'Running']);
    const both = withDefaults(job.runPolicy({ cleanPodPolicy: 'All' }).obj()).spec;
    assert.deepEqual([both.cleanPodPolicy, both.runPolicy!.cleanPodPolicy], ['All', 'All']);
    assert.equal(
      (
        job.obj().spec.mpiReplicaSpecs as Record<
          string,
          { template: { spec: { containers: { ports?: object[] }[] } } }
        >
      ).Launcher.template.spec.containers[0].ports,
      undefined,
    );
  });
});
