// The limits that refuse jobs which could never run (docs/crds.md): Service names derived from the job
// name, restart policies, negative replica counts, labels and annotations, the request size; and the
// warning for a job without a single pod.
import { replicaSpecs } from '../../src/api/job.ts';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { API_VERSION, KIND_NAMES, KINDS, type KindName, type RestartPolicy } from '../../src/api/kinds.ts';
import { replicaName } from '../../src/api/names.ts';
import { validateSchema } from '../../src/api/schema.ts';
import { TOTAL_ANNOTATION_SIZE_LIMIT } from '../../src/api/schema/objectmeta.ts';
import { MAX_REQUEST_BODY_BYTES, requestBodyBytes } from '../../src/api/schema/request.ts';
import type { Job } from '../../src/api/types.ts';
import { validateJob } from '../../src/api/validate.ts';
import { ETCD_DEFAULT_MAX_REQUEST_BYTES, MAX_STORED_BYTES } from '../../src/api/runnable.ts';

type Replicas = Record<string, number | undefined>;

function job(kind: KindName, replicas: Replicas, metadata: Record<string, unknown> = { name: 'test' }): Job {
  const info = KINDS[kind];
  const specs = Object.fromEntries(
    Object.entries(replicas).map(([type, count]) => [
      type,
      {
        ...(count === undefined ? {} : { replicas: count }),
        template: { spec: { containers: [{ name: info.defaultContainer, image: 'busybox' }] } },
      },
    ]),
  );
  return {
    apiVersion: API_VERSION,
    kind,
    metadata,
    spec: { [info.replicaSpecsField]: specs },
  } as unknown as Job;
}

const lines = (j: Job) => validateSchema(j.kind, j).errors.map((e) => `${e.path}: ${e.message}`);
const nameOf = (length: number) => 'n'.repeat(length);

/** Replica maps every kind accepts, with counts that make the Service names long. */
const SHAPES: Record<KindName, Replicas[]> = {
  PyTorchJob: [{ Master: undefined, Worker: 10 }, { Worker: 1 }, { Master: 1, Worker: 1000 }],
  TFJob: [{ Chief: 1, PS: 2, Worker: 100 }, { Evaluator: 1 }, { Worker: 0, PS: 1 }],
  XGBoostJob: [{ Master: 1, Worker: 12 }, { Master: undefined }],
  MPIJob: [{ Launcher: 1, Worker: 1000 }],
  PaddleJob: [{ Master: 1, Worker: 3 }, { Worker: 100000 }],
  JAXJob: [{ Worker: 7 }, { Worker: undefined }],
};

/** The longest Service name the operator would create: the name with the longest `-<type>-<index>`. */
function longestServiceName(name: string, replicas: Replicas): number {
  return Math.max(
    ...Object.entries(replicas).map(([type, count]) =>
      (count ?? 1) > 0 ? replicaName(name, type, (count ?? 1) - 1).length : 0,
    ),
  );
}

describe('Service names derived from the job name', () => {
  for (const kind of KIND_NAMES.filter((k) => k !== 'MPIJob')) {
    test(`${kind}: refused exactly when a Service name would exceed 63 characters, naming the longest name that works`, () => {
      for (const replicas of SHAPES[kind]) {
        const bound = 63 - (longestServiceName('', replicas) || 0);
        for (const length of [bound - 1, bound, bound + 1].filter((n) => n > 0 && n <= 63)) {
          const errors = lines(job(kind, replicas, { name: nameOf(length) }));
          const fits = longestServiceName(nameOf(length), replicas) <= 63;
          const at = `${JSON.stringify(replicas)}, name of ${length}`;
          if (fits) assert.deepEqual(errors, [], at);
          else
            assert.deepEqual(
              errors,
              [
                `metadata.name: Invalid value: must be no more than ${bound} characters: its Services are named ` +
                  '<name>-<replica type>-<index>, which must be no more than 63 characters',
              ],
              at,
            );
        }
      }
    });
  }

  test('a name over 63 characters gets the name rule only', () => {
    assert.deepEqual(lines(job('JAXJob', { Worker: 1 }, { name: nameOf(64) })), [
      `metadata.name: Invalid value: "${nameOf(64)}": should match: must be no more than 63 characters`,
    ]);
  });

  test('with generateName, the message also gives the longest prefix (the API server appends 5 characters)', () => {
    const generated = job('PyTorchJob', { Worker: 1 }, { generateName: nameOf(50) });
    assert.deepEqual(lines(generated), [
      'metadata.name: Invalid value: must be no more than 54 characters: its Services are named ' +
        '<name>-<replica type>-<index>, which must be no more than 63 characters; a generateName must be ' +
        'no more than 49, as the API server appends 5 characters',
    ]);
    assert.deepEqual(lines(job('PyTorchJob', { Worker: 1 }, { generateName: nameOf(49) })), []);
  });

  test('MPIJob (no Services): the name is at most 63 characters, the value of its pods’ job-name label', () => {
    const mpi = (length: number) => job('MPIJob', { Launcher: 1, Worker: 1000 }, { name: nameOf(length) });
    assert.deepEqual(lines(mpi(63)), []);
    assert.deepEqual(lines(mpi(64)), [
      `metadata.name: Invalid value: "${nameOf(64)}": must be no more than 63 characters: it is the value ` +
        'of the training.kubeflow.org/job-name label of the pods',
    ]);
  });
});

