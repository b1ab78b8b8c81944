// Least privilege, kept true: the operator's RBAC (src/install/rbac.ts) against the code that uses it.
// A new API call in src/ fails the call-site scan until CALL_SITES (and so the rules) know its verb; a
// new kind of owned object fails the resource checks; any change to the rules shows in the table below.
// test/integration/install-rbac.test.ts then runs every kind under exactly these rules.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { KIND_NAMES, type KindName } from '../../src/api/kinds.ts';
import type { Job } from '../../src/api/types.ts';
import { DEFAULT_RENDER_OPTIONS } from '../../src/frameworks/framework.ts';
import { withDefaults } from '../../src/frameworks/registry.ts';
import { CALL_SITES, operatorPermissions, type Rule, rulesFor } from '../../src/install/rbac.ts';
import type { Verb } from '../../src/kube/request-counter.ts';
import { JOB_RESOURCES, ResourceRegistry } from '../../src/kube/resources.ts';
import { ownedTypes } from '../../src/manager/manager.ts';
import type { ManagerOptions } from '../../src/manager/options.ts';
import { render } from '../../src/render/render.ts';

const root = join(import.meta.dirname, '..', '..');
const LEASE = '1ca428e5.training-operator.kubeflow.org';
const GANG_SCHEDULERS = [undefined, 'volcano', 'scheduler-plugins'];

/** KubeClient methods (and EventSink.create) and the RBAC verb each one sends. */
const METHOD_VERBS: Record<string, Verb> = {
  get: 'get',
  list: 'list',
  listAll: 'list',
  watch: 'watch',
  create: 'create',
  replace: 'update',
  replaceStatus: 'update',
  patch: 'patch',
  apply: 'patch',
  delete: 'delete',
};
/** `client.get(`, `this.client\n  .replace(`, `deps.client.apply<T>(`, `sink.create(`; not the factory `KubeClient.create(`. */
const CALL = new RegExp(
  `\\b((?:[a-z]\\w*)?[cC]lient|sink)\\s*\\.\\s*(${Object.keys(METHOD_VERBS).join('|')})\\s*[<(]`,
  'g',
);

/**
 * The TypeScript client (src/client) and the commands built on it send requests as the user, with the
 * user's credentials: the operator's RBAC is not theirs.
 */
const actsAsTheUser = (file: string) =>
  file.startsWith('src/client/') ||
  (file.startsWith('src/cli/') && /from '\.\.\/client\//.test(readFileSync(join(root, file), 'utf8')));

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .filter((file) => !actsAsTheUser(file))
    .sort();
}

/** src/kube implements the client; src/local (the local cluster) uses it as the cluster's admin. */
const outsideOperator = (file: string) => file.startsWith('src/kube/') || file.startsWith('src/local/');

/** The verbs each file sends through a client (or the event sink). */
function verbsBySourceFile(): Map<string, Set<Verb>> {
  const found = new Map<string, Set<Verb>>();
  for (const file of sourceFiles('src').filter((f) => !outsideOperator(f))) {
    const text = readFileSync(join(root, file), 'utf8');
    const verbs = new Set([...text.matchAll(CALL)].map((match) => METHOD_VERBS[match[2]]));
    if (verbs.size > 0) found.set(file, verbs);
  }
  return found;
}

const ALL = { schemes: [...KIND_NAMES], leaseName: LEASE };

/** Whether the rules allow a request, as the RBAC authorizer decides it (no wildcards are ever granted). */
function allows(rules: Rule[], group: string, resource: string, verb: Verb, name?: string): boolean {
  return rules.some(
    (rule) =>
      rule.apiGroups.includes(group) &&
      rule.resources.includes(resource) &&
      rule.verbs.includes(verb) &&
      (!rule.resourceNames || (name !== undefined && rule.resourceNames.includes(name))),
  );
}

const watchedRules = (options: Parameters<typeof operatorPermissions>[0]) =>
  rulesFor(operatorPermissions(options), 'watched');

