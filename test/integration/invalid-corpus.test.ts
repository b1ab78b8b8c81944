// The invalid-job corpus (test/fixtures/invalid, see its README) against both judges: the real API server
// with our CRDs must refuse every fixture with exactly the `# expect:` errors — through the API and through
// kubectl's server-side dry run with --validate=strict and --validate=warn alike — and the offline
// validation behind `training-operator validate` must report the same errors, in the same words.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ApiException, CustomObjectsApi } from '@kubernetes/client-node';
import YAML from 'yaml';
import { GROUP, KINDS, VERSION } from '../../src/api/kinds.ts';
import type { Job } from '../../src/api/types.ts';
import { validateJob } from '../../src/api/validate.ts';
import { fieldPrefix } from '../../src/cli/input.ts';
import { validateCommand } from '../../src/cli/validate.ts';
import { repoRoot } from '../cluster/control-plane.ts';
import * as harness from './harness.ts';

const fixtureDir = join(repoRoot, 'test/fixtures/invalid');

interface Fixture {
  path: string;
  expected: string[];
  /** For an update: the stored job, created first. */
  stored?: Job;
  job: Job;
}

function readFixture(path: string): Fixture {
  const text = readFileSync(path, 'utf8');
  const expected = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1]);
  const docs = YAML.parseAllDocuments(text).map((doc) => doc.toJS() as Job);
  return docs.length === 2
    ? { path, expected, stored: docs[0], job: docs[1] }
    : { path, expected, job: docs[0] };
}

const sorted = (lines: string[]) => [...lines].sort();

/** The `field: message` lines of a 422 response's details.causes; the message of a 413 (no field). */
function causesOf(err: unknown): string[] {
  if (!(err instanceof ApiException) || (err.code !== 422 && err.code !== 413)) throw err;
  const status = JSON.parse(err.body as string) as {
    message?: string;
    details?: { causes?: { field?: string; message?: string }[] };
  };
  if (err.code === 413) return [status.message ?? ''];
  return (status.details?.causes ?? []).map((c) => `${c.field}: ${c.message}`);
}

/**
 * The errors kubectl prints for a refusal: a 413's message, or the causes of a 422, which kubectl lists
 * as `The <Kind> "<name>" is invalid: <cause>` for one and one `* <cause>` line each for several.
 */
function kubectlCauses(stderr: string, fixture: Fixture, verb: 'creating' | 'replacing'): string[] {
  const tooLarge = `Error from server (RequestEntityTooLarge): error when ${verb} "STDIN": `;
  if (stderr.startsWith(tooLarge)) return [stderr.slice(tooLarge.length)];
  const prefix = `The ${fixture.job.kind} "${fixture.job.metadata.name}" is invalid: `;
  assert.ok(stderr.startsWith(prefix), `kubectl said: ${stderr}`);
  const causes = stderr.slice(prefix.length);
  return causes.startsWith('\n* ') ? causes.slice(3).split('\n* ') : [causes];
}

/** kubectl's server-side dry run of the fixture (create, or replace of the stored job): its stderr. */
async function kubectlErrors(fixture: Fixture, validate: 'strict' | 'warn'): Promise<string> {
  const namespace = await harness.namespace('invalid-kubectl');
  if (fixture.stored) {
    await harness.kubectl(['create', '-n', namespace, '-f', '-'], JSON.stringify(fixture.stored));
  }
  const verb = fixture.stored ? 'replace' : 'create';
  const args = [verb, '--dry-run=server', `--validate=${validate}`, '-n', namespace, '-f', '-'];
  try {
    await harness.kubectl(args, JSON.stringify(fixture.job));
  } catch (err) {
    return (err as Error).message.replace(/^kubectl .*? failed: /s, '');
  }
  assert.fail(`kubectl ${args.join(' ')} accepted the job`);
}

/** Submits the fixture (a dry-run create, or a dry-run update of the stored job) and returns the errors. */
async function apiServerErrors(fixture: Fixture): Promise<string[]> {
  const api = harness.client(CustomObjectsApi);
  const namespace = await harness.namespace('invalid');
  const resource = { group: GROUP, version: VERSION, namespace, plural: KINDS[fixture.job.kind].plural };
  try {
    if (!fixture.stored) {
      await api.createNamespacedCustomObject({ ...resource, body: fixture.job, dryRun: 'All' });
    } else {
      const stored = (await api.createNamespacedCustomObject({ ...resource, body: fixture.stored })) as Job;
      const body = {
        ...fixture.job,
        metadata: { ...fixture.job.metadata, resourceVersion: stored.metadata.resourceVersion },
      };
      await api.replaceNamespacedCustomObject({
        ...resource,
        name: stored.metadata.name,
        body,
        dryRun: 'All',
      });
    }
  } catch (err) {
    return causesOf(err);
  }
  return [];
}

/** What `training-operator validate` prints for a create, without the `<Kind>/<name>: ` prefix. */
function cliErrors(fixture: Fixture): string[] {
  const out: string[] = [];
  validateCommand([fixture.path], { out: (line) => out.push(line), err: () => undefined });
  const prefix = `${fixture.job.kind}/${fixture.job.metadata.name}: `;
  return out.map((line) => (line.startsWith(prefix) ? line.slice(prefix.length) : line));
}

describe('invalid-job corpus: the API server and training-operator validate agree', () => {
  const files = readdirSync(fixtureDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();

  test('the corpus is there', () => assert.ok(files.length > 0, `no fixtures in ${fixtureDir}`));

  for (const file of files) {
    test(file, async () => {
      const fixture = readFixture(join(fixtureDir, file));
      assert.ok(fixture.expected.length > 0, 'the fixture names its expected errors');
      assert.deepEqual(sorted(await apiServerErrors(fixture)), sorted(fixture.expected), 'API server');
      for (const validate of ['strict', 'warn'] as const) {
        const stderr = await kubectlErrors(fixture, validate);
        const causes = kubectlCauses(stderr, fixture, fixture.stored ? 'replacing' : 'creating');
        assert.deepEqual(sorted(causes), sorted(fixture.expected), `kubectl --validate=${validate}`);
      }
      const offline = fixture.stored
        ? validateJob(fixture.job, fixture.stored).errors.map((e) => `${fieldPrefix(e.path)}${e.message}`)
        : cliErrors(fixture);
      assert.deepEqual(
        offline,
        fixture.expected,
        fixture.stored ? 'validateJob(job, old)' : 'training-operator validate',
      );
    });
  }
});