describe('replica fields', () => {
  const withWorker = (worker: Record<string, unknown>) => {
    const j = job('TFJob', { PS: 1, Worker: 1 });
    Object.assign(replicaSpecs(j).Worker, worker);
    return j;
  };

  test('restartPolicy is one of Always, OnFailure, Never, ExitCode', () => {
    const policies: RestartPolicy[] = ['Always', 'OnFailure', 'Never', 'ExitCode'];
    for (const policy of policies) assert.deepEqual(lines(withWorker({ restartPolicy: policy })), []);
    for (const policy of ['', 'always', 'OnFailures']) {
      assert.equal(
        lines(withWorker({ restartPolicy: policy }))[0],
        `spec.tfReplicaSpecs.Worker.restartPolicy: Unsupported value: ${JSON.stringify(policy)}: supported ` +
          'values: "Always", "OnFailure", "Never", "ExitCode"',
      );
    }
  });

  test('replicas may be 0, not negative', () => {
    assert.deepEqual(lines(withWorker({ replicas: 0 })), []);
    assert.deepEqual(lines(withWorker({ replicas: -1 })), [
      'spec.tfReplicaSpecs.Worker.replicas: Invalid value: -1: spec.tfReplicaSpecs.Worker.replicas in body ' +
        'should be greater than or equal to 0',
    ]);
  });
});

describe('labels and annotations, as the API server checks every object’s metadata', () => {
  const withMetadata = (metadata: Record<string, unknown>) =>
    job('JAXJob', { Worker: 1 }, { name: 'meta', ...metadata });
  const TOO_LONG = 'metadata.annotations: Too long: may not be more than 262144 bytes';

  test('annotations: keys and values together at most 256 KiB, counted in bytes', () => {
    const key = 'example.com/note';
    const exactly = 'a'.repeat(TOTAL_ANNOTATION_SIZE_LIMIT - key.length);
    assert.deepEqual(lines(withMetadata({ annotations: { [key]: exactly } })), []);
    assert.deepEqual(lines(withMetadata({ annotations: { [key]: `${exactly}a` } }))[0], TOO_LONG);
    const twoByteCharacters = 'é'.repeat((TOTAL_ANNOTATION_SIZE_LIMIT - key.length) / 2 + 1);
    assert.deepEqual(lines(withMetadata({ annotations: { [key]: twoByteCharacters } }))[0], TOO_LONG);
  });

  test('annotation keys are label keys in any case', () => {
    assert.deepEqual(lines(withMetadata({ annotations: { 'Example.COM/Note_1': 'x' } })), []);
    assert.match(
      lines(withMetadata({ annotations: { 'a/b/c': 'x' } })).join('\n'),
      /^metadata\.annotations: Invalid value: "a\/b\/c": a valid label key must consist of/,
    );
  });

  test('label keys: a lower-case DNS subdomain prefix, a name of at most 63; values at most 63', () => {
    assert.deepEqual(
      lines(withMetadata({ labels: { 'example.com/Team_A': 'ML.research-1', empty: '' } })),
      [],
    );
    assert.deepEqual(lines(withMetadata({ labels: { team: 'v'.repeat(63) } })), []);
    assert.deepEqual(lines(withMetadata({ labels: { team: 'v'.repeat(64) } })), [
      `metadata.labels: Invalid value: "${'v'.repeat(64)}": must be no more than 63 bytes`,
    ]);
    assert.deepEqual(lines(withMetadata({ labels: { '/team': 'a' } })), [
      'metadata.labels: Invalid value: "/team": prefix part must be non-empty',
    ]);
    assert.match(
      lines(withMetadata({ labels: { 'Example.com/team': 'a' } })).join('\n'),
      /^metadata\.labels: Invalid value: "Example\.com\/team": prefix part a lowercase RFC 1123 subdomain/,
    );
    assert.deepEqual(lines(withMetadata({ labels: { [`${'k'.repeat(64)}`]: 'a' } })), [
      `metadata.labels: Invalid value: "${'k'.repeat(64)}": name part must be no more than 63 bytes`,
    ]);
  });
});