function example(kind: KindName): Job {
  const file = kind === 'PyTorchJob' ? 'pytorchjob-elastic.yaml' : `${kind.toLowerCase()}.yaml`;
  const job = parse(readFileSync(join(root, 'examples', file), 'utf8')) as Job;
  return withDefaults({ ...job, metadata: { ...job.metadata, namespace: 'ns', uid: 'uid' } });
}

describe('every API call in src/ is known, with its verbs', () => {
  test('the files that send requests, and their verbs, are exactly CALL_SITES', () => {
    const found = Object.fromEntries(
      [...verbsBySourceFile()].map(([file, verbs]) => [file, [...verbs].sort()]),
    );
    const declared = Object.fromEntries(
      Object.values(CALL_SITES).map((site) => [site.file, [...site.verbs].sort()]),
    );
    assert.deepEqual(
      found,
      declared,
      'a request the RBAC table does not know: add its verb to CALL_SITES in src/install/rbac.ts and grant it',
    );
  });

  test('only the call sites (and the manager, which hands the client on) get hold of the client', () => {
    const importers = sourceFiles('src').filter(
      (file) => !outsideOperator(file) && /kube\/client\.ts'/.test(readFileSync(join(root, file), 'utf8')),
    );
    const expected = [...Object.values(CALL_SITES).map((site) => site.file), 'src/manager/manager.ts']
      .filter((file) => file !== CALL_SITES.events.file)
      .sort();
    assert.deepEqual(importers, expected);
  });

  test('each permission that a request uses names a call site that sends that verb, and each site is used', () => {
    const used = new Set<string>();
    for (const gang of GANG_SCHEDULERS) {
      for (const permission of operatorPermissions({ ...ALL, gangSchedulerName: gang })) {
        if (!('site' in permission.because)) continue;
        const site = CALL_SITES[permission.because.site];
        used.add(permission.because.site);
        for (const verb of permission.verbs) {
          assert.ok((site.verbs as readonly Verb[]).includes(verb), `${site.file} sends no ${verb}`);
        }
      }
    }
    assert.deepEqual([...used].sort(), Object.keys(CALL_SITES).sort());
  });
});

describe('the resources are the ones the operator touches', () => {
  const kindSets: KindName[][] = [...KIND_NAMES.map((kind) => [kind]), [...KIND_NAMES]];
  const cases = kindSets.flatMap((schemes) => GANG_SCHEDULERS.map((gang) => ({ schemes, gang })));
  for (const { schemes, gang } of cases) {
    test(`${schemes.length === 6 ? 'all kinds' : schemes[0]}${gang ? ` with ${gang}` : ''}`, () => {
      const registry = new ResourceRegistry();
      const managerOptions = { schemes, render: { ...DEFAULT_RENDER_OPTIONS, gangSchedulerName: gang } };
      const owned = ownedTypes(managerOptions as ManagerOptions).map((type) => registry.lookup(type).plural);
      const jobs = schemes.flatMap((kind) => {
        const plural = JOB_RESOURCES[kind].plural;
        return [plural, `${plural}/status`, `${plural}/finalizers`];
      });
      const launcher = schemes.includes('MPIJob') ? ['pods/exec'] : [];
      const rules = watchedRules({ schemes, gangSchedulerName: gang });
      assert.deepEqual(
        rules.map((rule) => rule.resources[0]).sort(),
        [...jobs, ...owned, ...launcher, 'events'].sort(),
      );
    });
  }

  test('whatever the operator renders for a job it may create, watch and delete, under every gang scheduler', () => {
    for (const gang of GANG_SCHEDULERS) {
      const rules = watchedRules({ ...ALL, gangSchedulerName: gang });
      const registry = new ResourceRegistry();
      for (const kind of KIND_NAMES) {
        for (const object of render(example(kind), { ...DEFAULT_RENDER_OPTIONS, gangSchedulerName: gang })) {
          const resource = registry.lookup(object);
          for (const verb of ['create', 'list', 'watch', 'delete'] as const) {
            assert.ok(
              allows(rules, resource.group, resource.plural, verb),
              `${verb} ${resource.plural} (${kind})`,
            );
          }
        }
      }
    }
  });

  test('the operator holds every permission of the MPI launcher Role it creates (RBAC escalation check)', () => {
    const rules = watchedRules({ schemes: ['MPIJob'] });
    const role = render(example('MPIJob'), DEFAULT_RENDER_OPTIONS).find((object) => object.kind === 'Role')!;
    const granted = role.rules as Rule[];
    assert.ok(granted.length > 0);
    for (const rule of granted) {
      for (const verb of rule.verbs) {
        for (const name of rule.resourceNames ?? [undefined]) {
          assert.ok(
            allows(rules, rule.apiGroups[0], rule.resources[0], verb, name),
            `${verb} ${rule.resources[0]}`,
          );
        }
      }
    }
  });

  test('nothing beyond: no wildcards, no secrets, no read of jobs or owned objects by name', () => {
    const rules = [
      ...watchedRules({ ...ALL, gangSchedulerName: 'volcano' }),
      ...rulesFor(operatorPermissions({ ...ALL, gangSchedulerName: 'volcano' }), 'cluster'),
    ];
    const text = JSON.stringify(rules);
    assert.ok(!text.includes('*'));
    assert.ok(!text.includes('secrets'));
    for (const verb of ['deletecollection', 'escalate', 'bind', 'impersonate'] as string[]) {
      assert.ok(!text.includes(`"${verb}"`), verb);
    }
    assert.ok(
      !allows(rules, 'kubeflow.org', 'pytorchjobs', 'get'),
      'jobs are read through the informers only',
    );
    assert.ok(!allows(rules, '', 'services', 'get'));
  });
});

