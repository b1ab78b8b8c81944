// Offline admission (src/api/schema.ts) against the upstream examples, the invalid-job corpus, update
// (transition) rules, and the API server's normalization and message formats.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import YAML from 'yaml';
import { API_VERSION, isKindName, type KindName, KINDS } from '../../src/api/kinds.ts';
import { validateSchema } from '../../src/api/schema.ts';
import { fieldPrefix } from '../../src/cli/input.ts';
import { schemaFor } from '../../src/api/crds.ts';
import { newReport, normalize } from '../../src/api/schema/normalize.ts';
import { requestBodyBytes } from '../../src/api/schema/request.ts';
import type { SchemaNode } from '../../src/api/schema/node.ts';

const UPSTREAM = join(import.meta.dirname, '../fixtures/compat/upstream-examples');
const FIXTURES = join(import.meta.dirname, '../fixtures/invalid');

type Job = { apiVersion: string; kind: KindName; metadata: { name: string }; spec: Record<string, unknown> };

const lines = (result: ReturnType<typeof validateSchema>) =>
  result.errors.map((e) => `${fieldPrefix(e.path)}${e.message}`);

function readDocuments(file: string): unknown[] {
  return YAML.parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => doc.toJS() as unknown);
}

function job(kind: KindName, spec: Record<string, unknown>, name = 'test'): Job {
  return { apiVersion: API_VERSION, kind, metadata: { name }, spec };
}

const container = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  image: 'busybox',
  ...extra,
});
const replica = (containers: unknown[], extra: Record<string, unknown> = {}) => ({
  ...extra,
  template: { spec: { containers } },
});
const pytorch = (spec: Record<string, unknown> = {}) =>
  job('PyTorchJob', { pytorchReplicaSpecs: { Worker: replica([container('pytorch')]) }, ...spec });

describe('upstream examples', () => {
  const files = readdirSync(UPSTREAM).filter((f) => f.endsWith('.yaml'));

  test('the compat corpus is there', () => assert.ok(files.length >= 20, `only ${files.length} files`));

  for (const file of files) {
    test(`${file} passes`, () => {
      const docs = readDocuments(join(UPSTREAM, file)).filter(
        (d) => (d as Job | null)?.apiVersion === API_VERSION,
      );
      assert.ok(docs.length > 0);
      for (const doc of docs as Job[])
        assert.deepEqual(validateSchema(doc.kind, doc).errors, [], doc.metadata.name);
    });
  }

  test('fields the schema lacks are pruned with the API server warning, not rejected', () => {
    const [doc] = readDocuments(
      join(UPSTREAM, 'xgboost_smoke-dist_xgboostjob_v1alpha1_rabit_test.yaml'),
    ) as Job[];
    assert.deepEqual(validateSchema(doc.kind, doc).warnings, [
      'unknown field "spec.xgbReplicaSpecs.Master.template.apiVersion"',
      'unknown field "spec.xgbReplicaSpecs.Master.template.kind"',
      'unknown field "spec.xgbReplicaSpecs.Worker.template.apiVersion"',
      'unknown field "spec.xgbReplicaSpecs.Worker.template.kind"',
    ]);
  });
});

describe('invalid-job corpus', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml'));

  test('every kind has fixtures', () => {
    for (const kind of Object.keys(KINDS)) {
      assert.ok(
        files.some((f) => f.startsWith(`${kind.toLowerCase()}-`)),
        kind,
      );
    }
  });

  for (const file of files) {
    test(file, () => {
      const text = readFileSync(join(FIXTURES, file), 'utf8');
      const expected = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1]);
      assert.ok(expected.length > 0, 'the fixture names no expected error');
      const docs = readDocuments(join(FIXTURES, file)) as Job[];
      const [stored, updated] = docs.length === 2 ? docs : [undefined, docs[0]];
      assert.ok(isKindName(updated.kind));
      if (stored) assert.deepEqual(lines(validateSchema(stored.kind, stored)), [], 'the stored job is valid');
      assert.deepEqual(lines(validateSchema(updated.kind, updated, stored)), expected);
    });
  }
});

