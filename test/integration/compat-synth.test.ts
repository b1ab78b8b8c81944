// `synth` tells the truth: for every job of the compatibility corpus (test/fixtures/compat), the objects
// that the in-process render (what `training-operator synth` prints) gives for the job as the API server
// stored it are exactly the objects the operator creates for that job on the API server.
//
// Normalised on principle, not by a list of fields: before the operator runs, each synthesized object is
// created with a server-side dry run, so it gets the same defaults and admission as the operator's real
// create. The two results are then compared whole, less what the server assigns per object (uid,
// resourceVersion, creationTimestamp, managedFields) and status, which the operator does not write.
// Pods stay Pending (no kubelet in envtest mode), so MPI's host list is the same empty one synth renders.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import YAML from 'yaml';
import { API_VERSION } from '../../src/api/kinds.ts';
import type { Job, KubeObject } from '../../src/api/types.ts';
import { DEFAULT_RENDER_OPTIONS, type RenderOptions } from '../../src/frameworks/framework.ts';
import { withDefaults } from '../../src/frameworks/registry.ts';
import { KubeClient } from '../../src/kube/client.ts';
import { loadKubeConfig } from '../../src/kube/config.ts';
import {
  CONFIG_MAP,
  HPA,
  POD,
  ROLE,
  ROLE_BINDING,
  SCHEDULER_PLUGINS_POD_GROUP,
  SERVICE,
  SERVICE_ACCOUNT,
  VOLCANO_POD_GROUP,
} from '../../src/kube/resources.ts';
import { render } from '../../src/render/render.ts';
import * as harness from './harness.ts';
import { createJob, getJob, settle, startOperator, type Operator } from './operator.ts';

const corpusDir = join(import.meta.dirname, '../fixtures/compat/upstream-examples');

/** Every kind of object the operator can create for a job. */
const OWNED_RESOURCES = [
  POD,
  SERVICE,
  CONFIG_MAP,
  SERVICE_ACCOUNT,
  ROLE,
  ROLE_BINDING,
  HPA,
  VOLCANO_POD_GROUP,
  SCHEDULER_PLUGINS_POD_GROUP,
];

/** Set by the API server for each object it stores, or written by others than the operator. */
const SERVER_ASSIGNED = ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields'] as const;

interface Case {
  file: string;
  namespace: string;
  jobs: Job[];
  /** The synthesized objects after a server-side dry-run create, keyed `Kind/name`. */
  synthesized: Map<string, KubeObject>;
}

/** The project's raw-JSON client: what it sends and receives is what the API server has, field for field. */
let kube: KubeClient;

function normalized(object: KubeObject): KubeObject {
  const copy = structuredClone(object) as KubeObject & { status?: unknown };
  delete copy.status;
  for (const field of SERVER_ASSIGNED) delete copy.metadata[field];
  return copy;
}

const keyOf = (object: KubeObject) => `${object.kind}/${object.metadata.name}`;

function byKey(objects: KubeObject[]): Map<string, KubeObject> {
  return new Map(objects.map((object) => [keyOf(object), normalized(object)]));
}

/** Creates the file's jobs in a namespace of their own, reads them back and dry-runs what synth renders. */
async function prepare(file: string, options: RenderOptions): Promise<Case> {
  const namespace = await harness.namespace('compat-synth');
  const documents = YAML.parseAllDocuments(readFileSync(join(corpusDir, file), 'utf8'))
    .map((document) => document.toJS() as Job | null)
    .filter((job): job is Job => job?.apiVersion === API_VERSION);
  const jobs: Job[] = [];
  for (const document of documents) {
    const created = await createJob(
      { ...document, metadata: { ...document.metadata, namespace } },
      { schedulable: true },
    );
    jobs.push(await getJob(namespace, created.kind, created.metadata.name));
  }
  const desired = jobs.flatMap((job) => render(withDefaults(job), options));
  assert.ok(desired.length > 0, `synth renders nothing for ${file}`);
  const dryRun = await Promise.all(desired.map((object) => kube.create(object, { dryRun: true })));
  return { file, namespace, jobs, synthesized: byKey(dryRun) };
}

/** Everything in the namespace whose controller is one of the jobs. */
async function ownedObjects({ namespace, jobs }: Case): Promise<Map<string, KubeObject>> {
  const uids = new Set(jobs.map((job) => job.metadata.uid));
  const lists = await Promise.all(OWNED_RESOURCES.map((r) => kube.list<KubeObject>(r, { namespace })));
  const listed = lists.flatMap((list) => list.items);
  return byKey(
    listed.filter((object) =>
      object.metadata.ownerReferences?.some((owner) => owner.controller && uids.has(owner.uid)),
    ),
  );
}

const files = readdirSync(corpusDir)
  .filter((file) => file.endsWith('.yaml'))
  .sort();

before(async () => {
  assert.ok(files.length >= 20, `only ${files.length} files in ${corpusDir}`);
  const kubeconfig = harness.cluster().kubeconfigPath;
  kube = await KubeClient.create(loadKubeConfig({ kubeconfig }), {
    qps: 0,
    fieldManager: 'compat-synth-test',
  });
});
after(() => kube?.close());

/**
 * Without gang scheduling, and with scheduler-plugins' (PodGroups and decorated pods). Not with Volcano:
 * there the operator creates pods only once Volcano has admitted the PodGroup, which envtest mode lacks.
 */
const VARIANTS: [string, RenderOptions][] = [
  ['', DEFAULT_RENDER_OPTIONS],
  [
    ', with --gang-scheduler scheduler-plugins',
    { ...DEFAULT_RENDER_OPTIONS, gangSchedulerName: 'scheduler-plugins' },
  ],
];

for (const [variant, options] of VARIANTS) {
  describe(`synth output equals what the operator creates, for every job of the compatibility corpus${variant}`, () => {
    const cases = new Map<string, Case>();
    let operator: Operator | undefined;

    before(async () => {
      for (const file of files) cases.set(file, await prepare(file, options));
      operator = await startOperator(
        [...cases.values()].map((c) => c.namespace),
        { render: options },
      );
      const expected = [...cases.values()].reduce((sum, c) => sum + c.synthesized.size, 0);
      await harness.waitFor(
        async () => {
          let created = 0;
          for (const c of cases.values()) created += (await ownedObjects(c)).size;
          return created >= expected;
        },
        120_000,
        `the operator to create the ${expected} objects synth renders`,
      );
      await settle(operator, 2000, 60_000);
    });
    after(() => operator?.stop());

    for (const file of files) {
      test(file, async () => {
        const c = cases.get(file)!;
        const created = await ownedObjects(c);
        const keys = [...c.synthesized.keys()].sort();
        if (options.gangSchedulerName)
          assert.ok(
            keys.some((key) => key.startsWith('PodGroup/')),
            'a PodGroup',
          );
        assert.deepEqual([...created.keys()].sort(), keys, 'the same objects');
        for (const [key, synthesized] of c.synthesized) assert.deepEqual(created.get(key), synthesized, key);
      });
    }
  });
}
