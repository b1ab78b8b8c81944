// The construct tree of a job (src/render/chart.ts) and its synthesis (src/render/manifest.ts): the tree
// is the topology, and synthesizing it by hand gives exactly what cdk8s's own synthesis gives.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ApiObject, JsonPatch } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { readJobs, inNamespace } from '../../src/cli/input.ts';
import { validateJob } from '../../src/api/validate.ts';
import type { Job } from '../../src/api/types.ts';
import { DEFAULT_RENDER_OPTIONS } from '../../src/frameworks/framework.ts';
import { withDefaults } from '../../src/frameworks/registry.ts';
import { ManifestObject, synthesize } from '../../src/render/manifest.ts';
import { jobChart } from '../../src/render/render.ts';
import { makeJob } from '../support/builders.ts';

const root = join(import.meta.dirname, '../..');
const corpusFiles = [
  ...readdirSync(join(root, 'test/fixtures/compat/upstream-examples')).map((file) =>
    join(root, 'test/fixtures/compat/upstream-examples', file),
  ),
  ...readdirSync(join(root, 'examples')).map((file) => join(root, 'examples', file)),
].filter((file) => file.endsWith('.yaml'));

/** Every job of the corpus as the API server stores it, with a uid so objects carry owner references. */
function corpus(): Job[] {
  return readJobs(corpusFiles).flatMap(({ job }, index) => {
    const { stored, errors } = validateJob(inNamespace(job, 'default'), undefined, {
      fieldValidation: 'Warn',
    });
    if (errors.length > 0 || !stored.metadata.name) return [];
    return [{ ...stored, metadata: { ...stored.metadata, uid: `uid-${index}` } }];
  });
}

const paths = (construct: IConstruct) => construct.node.children.map((child) => child.node.id);

describe('the construct tree of a job', () => {
  test('an MPIJob: gang scheduling, then what MPI adds, then a Replicas construct per replica type', () => {
    const job = withDefaults(
      makeJob('MPIJob', 'mpi').replicas('Launcher', 1).replicas('Worker', 2).uid('u1').obj(),
    );
    const chart = jobChart(job, { ...DEFAULT_RENDER_OPTIONS, gangSchedulerName: 'volcano' });
    assert.deepEqual(paths(chart), [
      'GangScheduling',
      'MpiConfig',
      'LauncherAccess',
      'replicas-Launcher',
      'replicas-Worker',
    ]);
    assert.deepEqual(paths(chart.node.findChild('LauncherAccess')), [
      'ServiceAccount',
      'Role',
      'RoleBinding',
    ]);
    assert.deepEqual(paths(chart.node.findChild('replicas-Worker')), ['pod-0', 'pod-1']);
    assert.equal(chart.namespace, 'default');
    assert.deepEqual(
      synthesize(chart).map((o) => `${o.kind}/${o.metadata.name}`),
      [
        'PodGroup/mpi',
        'ConfigMap/mpi-config',
        'ServiceAccount/mpi-launcher',
        'Role/mpi-launcher',
        'RoleBinding/mpi-launcher',
        'Pod/mpi-launcher',
        'Pod/mpi-worker-0',
        'Pod/mpi-worker-1',
      ],
    );
  });

  test('a PyTorchJob: each pod with its headless service, under its replica type', () => {
    const job = withDefaults(makeJob('PyTorchJob', 'pt').replicas('Master', 1).replicas('Worker', 1).obj());
    const chart = jobChart(job, DEFAULT_RENDER_OPTIONS);
    assert.deepEqual(paths(chart), ['replicas-Master', 'replicas-Worker']);
    assert.deepEqual(paths(chart.node.findChild('replicas-Worker')), ['pod-0', 'service-0']);
  });

  test('pod template fields the operator does not know survive, at any depth', () => {
    const built = makeJob('TFJob', 'future')
      .replicas('Worker', 1, { container: { futureContainerField: { mode: 'x' } } as object })
      .obj();
    const template = (built.spec.tfReplicaSpecs as Record<string, { template: { spec: object } }>).Worker
      .template;
    Object.assign(template.spec, { futurePodField: [{ a: 1 }] });
    const [pod] = synthesize(jobChart(withDefaults(built), DEFAULT_RENDER_OPTIONS));
    const spec = pod.spec as { futurePodField: unknown; containers: { futureContainerField: unknown }[] };
    assert.deepEqual(spec.futurePodField, [{ a: 1 }]);
    assert.deepEqual(spec.containers[0].futureContainerField, { mode: 'x' });
  });

  test("cdk8s's own means still apply: JSON patches and metadata changes show in the output", () => {
    const job = withDefaults(makeJob('JAXJob', 'jax').replicas('Worker', 1).obj());
    const chart = jobChart(job, DEFAULT_RENDER_OPTIONS);
    const pod = chart.node.findChild('replicas-Worker').node.findChild('pod-0') as ManifestObject;
    pod.metadata.addAnnotation('team', 'vision');
    pod.addJsonPatch(JsonPatch.add('/spec/hostname', 'fixed'));
    const [json] = synthesize(chart);
    assert.equal(json.metadata.annotations?.team, 'vision');
    assert.equal((json.spec as { hostname: string }).hostname, 'fixed');
  });
});

describe('synthesis equals cdk8s synthesis for every job of the corpus', () => {
  const jobs = corpus();
  test('the corpus is all there', () => assert.ok(jobs.length >= 25, `only ${jobs.length} jobs`));
  for (const gangSchedulerName of [undefined, 'volcano', 'scheduler-plugins']) {
    test(`gang scheduler ${gangSchedulerName ?? 'none'}: each object, and the chart's order`, () => {
      const options = { ...DEFAULT_RENDER_OPTIONS, gangSchedulerName };
      for (const job of jobs) {
        const chart = jobChart(withDefaults(job), options);
        for (const object of chart.node.findAll()) {
          if (!(object instanceof ApiObject)) continue;
          assert.deepStrictEqual(
            JSON.stringify(object.toJson()),
            JSON.stringify(ApiObject.prototype.toJson.call(object)),
            `${job.metadata.name}: ${object.node.path}`,
          );
        }
        assert.deepStrictEqual(synthesize(chart), chart.toJson(), job.metadata.name);
      }
    });
  }
});
