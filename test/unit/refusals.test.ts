import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JobStatus } from '../../src/api/types.ts';
import { afterRefusals, retryAfterMs, type Refusal } from '../../src/reconcile/refusals.ts';
import { setReplicaFailure } from '../../src/status/conditions.ts';
import { makeJob } from '../support/builders.ts';
import { World } from '../support/world.ts';

const pytorch = () => makeJob('PyTorchJob', 'demo', 'ns').replicas('Master', 1).replicas('Worker', 2);
const QUOTA = {
  code: 403,
  message:
    'pods "demo-worker-1" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2',
};
const INVALID = {
  code: 422,
  message: 'Pod "demo-worker-0" is invalid: spec.containers[1].name: Invalid value: "Side_Car"',
};
/** The State column: the type of the last condition. */
const state = (world: World) => world.job.status!.conditions!.at(-1)!.type;

describe('setReplicaFailure', () => {
  const created = { type: 'Created', status: 'True', reason: 'PyTorchJobCreated', message: 'created' };
  const running = { type: 'Running', status: 'True', reason: 'PyTorchJobRunning', message: 'running' };

  test('goes before the last condition, so the State column keeps the job state', () => {
    const status: JobStatus = { conditions: [created, running] };
    assert.ok(setReplicaFailure(status, { reason: 'FailedCreate', message: 'refused' }, 'T1'));
    assert.deepEqual(
      status.conditions!.map((c) => c.type),
      ['Created', 'ReplicaFailure', 'Running'],
    );
    assert.deepEqual(status.conditions![1], {
      type: 'ReplicaFailure',
      status: 'True',
      reason: 'FailedCreate',
      message: 'refused',
      lastUpdateTime: 'T1',
      lastTransitionTime: 'T1',
    });
  });

  test('the same refusal again changes nothing; a new message keeps the first transition time', () => {
    const status: JobStatus = { conditions: [created] };
    setReplicaFailure(status, { reason: 'FailedCreate', message: 'refused' }, 'T1');
    assert.equal(setReplicaFailure(status, { reason: 'FailedCreate', message: 'refused' }, 'T2'), false);
    assert.ok(setReplicaFailure(status, { reason: 'FailedCreate', message: 'other' }, 'T3'));
    const condition = status.conditions!.find((c) => c.type === 'ReplicaFailure')!;
    assert.deepEqual(
      [condition.message, condition.lastUpdateTime, condition.lastTransitionTime],
      ['other', 'T3', 'T1'],
    );
    assert.equal(status.conditions!.at(-1)!.type, 'Created');
  });

  test('removed when the failure is gone; nothing to remove is no change', () => {
    const status: JobStatus = { conditions: [created] };
    assert.equal(setReplicaFailure(status, undefined, 'T1'), false);
    setReplicaFailure(status, { reason: 'FailedDelete', message: 'refused' }, 'T1');
    assert.ok(setReplicaFailure(status, undefined, 'T2'));
    assert.deepEqual(status.conditions, [created]);
  });
});

describe('refused creates', () => {
  test('a quota refusal: Created and ReplicaFailure in one write, the other objects made, retries 1 s to 30 s', () => {
    const world = new World(pytorch().obj());
    world.refused.set('Pod/demo-worker-1', QUOTA);
    const plan = world.step();
    assert.deepEqual(world.names('Pod'), ['demo-master-0', 'demo-worker-0']);
    assert.deepEqual(world.conditions(), [
      'ReplicaFailure=True:FailedCreate',
      'Created=True:PyTorchJobCreated',
    ]);
    assert.equal(world.job.status!.conditions![0].message, QUOTA.message);
    assert.equal(plan.requeueAfterMs, 1000);

    // Refused again: the status stays as written, and the retries space out.
    assert.equal(world.advance(5).step().status, undefined);
    assert.equal(world.last!.requeueAfterMs, 5000);
    assert.equal(world.advance(300).step().status, undefined);
    assert.equal(world.last!.requeueAfterMs, 30_000);

    // The pods that exist run; the State column shows it.
    world.setPhase('demo-master-0', 'Running').step();
    assert.equal(state(world), 'Running');
    assert.deepEqual(world.conditions(), [
      'ReplicaFailure=True:FailedCreate',
      'Created=True:PyTorchJobCreated',
      'Running=True:PyTorchJobRunning',
    ]);

    // The quota is raised: the pod is made and the condition goes.
    world.refused.clear();
    world.step();
    assert.deepEqual(world.names('Pod'), ['demo-master-0', 'demo-worker-0', 'demo-worker-1']);
    assert.deepEqual(world.conditions(), [
      'Created=True:PyTorchJobCreated',
      'Running=True:PyTorchJobRunning',
    ]);
    assert.equal(world.last!.requeueAfterMs, undefined);
  });

  test('an invalid pod fails the job at once; its pods and services then go, whatever cleanPodPolicy says', () => {
    const world = new World(pytorch().runPolicy({ cleanPodPolicy: 'None' }).obj());
    world.refused.set('Pod/demo-worker-0', INVALID);
    const plan = world.step();
    assert.deepEqual(world.conditions(), [
      'ReplicaFailure=True:FailedCreate',
      'Created=True:PyTorchJobCreated',
      'Failed=True:PyTorchJobFailed',
    ]);
    assert.equal(
      world.job.status!.conditions![2].message,
      'PyTorchJob demo has failed because the API server refuses its Pod demo-worker-0 as invalid.',
    );
    assert.equal(world.job.status!.completionTime, '2026-01-01T00:00:00Z');
    assert.deepEqual(
      plan.events.filter((e) => e.reason === 'PyTorchJobFailed').map((e) => e.type),
      ['Warning'],
    );
    assert.ok(plan.metrics.includes('failed'));
    assert.equal(plan.requeueAfterMs, undefined);

    world.step();
    assert.deepEqual(world.names('Pod'), []);
    assert.deepEqual(world.names('Service'), []);
    // The condition stays: it is why the job never ran whole.
    assert.equal(world.advance(10).step().status, undefined);
    assert.deepEqual(world.conditions(), [
      'ReplicaFailure=True:FailedCreate',
      'Created=True:PyTorchJobCreated',
      'Failed=True:PyTorchJobFailed',
    ]);
  });

  test('a job failed without refusals keeps its pods by cleanPodPolicy None', () => {
    const world = new World(pytorch().replicas('Worker', 1, { restartPolicy: 'Never' }).obj());
    world.step();
    world.setPhase('demo-worker-0', 'Failed', 1).step();
    assert.equal(state(world), 'Failed');
    world.step();
    assert.deepEqual(world.names('Pod'), ['demo-master-0', 'demo-worker-0']);
  });
});