describe('updates', () => {
  const withQueue = (queue?: string) => pytorch({ runPolicy: { schedulingPolicy: queue ? { queue } : {} } });
  const managedBy = (kind: KindName, value?: string) => {
    const base = {
      PyTorchJob: () => pytorch(),
      JAXJob: () => job('JAXJob', { jaxReplicaSpecs: { Worker: replica([container('jax')]) } }),
      MPIJob: () => job('MPIJob', { mpiReplicaSpecs: { Launcher: replica([container('launcher')]) } }),
    }[kind as 'PyTorchJob' | 'JAXJob' | 'MPIJob']();
    base.spec.runPolicy = value ? { managedBy: value } : {};
    return base;
  };
  const OPERATOR = 'kubeflow.org/training-operator';
  const KUEUE = 'kueue.x-k8s.io/multikueue';
  const IMMUTABLE = 'spec.runPolicy.managedBy: Invalid value: field is immutable';

  test('transition rules do not apply on create', () => {
    assert.deepEqual(lines(validateSchema('PyTorchJob', withQueue('b'))), []);
  });

  test('the queue may be set or removed, not changed', () => {
    assert.deepEqual(lines(validateSchema('PyTorchJob', withQueue('b'), withQueue())), []);
    assert.deepEqual(lines(validateSchema('PyTorchJob', withQueue(), withQueue('a'))), []);
    assert.deepEqual(lines(validateSchema('PyTorchJob', withQueue('a'), withQueue('a'))), []);
    assert.deepEqual(lines(validateSchema('PyTorchJob', withQueue('b'), withQueue('a'))), [
      'spec.runPolicy.schedulingPolicy.queue: Invalid value: "b": spec.runPolicy.schedulingPolicy.queue is immutable',
    ]);
  });

  for (const kind of ['PyTorchJob', 'JAXJob', 'MPIJob'] as const) {
    test(`${kind}: managedBy can be neither changed, nor set, nor removed`, () => {
      assert.deepEqual(lines(validateSchema(kind, managedBy(kind, KUEUE), managedBy(kind, OPERATOR))), [
        IMMUTABLE,
      ]);
      assert.deepEqual(lines(validateSchema(kind, managedBy(kind, KUEUE), managedBy(kind))), [IMMUTABLE]);
      assert.deepEqual(lines(validateSchema(kind, managedBy(kind), managedBy(kind, KUEUE))), [IMMUTABLE]);
      assert.deepEqual(lines(validateSchema(kind, managedBy(kind, KUEUE), managedBy(kind, KUEUE))), []);
      assert.deepEqual(lines(validateSchema(kind, managedBy(kind), managedBy(kind))), []);
    });
  }

  test('a failing rule on a value the update leaves unchanged is ratcheted into a warning', () => {
    const noImage = pytorch({
      pytorchReplicaSpecs: { Worker: replica([container('pytorch', { image: '' })]) },
    });
    const error =
      'spec.pytorchReplicaSpecs[Worker].template.spec.containers[0].image: Required value: must be required';
    const suspended = structuredClone(noImage);
    suspended.spec.runPolicy = { suspend: true };
    const result = validateSchema('PyTorchJob', suspended, noImage);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.warnings, [error]);
    const changed = structuredClone(noImage);
    changed.spec.pytorchReplicaSpecs = {
      Worker: replica([container('pytorch', { image: '', args: ['x'] })]),
    };
    assert.deepEqual(lines(validateSchema('PyTorchJob', changed, noImage)), [error]);
  });

  test('a rule on spec is not ratcheted once anything in spec changes', () => {
    const twoMasters = pytorch({
      pytorchReplicaSpecs: { Master: replica([container('pytorch')], { replicas: 2 }) },
    });
    const suspended = structuredClone(twoMasters);
    suspended.spec.runPolicy = { suspend: true };
    assert.deepEqual(lines(validateSchema('PyTorchJob', suspended, twoMasters)), [
      'spec.pytorchReplicaSpecs[Master].replicas: Forbidden: must be 1',
    ]);
  });

  test('the name cannot change', () => {
    assert.deepEqual(
      lines(validateSchema('PyTorchJob', pytorch(), { ...pytorch(), metadata: { name: 'other' } })),
      ['metadata.name: Invalid value: "test": field is immutable'],
    );
  });
});

