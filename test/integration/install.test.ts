// The install manifests on a real API server (RBAC authorizer, Pod Security admission, TokenRequest):
// the operator runs under the chart's ServiceAccount, with a token the API server issued for it, and
// takes a job of every kind to Succeeded; what it may not do is refused; the launcher-Role rules are
// shown to be necessary; the chart installs, upgrades and uninstalls with helm; the pod passes the
// "restricted" Pod Security profile; install-manifests applies with server-side apply.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import {
  ApiException,
  AuthorizationV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  RbacAuthorizationV1Api,
  type V1PolicyRule,
} from '@kubernetes/client-node';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { API_VERSION, KIND_NAMES, KINDS, LABELS, type KindName } from '../../src/api/kinds.ts';
import type { Job, KubeObject } from '../../src/api/types.ts';
import { DEFAULT_RENDER_OPTIONS } from '../../src/frameworks/framework.ts';
import { withDefaults } from '../../src/frameworks/registry.ts';
import { KubeClient } from '../../src/kube/client.ts';
import { Manager } from '../../src/manager/manager.ts';
import type { ManagerOptions } from '../../src/manager/options.ts';
import { render } from '../../src/render/render.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { freePort } from '../cluster/probe.ts';
import * as harness from './harness.ts';

const root = join(import.meta.dirname, '..', '..');
const BIN = join(root, 'bin', 'training-operator.js');
const CHART = join(root, 'charts', 'training-operator');
const execFileAsync = promisify(execFile);

const scratch = mkdtempSync(join(tmpdir(), 'install-test-'));
const processes: ChildProcess[] = [];
after(() => {
  for (const child of processes) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

type Json = Record<string, unknown>;

const helm = (args: string[]) => harness.helm(args, scratch);

const yamlObjects = (text: string) =>
  parseAllDocuments(text)
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);

/** A release name with the chart's name in it, so that fullname is the release name, unique per test. */
const releaseName = () => `training-operator-${randomBytes(3).toString('hex')}`;

async function renderChart(release: string, namespace: string, values: object = {}): Promise<KubeObject[]> {
  const file = join(scratch, `${release}.json`);
  writeFileSync(file, JSON.stringify(values));
  return yamlObjects(await helm(['template', release, CHART, '--namespace', namespace, '--values', file]));
}

const toYaml = (objects: KubeObject[]) => objects.map((object) => stringify(object)).join('---\n');

function applyServerSide(objects: KubeObject[], ...flags: string[]): Promise<string> {
  return harness.kubectl(
    ['apply', '--server-side', '--field-manager=install-test', ...flags, '-f', '-'],
    toYaml(objects),
  );
}

const find = (objects: KubeObject[], kind: string) => objects.find((object) => object.kind === kind)!;
const podTemplate = (objects: KubeObject[]) =>
  (find(objects, 'Deployment').spec as Json).template as KubeObject;
const containerArgs = (objects: KubeObject[]) =>
  (podTemplate(objects).spec as { containers: { args: string[] }[] }).containers[0].args;

/** A kubeconfig for a ServiceAccount, with a token from the TokenRequest API (`kubectl create token`). */
async function serviceAccountConfig(
  namespace: string,
  name: string,
): Promise<{ kc: KubeConfig; file: string }> {
  const token = (await harness.kubectl(['create', 'token', name, '-n', namespace, '--duration=1h'])).trim();
  const cluster = harness.cluster().kubeConfig.getCurrentCluster()!;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'test', server: cluster.server, caData: cluster.caData, skipTLSVerify: false }],
    users: [{ name, token }],
    contexts: [{ name: 'test', cluster: 'test', user: name }],
    currentContext: 'test',
  });
  const file = join(scratch, `${namespace}-${name}.kubeconfig`);
  writeFileSync(file, kc.exportConfig(), { mode: 0o600 });
  return { kc, file };
}

/** What the API server answers this identity about one request (a SelfSubjectAccessReview). */
async function canI(kc: KubeConfig, verb: string, resource: string, attributes: Json = {}): Promise<boolean> {
  const review = await kc.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
    body: { spec: { resourceAttributes: { verb, resource, ...attributes } } },
  });
  return review.status?.allowed ?? false;
}

/** Resolves with the HTTP status of an API call that must fail, and the API server's message. */
async function refusal(call: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const { message } = JSON.parse(String(error.body)) as { message: string };
    return { code: error.code, message };
  }
  throw new Error('the request was allowed');
}

