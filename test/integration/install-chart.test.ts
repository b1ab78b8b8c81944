// The Helm chart against the code it mirrors: `helm lint --strict`, `helm template` with default and
// other values, the values schema, the CRDs copied into the chart, and, above all, agreement with what
// `install-manifests` synthesizes from src/install (RBAC rules, args, ports, probes, security contexts).
// Integration tier because it needs helm, which comes with the test cluster's binaries
// (src/local/build-binaries.sh); the cluster itself is not used.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { KIND_NAMES } from '../../src/api/kinds.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { installManifests } from '../../src/install/manifests.ts';
import {
  DEFAULT_INSTALL_OPTIONS,
  IMAGE_REPOSITORY,
  INSTALL_NAME,
  type InstallOptions,
  VERSION,
} from '../../src/install/options.ts';
import { LOG_LEVELS } from '../../src/telemetry/log-levels.ts';
import * as harness from './harness.ts';

const root = join(import.meta.dirname, '..', '..');
const chartDir = join(root, 'charts', 'training-operator');

let scratch = '';
before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'install-chart-test-'));
});
after(() => rmSync(scratch, { recursive: true, force: true }));

const helm = (args: string[]) => harness.helm(args, scratch);

let valuesFiles = 0;
/** `helm template training-operator` in `namespace`, with `values` (none: the chart's defaults). */
async function template(namespace: string, values?: object): Promise<KubeObject[]> {
  const args = ['template', INSTALL_NAME, chartDir, '--namespace', namespace];
  if (values) {
    const file = join(scratch, `values-${valuesFiles++}.json`);
    writeFileSync(file, JSON.stringify(values));
    args.push('--values', file);
  }
  return parseAllDocuments(await helm(args))
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);
}

/** The chart values that mean the same as install-manifests `options`. */
function valuesFor(options: InstallOptions): object {
  const colon = options.image.lastIndexOf(':');
  return {
    image: {
      repository: options.image.slice(0, colon),
      tag: options.image.slice(colon + 1),
      pullPolicy: options.imagePullPolicy,
    },
    replicas: options.replicas,
    schemes: options.schemes,
    gangSchedulerName: options.gangSchedulerName ?? '',
    watchNamespaces: options.watchNamespaces,
    threads: options.threads,
    kubeApiQps: options.qps,
    kubeApiBurst: options.burst,
    logLevel: options.logLevel,
  };
}

type Json = Record<string, unknown>;

/**
 * Values the API server defaults anyway, which cdk8s-plus writes out and the chart leaves out, and the
 * labels only Helm sets. `*` walks every item of a list.
 */
const IGNORED: [kind: string, path: string[], value?: unknown][] = [
  ['*', ['metadata', 'labels', 'helm.sh/chart']],
  ['*', ['metadata', 'labels', 'app.kubernetes.io/managed-by']],
  ['Deployment', ['spec', 'template', 'metadata', 'labels', 'helm.sh/chart']],
  ['Deployment', ['spec', 'template', 'metadata', 'labels', 'app.kubernetes.io/managed-by']],
  ['Deployment', ['spec', 'minReadySeconds'], 0],
  ['Deployment', ['spec', 'progressDeadlineSeconds'], 600],
  ['Deployment', ['spec', 'template', 'spec', 'dnsPolicy'], 'ClusterFirst'],
  ['Deployment', ['spec', 'template', 'spec', 'hostNetwork'], false],
  ['Deployment', ['spec', 'template', 'spec', 'restartPolicy'], 'Always'],
  ['Deployment', ['spec', 'template', 'spec', 'setHostnameAsFQDN'], false],
  ['Deployment', ['spec', 'template', 'spec', 'terminationGracePeriodSeconds'], 30],
  [
    'Deployment',
    ['spec', 'template', 'spec', 'containers', '*', 'livenessProbe', 'httpGet', 'scheme'],
    'HTTP',
  ],
  [
    'Deployment',
    ['spec', 'template', 'spec', 'containers', '*', 'readinessProbe', 'httpGet', 'scheme'],
    'HTTP',
  ],
  ['Service', ['spec', 'externalIPs'], []],
  ['*', ['rules', '*', 'resourceNames'], []],
  ['*', ['subjects', '*', 'apiGroup'], ''],
];

function drop(node: unknown, path: string[], value: unknown, matchValue: boolean): void {
  if (typeof node !== 'object' || node === null) return;
  const [head, ...rest] = path;
  if (head === '*') {
    if (Array.isArray(node)) for (const item of node) drop(item, rest, value, matchValue);
    return;
  }
  const object = node as Json;
  if (rest.length > 0) drop(object[head], rest, value, matchValue);
  else if (head in object && (!matchValue || JSON.stringify(object[head]) === JSON.stringify(value)))
    delete object[head];
}

function normalized(objects: KubeObject[]): Map<string, KubeObject> {
  const byKey = new Map<string, KubeObject>();
  for (const original of objects) {
    const object = structuredClone(original);
    for (const [kind, path, ...value] of IGNORED) {
      if (kind === '*' || kind === object.kind) drop(object, path, value[0], value.length > 0);
    }
    byKey.set(`${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`, object);
  }
  return byKey;
}