describe('what the API server does before validating', () => {
  const schema = schemaFor('PyTorchJob') as SchemaNode;

  test('defaults are applied, nulls the schema does not allow are dropped, unknown fields are pruned', () => {
    const report = newReport();
    const obj = pytorch({ runPolicy: { backoffLimit: null }, extra: 1 });
    (obj.spec.pytorchReplicaSpecs as Record<string, unknown>).Worker = replica([
      container('pytorch', { ports: [{ containerPort: 80 }], bogus: true }),
    ]);
    const normalized = normalize(obj, schema, report) as Job;
    assert.deepEqual(normalized.spec.runPolicy, { suspend: false });
    const worker = (normalized.spec.pytorchReplicaSpecs as Record<string, ReturnType<typeof replica>>).Worker;
    assert.deepEqual(worker.template.spec.containers, [
      { name: 'pytorch', image: 'busybox', ports: [{ containerPort: 80, protocol: 'TCP' }] },
    ]);
    assert.deepEqual(report.unknownFields.sort(), [
      'spec.extra',
      'spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].bogus',
    ]);
    assert.equal(
      (obj.spec.runPolicy as Record<string, unknown>).backoffLimit,
      null,
      'the input is left untouched',
    );
  });

  test('the bytes the defaults add are bounded, so that the stored size need not be measured again', () => {
    const obj = pytorch({});
    (obj.spec.pytorchReplicaSpecs as Record<string, unknown>).Worker = replica([
      container('pytorch', { ports: [{ containerPort: 80 }, { containerPort: 81 }] }),
    ]);
    const report = newReport();
    const grown = requestBodyBytes(normalize(obj, schema, report)) - requestBodyBytes(obj);
    assert.ok(grown > 0, 'defaults were filled in');
    assert.ok(report.addedBytes >= grown, `${report.addedBytes} bytes counted, ${grown} added`);
  });

  test('status is ignored, as the status subresource owns it', () => {
    const withStatus = { ...pytorch(), status: { startTime: 'yesterday', conditions: 'none' } };
    assert.deepEqual(validateSchema('PyTorchJob', withStatus).errors, []);
  });

  test('apiVersion and kind must match', () => {
    assert.deepEqual(lines(validateSchema('TFJob', pytorch())), [
      'kind: Invalid value: "PyTorchJob": must be TFJob',
    ]);
    assert.deepEqual(lines(validateSchema('PyTorchJob', { ...pytorch(), apiVersion: 'kubeflow.org/v2' })), [
      'apiVersion: Invalid value: "kubeflow.org/v2": must be kubeflow.org/v1',
    ]);
  });
});

