// The CRDs in crds/ and the types in generated/: up to date with their sources, shaped like the Kubeflow
// CRDs (names, subresources, columns, defaults), structural, and with CEL rules the validator can run.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from '@bufbuild/cel';
import { CRD_DIR, type Crd, crdFor, loadCrds } from '../../src/api/crds.ts';
import { GROUP, KIND_NAMES, KINDS, type KindName, VERSION } from '../../src/api/kinds.ts';
import { buildCrd, crdYaml, KUBERNETES_VERSION_ANNOTATION } from '../../scripts/crd/crds.ts';
import { BOUNDS, vendored } from '../../scripts/crd/source.ts';
import { resolveDefinition, truncateDescription, type Schema } from '../../scripts/crd/structural.ts';
import { generateTypes } from '../../scripts/crd/types.ts';

const GENERATED = join(import.meta.dirname, '../../generated/kubeflow.org/v1');

type Node = Schema & {
  properties?: Record<string, Node>;
  additionalProperties?: Node;
  items?: Node;
  required?: string[];
};

const rootOf = (kind: KindName) => crdFor(kind).spec.versions[0].schema.openAPIV3Schema as Node;
const specOf = (kind: KindName) => rootOf(kind).properties!.spec;
const replicaOf = (kind: KindName) =>
  specOf(kind).properties![KINDS[kind].replicaSpecsField].additionalProperties!;
const podSpecOf = (kind: KindName) => replicaOf(kind).properties!.template.properties!.spec;

/** Every schema node with its path, depth first. */
function* nodes(node: Node, path = ''): Generator<[string, Node]> {
  yield [path, node];
  for (const [name, child] of Object.entries(node.properties ?? {})) yield* nodes(child, `${path}.${name}`);
  if (node.additionalProperties) yield* nodes(node.additionalProperties, `${path}.*`);
  if (node.items) yield* nodes(node.items, `${path}[]`);
}

function rulesOf(kind: KindName): { path: string; rule: Record<string, string> }[] {
  return [...nodes(rootOf(kind))].flatMap(([path, node]) =>
    ((node['x-kubernetes-validations'] as Record<string, string>[] | undefined) ?? []).map((rule) => ({
      path,
      rule,
    })),
  );
}

describe('crds/', () => {
  test('holds one CRD per kind and nothing else', () => {
    const expected = KIND_NAMES.map((kind) => `${GROUP}_${KINDS[kind].plural}.yaml`).sort();
    assert.deepEqual(readdirSync(CRD_DIR).sort(), expected);
  });

  test('is what npm run generate writes today (run it after changing scripts/crd/)', () => {
    for (const kind of KIND_NAMES) {
      const file = join(CRD_DIR, `${GROUP}_${KINDS[kind].plural}.yaml`);
      assert.equal(readFileSync(file, 'utf8'), crdYaml(buildCrd(KINDS[kind])), file);
    }
  });

  test('loadCrds returns the six CRDs in kind order, parsed once', () => {
    const crds = loadCrds() as Crd[];
    assert.deepEqual(
      crds.map((crd) => crd.spec.names.kind),
      [...KIND_NAMES],
    );
    assert.equal(crds[0], crdFor('PyTorchJob'));
  });

  test('each file exceeds the client-side apply annotation limit, hence kubectl apply --server-side', () => {
    for (const file of readdirSync(CRD_DIR)) assert.ok(statSync(join(CRD_DIR, file)).size > 262_144, file);
  });
});