function assertAgree(chart: KubeObject[], code: KubeObject[]): void {
  const fromChart = normalized(chart);
  const fromCode = normalized(code);
  assert.deepEqual([...fromChart.keys()].sort(), [...fromCode.keys()].sort(), 'the same objects');
  for (const [key, object] of fromCode) assert.deepEqual(fromChart.get(key), object, key);
}

const synthesized = (options: InstallOptions) =>
  installManifests(options, { withCrds: false, withNamespace: false });

const SCENARIOS: Record<string, InstallOptions> = {
  'namespace-scoped in two namespaces, two replicas, Volcano, two kinds, other settings': {
    namespace: 'ml-system',
    image: 'registry.example.com/ml/training-operator:1.2.3',
    imagePullPolicy: 'Always',
    replicas: 2,
    schemes: ['MPIJob', 'PyTorchJob'],
    gangSchedulerName: 'volcano',
    watchNamespaces: ['team-a', 'team-b'],
    logLevel: 'debug',
    qps: 50.5,
    burst: 100,
    threads: 8,
  },
  'cluster-wide, scheduler-plugins, TFJob only': {
    ...DEFAULT_INSTALL_OPTIONS,
    schemes: ['TFJob'],
    gangSchedulerName: 'scheduler-plugins-scheduler',
  },
  'namespace-scoped without gang scheduling: no ClusterRole at all': {
    ...DEFAULT_INSTALL_OPTIONS,
    schemes: ['JAXJob', 'XGBoostJob', 'PaddleJob'],
    watchNamespaces: ['only'],
  },
};

describe('the chart agrees with install-manifests (src/install)', () => {
  test('with the default values: the same objects, rules, args, ports, probes and security contexts', async () => {
    const chart = await template(DEFAULT_INSTALL_OPTIONS.namespace);
    assertAgree(chart, synthesized(DEFAULT_INSTALL_OPTIONS));
    assert.deepEqual(
      chart.map((object) => object.kind),
      ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Service', 'Deployment'],
    );
  });

  for (const [name, options] of Object.entries(SCENARIOS)) {
    test(name, async () =>
      assertAgree(await template(options.namespace, valuesFor(options)), synthesized(options)),
    );
  }

  test('the agreement check notices a drifted rule, flag or security setting', async () => {
    const chart = await template(DEFAULT_INSTALL_OPTIONS.namespace);
    const drifts: [string, (objects: KubeObject[]) => void][] = [
      ['an extra verb', (o) => ((role(o).rules as Json[])[0].verbs = ['delete', 'get', 'list', 'watch'])],
      ['a flag', (o) => container(o).args.push('--kube-api-qps=1')],
      ['a security setting', (o) => ((container(o).securityContext as Json).readOnlyRootFilesystem = false)],
      ['a probe', (o) => (((container(o).readinessProbe as Json).httpGet as Json).path = '/healthz')],
    ];
    for (const [what, change] of drifts) {
      const drifted = structuredClone(chart);
      change(drifted);
      assert.throws(
        () => assertAgree(drifted, synthesized(DEFAULT_INSTALL_OPTIONS)),
        assert.AssertionError,
        what,
      );
    }
  });
});

const role = (objects: KubeObject[]) => objects.find((object) => object.kind === 'ClusterRole')!;
const podSpec = (objects: KubeObject[]) =>
  ((objects.find((object) => object.kind === 'Deployment')!.spec as Json).template as Json).spec as Json;
const container = (objects: KubeObject[]) =>
  (podSpec(objects).containers as (Json & { args: string[] })[])[0];
const kindsIn = (objects: KubeObject[]) =>
  objects.map((o) => `${o.kind}${o.metadata.namespace ? ` ${o.metadata.namespace}` : ''}`);