describe('messages in the API server format', () => {
  const RULES_SKIPPED =
    '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; ' +
    'correct the existing errors to complete validation';

  test('a name that is no DNS subdomain gets the generic error as well as the DNS-1035 rule', () => {
    const bad = { ...pytorch(), metadata: { name: 'Test' } };
    const errors = lines(validateSchema('PyTorchJob', bad));
    assert.equal(errors.length, 2);
    assert.match(
      errors[0],
      /^metadata\.name: Invalid value: "Test": a lowercase RFC 1123 subdomain must consist/,
    );
    assert.match(errors[1], /^metadata\.name: Invalid value: "Test": should match: a DNS-1035 label/);
  });

  test('a missing name is required, and blocks the CEL rules', () => {
    assert.deepEqual(lines(validateSchema('PyTorchJob', { ...pytorch(), metadata: {} })), [
      'metadata.name: Required value: name or generateName is required',
      RULES_SKIPPED,
    ]);
  });

  test('wrong types, by kube-openapi, with the int-or-string anyOf reported three times', () => {
    const obj = pytorch({ runPolicy: { ttlSecondsAfterFinished: 1.5 } });
    const worker = (obj.spec.pytorchReplicaSpecs as Record<string, ReturnType<typeof replica>>).Worker;
    worker.template.spec.containers = [container('pytorch', { resources: { limits: { cpu: true } } })];
    const at = 'spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].resources.limits.cpu';
    assert.deepEqual(lines(validateSchema('PyTorchJob', obj)), [
      `${at}: Invalid value: "boolean": ${at} in body must be of type integer,string: "boolean"`,
      `<nil>: Invalid value: "": "${at}" must validate at least one schema (anyOf)`,
      `${at}: Invalid value: "boolean": ${at} in body must be of type integer: "boolean"`,
      'spec.runPolicy.ttlSecondsAfterFinished: Invalid value: "number": spec.runPolicy.ttlSecondsAfterFinished in body must be of type integer: "number"',
      RULES_SKIPPED,
    ]);
  });

  test('a malformed quantity string does not block the CEL rules', () => {
    const obj = pytorch({ runPolicy: { schedulingPolicy: { minResources: { memory: '1 GB' } } } });
    (obj.spec.pytorchReplicaSpecs as Record<string, unknown>).Master = replica([container('pytorch')], {
      replicas: 3,
    });
    const errors = lines(validateSchema('PyTorchJob', obj));
    assert.equal(errors.length, 2);
    assert.match(
      errors[0],
      /^spec\.runPolicy\.schedulingPolicy\.minResources\.memory: Invalid value: "1 GB": .* should match '/,
    );
    assert.equal(errors[1], 'spec.pytorchReplicaSpecs[Master].replicas: Forbidden: must be 1');
  });

  test('the scale subresource checks the Worker replica count it reads', () => {
    const workers = (replicas: unknown) =>
      job('JAXJob', { jaxReplicaSpecs: { Worker: replica([container('jax')], { replicas }) } });
    assert.deepEqual(lines(validateSchema('JAXJob', workers(3_000_000_000))), [
      '.spec.jaxReplicaSpecs.Worker.replicas: Invalid value: 3000000000: should be less than or equal to 2147483647',
    ]);
    assert.deepEqual(lines(validateSchema('JAXJob', workers(-1))), [
      'spec.jaxReplicaSpecs.Worker.replicas: Invalid value: -1: spec.jaxReplicaSpecs.Worker.replicas in body should be greater than or equal to 0',
      '.spec.jaxReplicaSpecs.Worker.replicas: Invalid value: -1: should be a non-negative integer',
    ]);
  });

  test('list-type sets reject duplicates', () => {
    const obj = pytorch();
    const worker = (obj.spec.pytorchReplicaSpecs as Record<string, ReturnType<typeof replica>>).Worker;
    (worker.template as Record<string, unknown>).metadata = { finalizers: ['a', 'b', 'a'] };
    assert.deepEqual(lines(validateSchema('PyTorchJob', obj)), [
      'spec.pytorchReplicaSpecs[Worker].template.metadata.finalizers[2]: Duplicate value: "a"',
    ]);
  });

  test('TFJob accepts any replica type, as the reference does', () => {
    const obj = job('TFJob', {
      tfReplicaSpecs: {
        worker: replica([container('tensorflow')]),
        Evaluator: replica([container('tensorflow')]),
      },
    });
    assert.deepEqual(lines(validateSchema('TFJob', obj)), []);
  });

  test('an unset PyTorch Master replica count is accepted (it defaults to 1)', () => {
    const obj = pytorch({ pytorchReplicaSpecs: { Master: replica([container('pytorch')]) } });
    assert.deepEqual(lines(validateSchema('PyTorchJob', obj)), []);
  });
});