describe('CRD shape', () => {
  for (const kind of KIND_NAMES) {
    const info = KINDS[kind];

    test(`${kind}: names, scope and the single served storage version`, () => {
      const crd = crdFor(kind);
      assert.equal(crd.metadata.name, `${info.plural}.${GROUP}`);
      assert.equal(crd.metadata.annotations?.[KUBERNETES_VERSION_ANNOTATION], vendored.kubernetesVersion);
      assert.deepEqual(crd.spec.names, {
        kind,
        listKind: info.listKind,
        plural: info.plural,
        singular: info.singular,
      });
      assert.equal(crd.spec.group, GROUP);
      assert.equal(crd.spec.scope, 'Namespaced');
      assert.deepEqual(
        crd.spec.versions.map((v) => [v.name, v.served, v.storage]),
        [[VERSION, true, true]],
      );
    });

    test(`${kind}: status subresource${info.scalesWorkers ? ' and Worker scale subresource' : ' only'}`, () => {
      const { subresources } = crdFor(kind).spec.versions[0];
      assert.deepEqual(subresources?.status, {});
      if (info.scalesWorkers) {
        assert.deepEqual(subresources?.scale, {
          specReplicasPath: `.spec.${info.replicaSpecsField}.Worker.replicas`,
          statusReplicasPath: '.status.replicaStatuses.Worker.active',
          labelSelectorPath: '.status.replicaStatuses.Worker.selector',
        });
      } else {
        assert.equal(subresources?.scale, undefined);
      }
    });

    test(`${kind}: State and Age columns like the reference, the extras only in wide output`, () => {
      const columns = crdFor(kind).spec.versions[0].additionalPrinterColumns ?? [];
      const first = columns.slice(0, 2).map((c) => [c.name, c.type, c.jsonPath, c.priority]);
      const state = ['State', 'string', '.status.conditions[-1:].type', undefined];
      const age = ['Age', 'date', '.metadata.creationTimestamp', undefined];
      assert.deepEqual(first, kind === 'MPIJob' ? [age, state] : [state, age]);
      assert.ok(columns.length > 2);
      for (const column of columns.slice(2)) assert.equal(column.priority, 1, column.name);
    });

    test(`${kind}: spec and the replica map are required; runPolicy.suspend defaults to false`, () => {
      assert.deepEqual(rootOf(kind).required, ['spec']);
      assert.deepEqual(specOf(kind).required, [info.replicaSpecsField]);
      const runPolicy = specOf(kind).properties!.runPolicy;
      assert.equal(runPolicy.properties!.suspend.default, false);
      assert.deepEqual(runPolicy.properties!.managedBy.enum, [
        'kubeflow.org/training-operator',
        'kueue.x-k8s.io/multikueue',
      ]);
    });

    test(`${kind}: replicas at least 0, restartPolicy one of the four policies`, () => {
      const { replicas, restartPolicy } = replicaOf(kind).properties!;
      assert.equal(replicas.minimum, 0);
      assert.deepEqual(restartPolicy.enum, ['Always', 'OnFailure', 'Never', 'ExitCode']);
    });

    test(`${kind}: the bounds that keep CEL costs in budget`, () => {
      assert.equal(specOf(kind).properties![info.replicaSpecsField].maxProperties, BOUNDS.replicaTypes);
      assert.equal(podSpecOf(kind).properties!.containers.maxItems, BOUNDS.containers);
    });

    test(`${kind}: the pod template is Kubernetes' with controller-gen's embedded metadata`, () => {
      const template = replicaOf(kind).properties!.template;
      assert.deepEqual(Object.keys(template.properties!.metadata.properties!), [
        'annotations',
        'finalizers',
        'labels',
        'name',
        'namespace',
      ]);
      const port = podSpecOf(kind).properties!.containers.items!.properties!.ports;
      assert.deepEqual(port['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
      assert.equal(port.items!.properties!.protocol.default, 'TCP');
      assert.deepEqual(podSpecOf(kind).required, ['containers']);
    });
  }
});

describe('structural schemas', () => {
  for (const kind of KIND_NAMES) {
    test(`${kind}: no $ref, a type everywhere but int-or-string, anyOf only there, short descriptions`, () => {
      for (const [path, node] of nodes(rootOf(kind))) {
        const at = `${kind}${path}`;
        assert.ok(!('$ref' in node) && !('allOf' in node) && !('oneOf' in node) && !('not' in node), at);
        if (node['x-kubernetes-int-or-string']) {
          assert.deepEqual(node.anyOf, [{ type: 'integer' }, { type: 'string' }], at);
          assert.equal(node.type, undefined, at);
        } else {
          assert.equal(typeof node.type, 'string', `${at} has no type`);
          assert.equal(node.anyOf, undefined, at);
        }
        assert.ok(
          !(node.properties && node.additionalProperties),
          `${at}: properties and additionalProperties`,
        );
        assert.ok(
          ((node.description as string | undefined) ?? '').length <= 400,
          `${at}: description too long`,
        );
        for (const key of Object.keys(node)) {
          if (key.startsWith('x-'))
            assert.match(
              key,
              /^x-kubernetes-(int-or-string|list-type|list-map-keys|map-type|validations)$/,
              at,
            );
        }
      }
    });

    test(`${kind}: list-map keys are required or defaulted, as the API server demands`, () => {
      for (const [path, node] of nodes(rootOf(kind))) {
        for (const key of (node['x-kubernetes-list-map-keys'] as string[] | undefined) ?? []) {
          const item = node.items!;
          assert.ok(
            item.required?.includes(key) || item.properties?.[key].default !== undefined,
            `${path}: ${key}`,
          );
        }
      }
    });
  }
});

describe('CEL rules', () => {
  test('each rule has a message and a reason, and parses', () => {
    for (const kind of KIND_NAMES) {
      for (const { path, rule } of rulesOf(kind)) {
        assert.ok(rule.message, `${kind}${path}: ${rule.rule}`);
        assert.match(rule.reason, /^FieldValue(Required|Forbidden|Invalid)$/);
        assert.doesNotThrow(() => parse(rule.rule), rule.rule);
        if (rule.messageExpression)
          assert.doesNotThrow(() => parse(rule.messageExpression), rule.messageExpression);
      }
    }
  });

  test('only the queue and managedBy rules are transition rules, on every kind', () => {
    for (const kind of KIND_NAMES) {
      const transitions = rulesOf(kind)
        .filter(({ rule }) => rule.rule.includes('oldSelf'))
        .map(({ path, rule }) => `${path} ${rule.message}`);
      assert.deepEqual(transitions.sort(), [
        '.spec field is immutable',
        '.spec.runPolicy.schedulingPolicy.queue spec.runPolicy.schedulingPolicy.queue is immutable',
      ]);
    }
  });

  test('which kinds carry which rules', () => {
    const messages = (kind: KindName) => rulesOf(kind).map(({ rule }) => rule.message);
    const has = (kind: KindName, pattern: RegExp) => messages(kind).some((m) => pattern.test(m));
    for (const kind of KIND_NAMES) {
      assert.equal(has(kind, /DNS-1035/), kind !== 'MPIJob', `${kind} name rule`);
      const serviceNames = rulesOf(kind).filter(
        ({ path, rule }) => path === '' && rule.fieldPath === '.metadata.name',
      );
      assert.equal(serviceNames.length, kind === 'MPIJob' ? 0 : 1, `${kind} Service name rule at the root`);
      assert.equal(has(kind, /job-name label/), kind === 'MPIJob', `${kind} name as a label value`);
      assert.equal(has(kind, /unsupported replica type/), kind !== 'TFJob', `${kind} replica type rule`);
      assert.equal(
        has(kind, /at least one container with name/),
        kind !== 'MPIJob',
        `${kind} default container`,
      );
      assert.ok(
        has(kind, /^must be specified$/) && has(kind, /^must be required$/),
        `${kind} containers and image`,
      );
    }
    assert.ok(has('TFJob', /Chief or Master/));
    assert.ok(messages('PaddleJob').includes('must have at least one container with name "paddle"'));
    assert.deepEqual(
      KIND_NAMES.filter((kind) => has(kind, /^must be 1$/)),
      ['PyTorchJob', 'XGBoostJob', 'MPIJob'],
    );
  });
});

describe('generator', () => {
  test('descriptions are cut like controller-gen cuts them: at a sentence end within the limit', () => {
    const text = `${'a'.repeat(300)}. ${'b'.repeat(200)}`;
    assert.equal(truncateDescription(text), `${'a'.repeat(300)}.`);
    assert.equal(truncateDescription('x'.repeat(500)), 'x'.repeat(400));
    assert.equal(truncateDescription('short. text'), 'short. text');
  });

  test('a recursive definition is refused rather than inlined forever', () => {
    const doc = {
      components: {
        schemas: { A: { type: 'object', properties: { a: { $ref: '#/components/schemas/A' } } } },
      },
    };
    assert.throws(() => resolveDefinition(doc, 'A'), /recursive schema: A -> A/);
  });

  test('the vendored Kubernetes schemas record their version and need no $ref', () => {
    assert.match(vendored.kubernetesVersion, /^v1\.\d+\.\d+$/);
    assert.ok(!JSON.stringify(vendored.schemas).includes('$ref'));
  });
});

describe('generated/ types', () => {
  test('are what npm run generate writes today', async () => {
    const schemas = Object.fromEntries(KIND_NAMES.map((kind) => [kind, rootOf(kind)])) as Record<
      KindName,
      Schema
    >;
    const files = await generateTypes(schemas);
    assert.deepEqual(readdirSync(GENERATED).sort(), [...files.keys()].sort());
    for (const [name, content] of files)
      assert.equal(readFileSync(join(GENERATED, name), 'utf8'), content, name);
  });

  test('export every kind, its spec, and each shared type exactly once', () => {
    const sources = readdirSync(GENERATED).map((f) => readFileSync(join(GENERATED, f), 'utf8'));
    const shared = [
      'ReplicaSpec',
      'RunPolicy',
      'SchedulingPolicy',
      'JobStatus',
      'JobCondition',
      'ReplicaStatus',
    ];
    const names = [
      ...shared,
      'ElasticPolicy',
      'PaddleElasticPolicy',
      ...KIND_NAMES,
      ...KIND_NAMES.map((k) => `${k}Spec`),
    ];
    for (const name of names) {
      const declarations =
        sources.join('\n').match(new RegExp(`^export (interface|type) ${name}\\b`, 'gm')) ?? [];
      assert.equal(declarations.length, 1, name);
    }
    assert.match(
      readFileSync(join(GENERATED, 'pytorchjob.ts'), 'utf8'),
      /import type \{ V1ObjectMeta \} from '@kubernetes\/client-node'/,
    );
    assert.match(readFileSync(join(GENERATED, 'common.ts'), 'utf8'), /template\?: V1PodTemplateSpec;/);
  });
});