/** The repository's example of `kind` (the elastic one for PyTorch: it adds an HPA), in `namespace`. */
function exampleJob(kind: KindName, namespace: string): Job {
  const file = kind === 'PyTorchJob' ? 'pytorchjob-elastic.yaml' : `${kind.toLowerCase()}.yaml`;
  const job = parse(readFileSync(join(root, 'examples', file), 'utf8')) as Job;
  return { ...job, metadata: { ...job.metadata, namespace } };
}

const jobApi = () => harness.client(CustomObjectsApi);
const jobRef = (job: Job) => ({
  group: 'kubeflow.org',
  version: 'v1',
  plural: KINDS[job.kind].plural,
  namespace: job.metadata.namespace!,
  name: job.metadata.name,
});

async function readJob(job: Job): Promise<Job | undefined> {
  try {
    return (await jobApi().getNamespacedCustomObject(jobRef(job))) as Job;
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return undefined;
    throw error;
  }
}

const hasCondition = (job: Job | undefined, type: string) =>
  job?.status?.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;

/**
 * Plays the kubelet until `done` holds for the job as stored (undefined once deleted): pending pods
 * start running; once the operator says the job runs, running pods succeed. Works for every kind,
 * whatever order its pods appear in.
 */
async function runJob(
  job: Job,
  done: (current: Job | undefined) => boolean,
  timeoutMs = 60_000,
): Promise<void> {
  const ns = job.metadata.namespace!;
  const core = harness.client(CoreV1Api);
  await harness.waitFor(
    async () => {
      const current = await readJob(job);
      if (done(current)) return true;
      const running = hasCondition(current, 'Running');
      const { items } = await core.listNamespacedPod({
        namespace: ns,
        labelSelector: `${LABELS.jobName}=${job.metadata.name}`,
      });
      for (const pod of items) {
        const phase = pod.status?.phase ?? 'Pending';
        if (phase === 'Pending') await harness.setPodPhase(ns, pod.metadata!.name!, 'Running');
        else if (phase === 'Running' && running)
          await harness.setPodPhase(ns, pod.metadata!.name!, 'Succeeded');
      }
      return false;
    },
    timeoutMs,
    `${job.kind} ${job.metadata.name} to finish`,
  );
}

const succeeded = (current: Job | undefined) => hasCondition(current, 'Succeeded');
const deleted = (current: Job | undefined) => current === undefined;

function managerOptions(namespaces: string[]): ManagerOptions {
  return {
    schemes: [...KIND_NAMES],
    namespaces,
    threads: 4,
    qps: 0,
    burst: 0,
    metricsBindAddress: '0',
    healthProbeBindAddress: '0',
    leaderElect: false,
    leaderElectionId: 'unused',
    leaderElectionNamespace: 'unused',
    logLevel: 'silent',
    render: DEFAULT_RENDER_OPTIONS,
  };
}

/** Whether a request (`verb resource[/subresource]`, as the client counts it) is granted by the rules. */
const grants = (rules: V1PolicyRule[], verb: string, resource: string) =>
  rules.some(
    (rule) => rule.resources?.includes(resource) && rule.verbs.includes(verb) && !rule.resourceNames?.length,
  );