describe('request size', () => {
  const withArgument = (length: number) => {
    const j = job('PaddleJob', { Worker: 1 });
    replicaSpecs(j).Worker.template!.spec!.containers = [
      { name: 'paddle', image: 'busybox', args: ['a'.repeat(length)] },
    ];
    return j;
  };

  test('a job over 3 MiB as JSON gets the 413 message only, naming the limit', () => {
    const base = requestBodyBytes(withArgument(0));
    assert.deepEqual(lines(withArgument(MAX_REQUEST_BODY_BYTES - base)), []);
    assert.deepEqual(lines(withArgument(MAX_REQUEST_BODY_BYTES - base + 1)), [
      ': Request entity too large: limit is 3145728',
    ]);
  });

  test('a job the API server cannot store: an error over 2 MiB, a warning over etcd’s default 1.5 MiB', () => {
    const base = requestBodyBytes(withArgument(0));
    const sized = (bytes: number) => {
      const { errors, warnings } = validateJob(withArgument(bytes - base));
      return { errors, warnings };
    };
    assert.deepEqual(sized(ETCD_DEFAULT_MAX_REQUEST_BYTES), { errors: [], warnings: [] });
    assert.deepEqual(sized(ETCD_DEFAULT_MAX_REQUEST_BYTES + 1).warnings, [
      '1572865 bytes as JSON: etcd refuses objects over 1572864 bytes unless its --max-request-bytes is ' +
        'raised (a server-side dry run does not check this)',
    ]);
    assert.deepEqual(sized(MAX_STORED_BYTES).errors, []);
    assert.deepEqual(sized(MAX_STORED_BYTES + 1), {
      errors: [
        {
          path: '',
          message:
            'too large to store: 2097153 bytes as JSON, and the API server sends etcd at most 2097152 bytes ' +
            'per object (a server-side dry run does not check this)',
        },
      ],
      warnings: [],
    });
    assert.deepEqual(
      sized(MAX_REQUEST_BODY_BYTES + 1).errors.map((e) => e.message),
      ['Request entity too large: limit is 3145728'],
    );
  });

  test('counted as Go encodes JSON: <, > and & take six bytes each', () => {
    assert.equal(requestBodyBytes({ a: '<&>' }), JSON.stringify({ a: '' }).length + 18);
    assert.equal(requestBodyBytes({ a: 'é' }), JSON.stringify({ a: '' }).length + 2);
  });
});

describe('a job without a single pod', () => {
  const warnings = (j: Job) => validateJob(j).warnings;

  test('is admitted with a warning when every replica type has 0 replicas', () => {
    assert.deepEqual(warnings(job('TFJob', { PS: 0, Worker: 0 })), [
      'spec.tfReplicaSpecs: every replica type has 0 replicas, so the job starts no pods',
    ]);
    assert.deepEqual(warnings(job('JAXJob', { Worker: 0 })), [
      'spec.jaxReplicaSpecs: every replica type has 0 replicas, so the job starts no pods',
    ]);
    assert.deepEqual(validateJob(job('PaddleJob', { Worker: 0 })).errors, []);
  });

  test('no warning when one type has a pod, by its count or its default', () => {
    assert.deepEqual(warnings(job('TFJob', { PS: 0, Worker: 1 })), []);
    assert.deepEqual(warnings(job('TFJob', { PS: 0, Worker: undefined })), []);
    assert.deepEqual(warnings(job('MPIJob', { Launcher: 1 })), []);
  });
});