/** One line per rule: `group resource[/sub] [name]: verbs`. */
const table = (rules: Rule[]) =>
  rules.map(
    (r) =>
      `${r.apiGroups[0] || 'core'} ${r.resources[0]}${r.resourceNames ? ` (${r.resourceNames.join(',')})` : ''}: ${r.verbs.join(' ')}`,
  );

describe('the rules, as a table (a change here is a change of the operator’s privileges: review it)', () => {
  const permissions = operatorPermissions({ ...ALL, gangSchedulerName: 'volcano' });

  test('in every watched namespace (cluster-wide when none is listed)', () => {
    const jobs = KIND_NAMES.flatMap((kind) => {
      const plural = JOB_RESOURCES[kind].plural;
      return [
        `kubeflow.org ${plural}: delete list watch`,
        `kubeflow.org ${plural}/status: update`,
        `kubeflow.org ${plural}/finalizers: update`,
      ];
    });
    assert.deepEqual(table(rulesFor(permissions, 'watched')), [
      ...jobs,
      'core pods: create delete get list watch',
      'core services: create delete list watch',
      'autoscaling horizontalpodautoscalers: create delete list patch watch',
      'core configmaps: create delete list patch watch',
      'core serviceaccounts: create delete list watch',
      'rbac.authorization.k8s.io roles: create delete list patch watch',
      'rbac.authorization.k8s.io rolebindings: create delete list watch',
      'scheduling.volcano.sh podgroups: create delete list patch watch',
      'core pods/exec: create',
      'core events: create',
    ]);
  });

  test('cluster-scoped, and in the operator’s namespace', () => {
    assert.deepEqual(table(rulesFor(permissions, 'cluster')), [
      'apiextensions.k8s.io customresourcedefinitions (podgroups.scheduling.volcano.sh): get',
    ]);
    assert.deepEqual(table(rulesFor(permissions, 'operator')), [
      'coordination.k8s.io leases: create',
      `coordination.k8s.io leases (${LEASE}): get update`,
    ]);
  });

  test('without MPIJob: no pods/exec, no get on pods, no RBAC objects', () => {
    const rules = table(watchedRules({ schemes: KIND_NAMES.filter((kind) => kind !== 'MPIJob') }));
    assert.ok(rules.includes('core pods: create delete list watch'));
    for (const resource of ['pods/exec', 'roles', 'rolebindings', 'serviceaccounts', 'configmaps']) {
      assert.ok(!rules.some((line) => line.includes(` ${resource}:`)), resource);
    }
  });
});