describe('the operator under the chart’s ServiceAccount', () => {
  test('cluster-wide (the default values): every kind runs to Succeeded; every request it sent is granted', async (t) => {
    const [operatorNs, jobsNs] = [
      await harness.namespace('install-op'),
      await harness.namespace('install-jobs'),
    ];
    const release = releaseName();
    const objects = await renderChart(release, operatorNs);
    await applyServerSide(objects);
    const rules = find(objects, 'ClusterRole').rules as V1PolicyRule[];
    const { kc } = await serviceAccountConfig(operatorNs, release);

    const client = await KubeClient.create(kc, { qps: 0 });
    const manager = new Manager(client, managerOptions([jobsNs]), createLogger('silent'));
    const running = manager.run();
    t.after(async () => {
      manager.stop();
      await running;
      client.close();
    });
    await harness.waitFor(() => manager.ready, 15_000, 'the operator’s caches to sync');

    const jobs = KIND_NAMES.map((kind) => exampleJob(kind, jobsNs));
    // ttlSecondsAfterFinished makes the operator delete a job (the delete verb on jobs).
    const ttl = jobs.find((job) => job.kind === 'JAXJob')!;
    ttl.spec.runPolicy = { ...ttl.spec.runPolicy, ttlSecondsAfterFinished: 0 };
    for (const job of jobs) await harness.create({ ...job, apiVersion: API_VERSION });
    await Promise.all(jobs.map((job) => runJob(job, job === ttl ? deleted : succeeded)));

    const sent = client.requests.snapshot();
    t.diagnostic(`requests sent: ${Object.keys(sent).join(', ')}`);
    for (const request of Object.keys(sent)) {
      const [verb, resource] = request.split(' ');
      assert.ok(
        grants(rules, verb, resource),
        `the operator sent "${request}", which the ClusterRole does not grant`,
      );
    }
    for (const expected of [
      'create pods',
      'create services',
      'create configmaps',
      'create serviceaccounts',
      'create roles',
      'create rolebindings',
      'create horizontalpodautoscalers',
      'create events',
      'update mpijobs/status',
      'delete jaxjobs',
      'watch pytorchjobs',
    ]) {
      assert.ok(sent[expected] > 0, `the run exercised "${expected}"`);
    }
  });

  test('cluster-wide: it may watch across namespaces; what it does not need is refused', async () => {
    const [operatorNs, otherNs] = [
      await harness.namespace('install-op'),
      await harness.namespace('install-other'),
    ];
    const release = releaseName();
    await applyServerSide(await renderChart(release, operatorNs));
    const { kc } = await serviceAccountConfig(operatorNs, release);

    for (const resource of ['pods', 'services', 'configmaps', 'serviceaccounts']) {
      assert.equal(await canI(kc, 'watch', resource), true, `watch ${resource} in all namespaces`);
    }
    assert.equal(await canI(kc, 'list', 'jaxjobs', { group: 'kubeflow.org' }), true);
    const secrets = await refusal(kc.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: otherNs }));
    assert.equal(secrets.code, 403);
    assert.match(secrets.message, /cannot list resource "secrets"/);
    // Jobs are read through the informers (list, watch) only: not even a get by name.
    const job = exampleJob('TFJob', otherNs);
    await harness.create({ ...job, apiVersion: API_VERSION });
    assert.equal(
      (await refusal(kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject(jobRef(job)))).code,
      403,
    );
    // RBAC escalation: it may create Roles, but only with permissions it holds itself.
    const escalation = await refusal(
      kc.makeApiClient(RbacAuthorizationV1Api).createNamespacedRole({
        namespace: otherNs,
        body: {
          metadata: { name: 'read-secrets' },
          rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }],
        },
      }),
    );
    assert.equal(escalation.code, 403);
    assert.match(escalation.message, /attempting to grant RBAC permissions not currently held/);
    for (const [verb, resource, attributes] of [
      ['delete', 'namespaces', {}],
      ['create', 'leases', { group: 'coordination.k8s.io', namespace: otherNs }],
      [
        'get',
        'customresourcedefinitions',
        { group: 'apiextensions.k8s.io', name: 'podgroups.scheduling.volcano.sh' },
      ],
      ['update', 'pods', { namespace: otherNs }],
      ['patch', 'services', { namespace: otherNs }],
    ] as const) {
      assert.equal(await canI(kc, verb, resource, attributes), false, `${verb} ${resource}`);
    }
  });

  test('the launcher-Role rules are necessary: without get on pods or create on pods/exec, MPIJobs fail', async () => {
    const [operatorNs, jobsNs] = [
      await harness.namespace('install-op'),
      await harness.namespace('install-jobs'),
    ];
    const release = releaseName();
    const objects = await renderChart(release, operatorNs, { schemes: ['MPIJob'] });
    const clusterRole = find(objects, 'ClusterRole');
    const job = withDefaults({
      ...exampleJob('MPIJob', jobsNs),
      metadata: { name: 'esc', namespace: jobsNs },
    });
    const launcherRole = render(job, DEFAULT_RENDER_OPTIONS).find((object) => object.kind === 'Role')!;
    const without = (resource: string, verb: string) =>
      (clusterRole.rules as V1PolicyRule[])
        .map((rule) =>
          rule.resources?.includes(resource)
            ? { ...rule, verbs: rule.verbs.filter((v) => v !== verb) }
            : rule,
        )
        .filter((rule) => rule.verbs.length > 0);
    const variants: [string, V1PolicyRule[], boolean][] = [
      ['all rules', clusterRole.rules as V1PolicyRule[], true],
      ['without get pods', without('pods', 'get'), false],
      ['without create pods/exec', without('pods/exec', 'create'), false],
    ];
    for (const [what, rules, allowed] of variants) {
      const name = `${release}-${variants.findIndex(([w]) => w === what)}`;
      await applyServerSide([
        { ...find(objects, 'ServiceAccount'), metadata: { name, namespace: operatorNs } },
        { ...clusterRole, metadata: { name }, rules },
        {
          ...find(objects, 'ClusterRoleBinding'),
          metadata: { name },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
          subjects: [{ kind: 'ServiceAccount', name, namespace: operatorNs }],
        },
      ]);
      const client = await KubeClient.create((await serviceAccountConfig(operatorNs, name)).kc, { qps: 0 });
      try {
        const create = client.create({
          ...launcherRole,
          metadata: { ...launcherRole.metadata, name, namespace: jobsNs },
        });
        if (allowed) await create;
        else await assert.rejects(create, /attempting to grant RBAC permissions not currently held/, what);
      } finally {
        client.close();
      }
    }
  });

  test('namespace-scoped, two replicas, gang scheduling: `training-operator run` with the chart’s own args', async (t) => {
    const [operatorNs, teamA, teamB, outside] = [
      await harness.namespace('install-op'),
      await harness.namespace('install-a'),
      await harness.namespace('install-b'),
      await harness.namespace('install-outside'),
    ];
    const release = releaseName();
    const values = { watchNamespaces: [teamA, teamB], replicas: 2, gangSchedulerName: 'scheduler-plugins' };
    const objects = await renderChart(release, operatorNs, values);
    await applyServerSide(objects);
    const { kc, file } = await serviceAccountConfig(operatorNs, release);

    const [metricsPort, healthPort] = [await freePort(), await freePort()];
    const args = containerArgs(objects).map((arg) =>
      arg
        .replace(/^--metrics-bind-address=:8080$/, `--metrics-bind-address=127.0.0.1:${metricsPort}`)
        .replace(
          /^--health-probe-bind-address=:8081$/,
          `--health-probe-bind-address=127.0.0.1:${healthPort}`,
        ),
    );
    assert.ok(args.includes('--leader-elect'));
    const output: string[] = [];
    const child = spawn(process.execPath, [BIN, ...args, `--kubeconfig=${file}`], {
      cwd: root,
      env: { ...process.env, POD_NAMESPACE: operatorNs, POD_NAME: `${release}-0`, KUBECONFIG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    processes.push(child);
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    t.after(() => child.kill('SIGKILL'));

    const status = async (port: number, path: string) =>
      (await fetch(`http://127.0.0.1:${port}${path}`).catch(() => undefined))?.status;
    await harness.waitFor(
      async () => (await status(healthPort, '/readyz')) === 200,
      30_000,
      `/readyz (operator output: ${output.join('')})`,
    );
    assert.equal(await status(healthPort, '/healthz'), 200);

    const jobs = [exampleJob('PyTorchJob', teamA), exampleJob('MPIJob', teamB)];
    const ignored = exampleJob('TFJob', outside);
    for (const job of [...jobs, ignored]) await harness.create({ ...job, apiVersion: API_VERSION });
    const podGroups = async (namespace: string) =>
      (
        (await jobApi().listNamespacedCustomObject({
          group: 'scheduling.x-k8s.io',
          version: 'v1alpha1',
          plural: 'podgroups',
          namespace,
        })) as { items: unknown[] }
      ).items;
    for (const job of jobs) {
      const namespace = job.metadata.namespace!;
      await harness.waitFor(
        async () => (await podGroups(namespace)).length === 1,
        15_000,
        `a PodGroup in ${namespace}`,
      );
    }
    await Promise.all(jobs.map((job) => runJob(job, succeeded)));
    assert.equal(
      (await readJob(ignored))?.status,
      undefined,
      'a job outside the watched namespaces is left alone',
    );

    const lease = await harness
      .client(CoordinationV1Api)
      .readNamespacedLease({ name: '1ca428e5.training-operator.kubeflow.org', namespace: operatorNs });
    assert.ok(lease.spec?.holderIdentity, 'a replica holds the Lease in the release namespace');
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    assert.match(metrics, /training_operator_jobs_successful_total\{[^}]*\} [1-9]/);

    assert.equal(await canI(kc, 'list', 'pods', { namespace: teamA }), true);
    assert.equal(await canI(kc, 'list', 'pods', { namespace: outside }), false);
    assert.equal(await canI(kc, 'list', 'pytorchjobs', { group: 'kubeflow.org' }), false, 'not cluster-wide');
    assert.equal(
      await canI(kc, 'create', 'leases', { group: 'coordination.k8s.io', namespace: teamA }),
      false,
    );
    const crd = { group: 'apiextensions.k8s.io' };
    assert.equal(
      await canI(kc, 'get', 'customresourcedefinitions', { ...crd, name: 'podgroups.scheduling.x-k8s.io' }),
      true,
    );
    assert.equal(
      await canI(kc, 'get', 'customresourcedefinitions', { ...crd, name: 'tfjobs.kubeflow.org' }),
      false,
    );

    child.kill('SIGTERM');
    assert.equal(await exited, 0, output.join(''));
  });
});

