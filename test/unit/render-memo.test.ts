// The reconciler renders a job again only when something render reads has changed (src/render/memo.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Job } from '../../src/api/types.ts';
import { DEFAULT_RENDER_OPTIONS } from '../../src/frameworks/framework.ts';
import { withDefaults } from '../../src/frameworks/registry.ts';
import { RenderMemo, renderMemo } from '../../src/render/memo.ts';
import { render } from '../../src/render/render.ts';
import { makeJob } from '../support/builders.ts';
import { World } from '../support/world.ts';

/** Renders and reuses of the operator's memo during `run`. */
function counted(run: () => void): { renders: number; reused: number } {
  const before = { ...renderMemo.counts };
  run();
  return {
    renders: renderMemo.counts.renders - before.renders,
    reused: renderMemo.counts.reused - before.reused,
  };
}

const pytorch = (name: string) =>
  makeJob('PyTorchJob', name).replicas('Master', 1).replicas('Worker', 2).uid(`uid-${name}`).obj();
const mpi = (name: string) =>
  makeJob('MPIJob', name).replicas('Launcher', 1).replicas('Worker', 2).uid(`uid-${name}`).obj();

describe('render memo in the reconciler', () => {
  test('a job whose spec is unchanged renders once, however its pods and status move', () => {
    const world = new World(pytorch('steady'));
    assert.deepEqual(
      counted(() => world.step()),
      { renders: 1, reused: 0 },
    );
    assert.equal(world.names('Pod').length, 3);
    const later = counted(() => {
      world.step();
      world.setPhase('steady-master-0', 'Running').setPhase('steady-worker-0', 'Running');
      world.step();
      world.advance(30).step();
    });
    assert.deepEqual(later, { renders: 0, reused: 3 });
    assert.ok(world.conditions().includes('Running=True:PyTorchJobRunning'), world.conditions().join());
  });

  test('a changed spec, annotation or option renders again', () => {
    const world = new World(pytorch('changing'));
    world.step();
    world.job = structuredClone(world.job);
    assert.equal(counted(() => world.step()).renders, 0, 'an equal copy of the job is the same input');
    (world.job.spec.runPolicy ??= {}).schedulingPolicy = { minAvailable: 2 };
    assert.equal(counted(() => world.step()).renders, 1, 'spec');
    world.job.metadata.annotations = { team: 'vision' };
    assert.equal(counted(() => world.step()).renders, 1, 'annotations');
    world.options = { gangSchedulerName: 'scheduler-plugins' };
    assert.equal(counted(() => world.step()).renders, 1, 'options');
    assert.equal(counted(() => world.step()).renders, 0);
  });

  test('MPI renders again when a worker starts running: discover_hosts.sh lists it', () => {
    const world = new World(mpi('hosts'));
    world.step();
    world.step();
    assert.equal(counted(() => world.setPhase('hosts-launcher', 'Running').step()).renders, 0);
    const started = counted(() => world.setPhase('hosts-worker-1', 'Running').step());
    assert.deepEqual(started, { renders: 1, reused: 0 });
    const [configMap] = world.last!.update;
    assert.equal(configMap.kind, 'ConfigMap');
    assert.match((configMap.data as Record<string, string>)['discover_hosts.sh'], /echo hosts-worker-1:1/);
  });
});

describe('RenderMemo', () => {
  const options = DEFAULT_RENDER_OPTIONS;
  const observed = { pods: [] };

  test('gives what render gives, as a new array each time', () => {
    const memo = new RenderMemo(10);
    const job = withDefaults(pytorch('same'));
    const first = memo.render(job, options, observed);
    const second = memo.render(job, options, observed);
    assert.deepEqual(first, render(job, options, observed));
    assert.deepEqual(second, first);
    assert.notEqual(second, first);
    assert.deepEqual(memo.counts, { renders: 1, reused: 1 });
  });

  test('keeps the jobs used most recently, up to its limit', () => {
    const memo = new RenderMemo(2);
    const [a, b, c] = ['a', 'b', 'c'].map((name): Job => withDefaults(pytorch(name)));
    for (const job of [a, b, a, c]) memo.render(job, options, observed);
    assert.deepEqual(memo.counts, { renders: 3, reused: 1 });
    memo.render(a, options, observed);
    assert.deepEqual(memo.counts, { renders: 3, reused: 2 }, 'a was used after b, so b went');
    memo.render(b, options, observed);
    assert.deepEqual(memo.counts, { renders: 4, reused: 2 });
  });
});