describe('helm template with other values', () => {
  test('namespace-scoped: a Role and RoleBinding per watched namespace, the watch list as --namespace', async () => {
    const objects = await template('ops', { watchNamespaces: ['team-a', 'team-b'] });
    assert.deepEqual(kindsIn(objects).sort(), [
      'Deployment ops',
      'Role team-a',
      'Role team-b',
      'RoleBinding team-a',
      'RoleBinding team-b',
      'Service ops',
      'ServiceAccount ops',
    ]);
    assert.ok(container(objects).args.includes('--namespace=team-a,team-b'));
    for (const binding of objects.filter((o) => o.kind === 'RoleBinding')) {
      assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: INSTALL_NAME, namespace: 'ops' }]);
    }
  });

  test('two replicas: leader election flags and a Lease Role in the release namespace only', async () => {
    const objects = await template('ops', { replicas: 2 });
    const args = container(objects).args;
    assert.ok(args.includes('--leader-elect'));
    assert.ok(args.includes('--leader-election-id=1ca428e5.training-operator.kubeflow.org'));
    const lease = objects.find((o) => o.kind === 'Role')!;
    assert.equal(lease.metadata.namespace, 'ops');
    assert.equal(lease.metadata.name, 'training-operator-leader-election');
    assert.ok(!JSON.stringify(role(objects).rules).includes('leases'), 'no Lease access cluster-wide');
    const single = container(await template('ops')).args;
    assert.ok(!single.some((arg) => arg.startsWith('--leader-elect')));
  });

  test('Volcano: its PodGroups, and get on exactly its PodGroup CRD', async () => {
    const rules = role(await template('ops', { gangSchedulerName: 'volcano' })).rules as Json[];
    assert.ok(rules.some((r) => JSON.stringify(r.apiGroups) === '["scheduling.volcano.sh"]'));
    assert.deepEqual(rules.at(-1), {
      apiGroups: ['apiextensions.k8s.io'],
      resources: ['customresourcedefinitions'],
      resourceNames: ['podgroups.scheduling.volcano.sh'],
      verbs: ['get'],
    });
  });

  test('resources, scheduling constraints, annotations, pull secrets and the ServiceMonitor', async () => {
    const values = {
      resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } },
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoSchedule' }],
      affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } },
      podAnnotations: { 'sidecar.istio.io/inject': 'false' },
      imagePullSecrets: [{ name: 'regcred' }],
      serviceMonitor: { enabled: true, interval: '15s', labels: { release: 'prometheus' } },
    };
    const objects = await template('ops', values);
    const spec = podSpec(objects);
    assert.deepEqual(container(objects).resources, values.resources);
    assert.deepEqual(spec.nodeSelector, values.nodeSelector);
    assert.deepEqual(spec.tolerations, values.tolerations);
    assert.deepEqual(spec.affinity, values.affinity);
    assert.deepEqual(spec.imagePullSecrets, values.imagePullSecrets);
    const deployment = objects.find((o) => o.kind === 'Deployment')!;
    assert.deepEqual(
      ((deployment.spec as Json).template as KubeObject).metadata.annotations,
      values.podAnnotations,
    );
    const monitor = objects.find((o) => o.kind === 'ServiceMonitor')!;
    assert.equal(monitor.metadata.labels?.release, 'prometheus');
    assert.deepEqual((monitor.spec as Json).endpoints, [
      { port: 'metrics', path: '/metrics', interval: '15s' },
    ]);
  });
});

describe('values.schema.json', () => {
  const refusals: [string, object, RegExp][] = [
    [
      'a replica count that is not a number',
      { replicas: 'two' },
      /at '\/replicas': got string, want integer/,
    ],
    ['no replica', { replicas: 0 }, /at '\/replicas'/],
    [
      'an unknown job kind',
      { schemes: ['PyTorchJob', 'KerasJob'] },
      /at '\/schemes\/1': value must be one of/,
    ],
    ['no job kind', { schemes: [] }, /at '\/schemes'/],
    ['an invalid namespace', { watchNamespaces: ['Team_A'] }, /at '\/watchNamespaces\/0'/],
    ['an unknown log level', { logLevel: 'verbose' }, /at '\/logLevel'/],
    ['a misspelt key', { replica: 2 }, /additional properties 'replica' not allowed/],
    [
      'a wrong pull policy',
      { image: { repository: 'x', pullPolicy: 'Sometimes' } },
      /at '\/image\/pullPolicy'/,
    ],
  ];
  for (const [what, values, message] of refusals) {
    test(`refuses ${what}, naming the value`, async () => {
      await assert.rejects(template('ops', values), (error: Error) => {
        assert.match(error.message, /values don't meet the specifications of the schema/);
        assert.match(error.message, message);
        return true;
      });
    });
  }

  test('its kinds and log levels are the operator’s', () => {
    const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')) as {
      properties: { schemes: { items: { enum: string[] } }; logLevel: { enum: string[] } };
    };
    assert.deepEqual(schema.properties.schemes.items.enum, [...KIND_NAMES]);
    assert.deepEqual(schema.properties.logLevel.enum, [...LOG_LEVELS]);
  });
});

describe('the chart package', () => {
  test('helm lint --strict passes', async () => {
    assert.match(await helm(['lint', '--strict', chartDir]), /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  test('crds/ in the chart is crds/ of the repository, byte for byte', () => {
    const fix = 'run: npm run generate';
    const ours = readdirSync(join(root, 'crds')).sort();
    assert.deepEqual(readdirSync(join(chartDir, 'crds')).sort(), ours, fix);
    for (const file of ours) {
      const same = readFileSync(join(root, 'crds', file)).equals(readFileSync(join(chartDir, 'crds', file)));
      assert.ok(same, `charts/training-operator/crds/${file} differs from crds/${file}; ${fix}`);
    }
  });

  test('appVersion and the default image are this release', () => {
    const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { appVersion: string };
    const values = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as {
      image: { repository: string };
    };
    assert.equal(chart.appVersion, VERSION);
    assert.equal(values.image.repository, IMAGE_REPOSITORY);
  });
});