describe('installing', () => {
  test('helm install, upgrade to namespace-scoped with two replicas, uninstall', async (t) => {
    const [ns, team] = [await harness.namespace('install-helm'), await harness.namespace('install-team')];
    const release = releaseName();
    const rbac = harness.client(RbacAuthorizationV1Api);
    const exists = async (read: Promise<unknown>) => {
      try {
        await read;
        return true;
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return false;
        throw error;
      }
    };

    assert.match(await helm(['install', release, CHART, '--namespace', ns]), /STATUS: deployed/);
    assert.ok(await exists(rbac.readClusterRole({ name: release })));
    // The chart (CRDs included) is stored in the release Secret, which must stay under 1 MiB.
    const secret = await harness
      .client(CoreV1Api)
      .readNamespacedSecret({ name: `sh.helm.release.v1.${release}.v1`, namespace: ns });
    const size = Buffer.from(secret.data!.release, 'base64').length;
    t.diagnostic(`helm release Secret: ${size} bytes of 1048576`);

    await helm([
      'upgrade',
      release,
      CHART,
      '--namespace',
      ns,
      '--set',
      `watchNamespaces={${team}}`,
      '--set',
      'replicas=2',
    ]);
    assert.equal(
      await exists(rbac.readClusterRole({ name: release })),
      false,
      'no ClusterRole without gang scheduling',
    );
    assert.ok(await exists(rbac.readNamespacedRole({ name: release, namespace: team })));
    assert.ok(await exists(rbac.readNamespacedRole({ name: `${release}-leader-election`, namespace: ns })));

    await helm(['uninstall', release, '--namespace', ns]);
    assert.equal(await exists(rbac.readNamespacedRole({ name: release, namespace: team })), false);
    assert.equal(
      await exists(harness.client(CoreV1Api).readNamespacedServiceAccount({ name: release, namespace: ns })),
      false,
    );
    const crd = await harness.kubectl(['get', 'crd', 'pytorchjobs.kubeflow.org', '-o', 'name']);
    assert.equal(
      crd.trim(),
      'customresourcedefinition.apiextensions.k8s.io/pytorchjobs.kubeflow.org',
      'CRDs stay',
    );
  });

  test('the operator’s pod passes the "restricted" Pod Security profile; a weaker one is refused', async () => {
    const ns = await harness.namespace('install-restricted');
    await harness.kubectl(['label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=restricted']);
    const podFrom = (objects: KubeObject[], name: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns },
      spec: podTemplate(objects).spec,
    });
    const dryRunCreate = (pod: KubeObject) =>
      harness.kubectl(['create', '--dry-run=server', '-f', '-'], toYaml([pod]));
    const defaults = await renderChart(releaseName(), ns);
    const custom = await renderChart(releaseName(), ns, {
      replicas: 2,
      watchNamespaces: [ns],
      gangSchedulerName: 'volcano',
    });
    assert.match(await dryRunCreate(podFrom(defaults, 'defaults')), /created \(server dry run\)/);
    assert.match(await dryRunCreate(podFrom(custom, 'custom')), /created \(server dry run\)/);

    const weaker = podFrom(defaults, 'weaker');
    const container = (weaker.spec as { containers: Json[] }).containers[0];
    container.securityContext = { ...(container.securityContext as Json), capabilities: undefined };
    await assert.rejects(
      dryRunCreate(weaker),
      /violates PodSecurity "restricted:latest": unrestricted capabilities/,
    );
  });

  test('install-manifests --with-crds applies with server-side apply, and again without a change', async () => {
    const ns = `install-manifests-${randomBytes(3).toString('hex')}`;
    const cli = await execFileAsync(process.execPath, [BIN, 'install-manifests', '--with-crds', '-n', ns], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
    });
    const objects = yamlObjects(cli.stdout);
    const applied = await harness.kubectl(['apply', '--server-side', '-f', '-'], cli.stdout);
    assert.equal(applied.trim().split('\n').length, objects.length);
    const deployment = () =>
      harness.kubectl([
        'get',
        'deployment',
        'training-operator',
        '-n',
        ns,
        '-o',
        'jsonpath={.metadata.resourceVersion}',
      ]);
    const before = await deployment();
    await harness.kubectl(['apply', '--server-side', '-f', '-'], cli.stdout);
    assert.equal(await deployment(), before, 'a second apply changes nothing');
  });
});