test('a job another controller manages keeps the ReplicaFailure it was given', () => {
  const job = pytorch().runPolicy({ managedBy: 'kueue.x-k8s.io/multikueue' }).obj();
  const failure = { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'refused' };
  job.status = { conditions: [failure, { type: 'Created', status: 'True' }] };
  const world = new World(job);
  assert.equal(world.step().status, undefined);
});

describe('afterRefusals', () => {
  const job = pytorch().obj();
  const now = new Date('2026-01-01T00:01:00Z');
  const created = {
    type: 'Created',
    status: 'True',
    reason: 'PyTorchJobCreated',
    message: 'PyTorchJob demo is created.',
  };
  const refusal = (verb: Refusal['verb'], code: number, name = 'demo-worker-0'): Refusal => ({
    verb,
    kind: 'Pod',
    name,
    code,
    message: `pods "${name}" is forbidden`,
  });

  test('names the invalid object first when refusals of several kinds come together', () => {
    const { status } = afterRefusals(
      job,
      { conditions: [created] },
      [refusal('create', 403, 'demo-worker-0'), refusal('create', 422, 'demo-worker-1')],
      now,
    );
    assert.equal(
      status.conditions!.find((c) => c.type === 'ReplicaFailure')!.message,
      'pods "demo-worker-1" is forbidden',
    );
  });

  test('a refused delete is FailedDelete and never fails the job, even as 422', () => {
    const outcome = afterRefusals(job, { conditions: [created] }, [refusal('delete', 422)], now);
    assert.deepEqual(
      outcome.status.conditions!.map((c) => `${c.type}:${c.reason}`),
      ['ReplicaFailure:FailedDelete', 'Created:PyTorchJobCreated'],
    );
    assert.equal(outcome.retryAfterMs, 1000);
  });

  test('a finished job drops a FailedDelete once deletes pass', () => {
    const failed = { type: 'Failed', status: 'True', reason: 'PyTorchJobFailed', message: 'failed' };
    const status: JobStatus = { conditions: [created, failed] };
    setReplicaFailure(status, { reason: 'FailedDelete', message: 'refused' }, 'T1');
    assert.deepEqual(afterRefusals(job, status, [], now).status.conditions, [created, failed]);
  });

  test('the input status is left as it was', () => {
    const status: JobStatus = { conditions: [created] };
    afterRefusals(job, status, [refusal('create', 422)], now);
    assert.deepEqual(status, { conditions: [created] });
  });
});

describe('retryAfterMs', () => {
  const at = (since: string | undefined, now: string) =>
    retryAfterMs(
      {
        conditions: since ? [{ type: 'ReplicaFailure', status: 'True', lastTransitionTime: since }] : [],
      },
      new Date(now),
    );

  test('as long as refused so far, between 1 s and 30 s', () => {
    assert.equal(at(undefined, '2026-01-01T00:00:00Z'), 1000);
    assert.equal(at('2026-01-01T00:00:00Z', '2026-01-01T00:00:00.300Z'), 1000);
    assert.equal(at('2026-01-01T00:00:00Z', '2026-01-01T00:00:08Z'), 8000);
    assert.equal(at('2026-01-01T00:00:00Z', '2026-01-01T05:00:00Z'), 30_000);
  });
});
