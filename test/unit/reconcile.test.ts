import { replicaSpecs } from '../../src/api/job.ts';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { makeJob } from '../support/builders.ts';
import { World } from '../support/world.ts';

const pytorch = () => makeJob('PyTorchJob', 'demo', 'ns').replicas('Master', 1).replicas('Worker', 2);

describe('PyTorchJob timeline: Master 1 + Worker 2, pods driven by hand', () => {
  test('created → pods and services, Created, startTime, selectors', () => {
    const world = new World(pytorch().obj());
    world.step();
    assert.deepEqual(world.names('Pod'), ['demo-master-0', 'demo-worker-0', 'demo-worker-1']);
    assert.deepEqual(world.names('Service'), ['demo-master-0', 'demo-worker-0', 'demo-worker-1']);
    assert.deepEqual(world.job.status!.conditions, [
      {
        type: 'Created',
        status: 'True',
        reason: 'PyTorchJobCreated',
        message: 'PyTorchJob demo is created.',
        lastUpdateTime: '2026-01-01T00:00:00Z',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ]);
    assert.equal(world.job.status!.startTime, '2026-01-01T00:00:00Z');
    assert.deepEqual(world.job.status!.replicaStatuses, {
      Master: {
        selector:
          'training.kubeflow.org/job-name=demo,training.kubeflow.org/operator-name=pytorchjob-controller,training.kubeflow.org/replica-type=master',
      },
      Worker: {
        selector:
          'training.kubeflow.org/job-name=demo,training.kubeflow.org/operator-name=pytorchjob-controller,training.kubeflow.org/replica-type=worker',
      },
    });
  });

  test('a reconcile that finds everything as desired writes nothing', () => {
    const world = new World(pytorch().obj());
    world.step();
    world.advance(30).step();
    assert.equal(world.writes(), 0);
    world.setPhase('demo-master-0', 'Running').step();
    world.advance(5).step();
    assert.equal(world.writes(), 0);
  });

  test('running master → Running; failed worker restarts; master succeeded → Succeeded', () => {
    const world = new World(pytorch().obj());
    world.step();
    world.setPhase('demo-master-0', 'Running').step();
    assert.deepEqual(world.conditions(), [
      'Created=True:PyTorchJobCreated',
      'Running=True:PyTorchJobRunning',
    ]);
    assert.deepEqual(world.job.status!.replicaStatuses!.Master.active, 1);

    world.setPhase('demo-worker-1', 'Failed', 1);
    const failedUid = world.pod('demo-worker-1').metadata!.uid;
    const plan = world.step();
    assert.deepEqual(plan.delete, [
      { apiVersion: 'v1', kind: 'Pod', namespace: 'ns', name: 'demo-worker-1', uid: failedUid },
    ]);
    // Master is evaluated first (Running), then the Worker's failure: the reference's "Master first" order.
    assert.deepEqual(world.conditions(), [
      'Created=True:PyTorchJobCreated',
      'Restarting=True:PyTorchJobRestarting',
    ]);
    assert.equal(
      world.job.status!.conditions!.at(-1)!.message,
      'PyTorchJob demo is restarting because 1 Worker replica(s) failed.',
    );
    assert.equal(world.job.status!.replicaStatuses!.Worker.failed, 1);
    assert.deepEqual(
      [...new Set(plan.events.map((e) => `${e.type}/${e.reason}`))],
      ['Normal/ExitedWithCode', 'Warning/PyTorchJobRestarting'],
    );
    assert.equal(plan.events[0].message, 'Pod: ns.demo-worker-1 exited with code 1');

    world.step();
    assert.ok(world.names('Pod').includes('demo-worker-1'), 'recreated under the same name');
    assert.deepEqual(world.conditions(), [
      'Created=True:PyTorchJobCreated',
      'Running=True:PyTorchJobRunning',
    ]);

    world.setPhase('demo-master-0', 'Succeeded').advance(60).step();
    assert.deepEqual(world.conditions(), [
      'Created=True:PyTorchJobCreated',
      'Running=False:PyTorchJobRunning',
      'Succeeded=True:PyTorchJobSucceeded',
    ]);
    assert.equal(world.job.status!.completionTime, '2026-01-01T00:01:00Z');
    assert.equal(
      world.last!.status!.conditions!.at(-1)!.message,
      'PyTorchJob demo is successfully completed.',
    );
  });

  test('finished: cleanPodPolicy Running removes running and pending pods with their services', () => {
    const world = new World(pytorch().runPolicy({ cleanPodPolicy: 'Running' }).obj());
    world.step();
    world.setPhase('demo-master-0', 'Succeeded').setPhase('demo-worker-0', 'Running').step();
    world.step();
    assert.deepEqual(world.names('Pod'), ['demo-master-0']);
    assert.deepEqual(world.names('Service'), ['demo-master-0']);
    world.step();
    assert.equal(world.writes(), 0, 'the finished branch is idempotent');
  });

  for (const [policy, left] of [
    ['None', 3],
    ['All', 0],
  ] as const) {
    test(`finished: cleanPodPolicy ${policy} leaves ${left} pods`, () => {
      const world = new World(pytorch().runPolicy({ cleanPodPolicy: policy }).obj());
      world.step();
      world.setPhase('demo-master-0', 'Succeeded').setPhase('demo-worker-0', 'Running').step();
      world.step();
      assert.equal(world.names('Pod').length, left);
    });
  }
});

describe('suspend and resume (common/job.go)', () => {
  test('created suspended: nothing created, [Created, Suspended]', () => {
    const world = new World(
      makeJob('PyTorchJob', 'test-job').replicas('Worker', 1).runPolicy({ suspend: true }).obj(),
    );
    world.step();
    assert.deepEqual(world.objects, []);
    assert.equal(world.job.status!.startTime, undefined);
    assert.deepEqual(world.conditions(), [
      'Created=True:PyTorchJobCreated',
      'Suspended=True:PyTorchJobSuspended',
    ]);
    assert.equal(world.job.status!.conditions![1].message, 'PyTorchJob test-job is suspended.');
  });

  test('running → suspended → resumed', () => {
    const world = new World(
      makeJob('PyTorchJob', 'test-job').replicas('Master', 1).replicas('Worker', 1).obj(),
    );
    world.step();
    world.setPhase('test-job-master-0', 'Running').setPhase('test-job-worker-0', 'Running').step();
    const started = world.job.status!.startTime;
    world.job.spec.runPolicy = { suspend: true };
    world.advance(10).step();
    assert.deepEqual(world.objects, []);
    assert.deepEqual(world.conditions(), [
      'Created=True:PyTorchJobCreated',
      'Running=False:PyTorchJobSuspended',
      'Suspended=True:PyTorchJobSuspended',
    ]);
    assert.equal(world.job.status!.replicaStatuses!.Master.active, undefined);
    assert.equal(world.job.status!.startTime, started);

    world.job.spec.runPolicy = { suspend: false };
    world.advance(10).step();
    assert.deepEqual(world.names('Pod'), ['test-job-master-0', 'test-job-worker-0']);
    assert.equal(world.job.status!.startTime, '2026-01-01T00:00:20Z');
    world.setPhase('test-job-master-0', 'Running').setPhase('test-job-worker-0', 'Running').step();
    assert.deepEqual(world.conditions(), [
      'Created=True:PyTorchJobCreated',
      'Suspended=False:PyTorchJobResumed',
      'Running=True:PyTorchJobRunning',
    ]);
  });

  test('managed by MultiKueue: nothing at all, not even Created', () => {
    const world = new World(
      makeJob('PyTorchJob', 'mk')
        .replicas('Worker', 1)
        .runPolicy({ managedBy: 'kueue.x-k8s.io/multikueue', suspend: true })
        .obj(),
    );
    const plan = world.step();
    assert.equal(world.writes(plan), 0);
    assert.equal(world.job.status, undefined);
  });
});

describe('restart policies and limits (common/pod.go, common/job.go)', () => {
  const exitCodeJob = () =>
    makeJob('TFJob', 'test-noretry-exit-code').replicas('Worker', 1, { restartPolicy: 'ExitCode' });

  test('ExitCode 130 restarts the pod', () => {
    const world = new World(exitCodeJob().obj());
    world.step();
    world.setPhase('test-noretry-exit-code-worker-0', 'Failed', 130);
    assert.deepEqual(
      world.step().delete.map((r) => r.name),
      ['test-noretry-exit-code-worker-0'],
    );
    assert.equal(world.conditions().at(-1), 'Restarting=True:TFJobRestarting');
  });

  test('ExitCode 1 fails the job permanently, with a completion time', () => {
    const world = new World(exitCodeJob().obj());
    world.step();
    world.setPhase('test-noretry-exit-code-worker-0', 'Failed', 1).advance(5).step();
    const failed = world.job.status!.conditions!.at(-1)!;
    assert.equal(failed.type, 'Failed');
    assert.equal(failed.reason, 'TFJobFailed');
    assert.equal(
      failed.message,
      'job "test-noretry-exit-code" is failing because "Worker" replica(s) failed.',
    );
    assert.equal(world.job.status!.completionTime, '2026-01-01T00:00:05Z');
  });

  test('backoffLimit 3 with 3 container restarts fails the job and removes every pod', () => {
    const world = new World(pytorch().runPolicy({ backoffLimit: 3, cleanPodPolicy: 'None' }).obj());
    world.step();
    world.setPhase('demo-master-0', 'Running');
    world.pod('demo-master-0').status!.containerStatuses = [
      { name: 'pytorch', image: '', imageID: '', ready: true, restartCount: 3 },
    ];
    world.step();
    assert.deepEqual(world.objects, []);
    assert.equal(
      world.job.status!.conditions!.at(-1)!.message,
      'Job demo has failed because it has reached the specified backoff limit',
    );
  });

  test('activeDeadlineSeconds: a timer to the deadline, then failure with every pod removed', () => {
    const world = new World(pytorch().runPolicy({ activeDeadlineSeconds: 5 }).obj());
    assert.equal(world.step().requeueAfterMs, 5000);
    world.advance(5).step();
    assert.deepEqual(world.objects, []);
    assert.equal(world.conditions().at(-1), 'Failed=True:PyTorchJobFailed');
    assert.equal(
      world.job.status!.conditions!.at(-1)!.message,
      'Job demo has failed because it was active longer than specified deadline',
    );
  });

  test('ttlSecondsAfterFinished: a timer after completion, then the job is deleted', () => {
    const world = new World(pytorch().runPolicy({ ttlSecondsAfterFinished: 5 }).obj());
    world.step();
    world.setPhase('demo-master-0', 'Succeeded').step();
    assert.equal(world.step().requeueAfterMs, 5000);
    assert.equal(world.advance(5).step().deleteJob, true);
    assert.deepEqual(world.last!.metrics, ['deleted']);
  });

  test('scaling down deletes pods and services past the new count', () => {
    const world = new World(pytorch().obj());
    world.step();
    replicaSpecs(world.job).Worker.replicas = 1;
    world.step();
    assert.deepEqual(world.names('Pod'), ['demo-master-0', 'demo-worker-0']);
    assert.deepEqual(world.names('Service'), ['demo-master-0', 'demo-worker-0']);
  });
});

describe('framework status rules (UpdateJobStatus)', () => {
  const tf = (workers: number) => makeJob('TFJob', 'tf', 'ns').replicas('Worker', workers).replicas('PS', 1);

  test('TF: worker 0 completing completes the job, unless successPolicy is AllWorkers', () => {
    const world = new World(tf(3).obj());
    world.step();
    world.setPhase('tf-worker-0', 'Succeeded', 0).setPhase('tf-worker-1', 'Running').step();
    assert.equal(world.conditions().at(-1), 'Succeeded=True:TFJobSucceeded');
    assert.equal(world.job.status!.conditions!.at(-1)!.message, 'TFJob ns/tf successfully completed.');

    const all = new World(tf(3).spec({ successPolicy: 'AllWorkers' }).obj());
    all.step();
    all.setPhase('tf-worker-0', 'Succeeded', 0).setPhase('tf-worker-1', 'Running').step();
    assert.equal(all.conditions().at(-1), 'Running=True:TFJobRunning');
  });

  test('TF: a failed PS fails the job (Never)', () => {
    const world = new World(tf(2).obj());
    world.step();
    world.setPhase('tf-ps-0', 'Failed', 1).step();
    assert.equal(
      world.job.status!.conditions!.at(-1)!.message,
      'TFJob ns/tf has failed because 1 PS replica(s) failed.',
    );
  });

  test('TF: a chief that succeeded wins over workers failing in the same pass', () => {
    const world = new World(makeJob('TFJob', 'c', 'ns').replicas('Chief', 1).replicas('Worker', 2).obj());
    world.step();
    world.setPhase('c-chief-0', 'Succeeded', 0).setPhase('c-worker-0', 'Failed', 1).step();
    assert.deepEqual(world.conditions(), ['Created=True:TFJobCreated', 'Succeeded=True:TFJobSucceeded']);
  });

  test('XGBoost: a failed worker under OnFailure restarts instead of failing the job', () => {
    const world = new World(
      makeJob('XGBoostJob', 'x')
        .replicas('Master', 1)
        .replicas('Worker', 2, { restartPolicy: 'OnFailure' })
        .obj(),
    );
    world.step();
    world.setPhase('x-master-0', 'Running').setPhase('x-worker-1', 'Failed', 1).step();
    assert.equal(world.conditions().at(-1), 'Restarting=True:XGBoostJobRestarting');
  });

  test('MPI: the launcher decides, workers are counted', () => {
    const world = new World(makeJob('MPIJob', 'pi').replicas('Launcher', 1).replicas('Worker', 2).obj());
    world.step();
    world
      .setPhase('pi-launcher', 'Running')
      .setPhase('pi-worker-0', 'Running')
      .setPhase('pi-worker-1', 'Running')
      .step();
    assert.deepEqual(world.job.status!.replicaStatuses, { Launcher: { active: 1 }, Worker: { active: 2 } });
    assert.equal(world.conditions().at(-1), 'Running=True:MPIJobRunning');
    const config = world.objects.find((o) => o.kind === 'ConfigMap')!.data as Record<string, string>;
    assert.equal(config['discover_hosts.sh'], '#!/bin/sh\necho pi-worker-0:1\necho pi-worker-1:1');
    world.setPhase('pi-launcher', 'Succeeded').step();
    assert.equal(world.job.status!.conditions!.at(-1)!.message, 'MPIJob pi is successfully completed.');
  });

  test('JAX: all workers done → Succeeded with the namespaced message', () => {
    const world = new World(makeJob('JAXJob', 'j', 'ns').replicas('Worker', 2).obj());
    world.step();
    world.setPhase('j-worker-0', 'Succeeded').setPhase('j-worker-1', 'Succeeded').step();
    assert.equal(world.job.status!.conditions!.at(-1)!.message, 'JAXJob ns/j successfully completed.');
  });
});

describe('events the reference emits', () => {
  test('a pod template restartPolicy is overwritten, with a warning when its pods are made', () => {
    const job = pytorch().obj();
    (
      job.spec.pytorchReplicaSpecs as Record<string, { template: { spec: { restartPolicy?: string } } }>
    ).Worker.template.spec.restartPolicy = 'Always';
    const world = new World(job);
    const plan = world.step();
    assert.deepEqual(
      plan.events.map((e) => `${e.type}/${e.reason}`),
      ['Warning/SetPodTemplateRestartPolicy'],
    );
    assert.equal(world.pod('demo-worker-0').spec!.restartPolicy, 'OnFailure');
  });
});

describe('gang scheduling with Volcano (common/scheduling.go)', () => {
  test('pods wait until the PodGroup leaves Pending', () => {
    const world = new World(pytorch().obj(), { gangSchedulerName: 'volcano' });
    world.step();
    assert.deepEqual(world.names('Pod'), []);
    assert.deepEqual(world.names('PodGroup'), ['demo']);
    world.step();
    assert.equal(world.writes(), 0);
    world.objects[0].status = { phase: 'Inqueue' };
    world.step();
    assert.equal(world.names('Pod').length, 3);
  });
});
