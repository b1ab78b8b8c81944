// The operator's RBAC, derived from the code instead of written down beside it: the resources come
// from the enabled job kinds and ownedTypes(), the verbs from the call sites that send requests
// (CALL_SITES), plus the permissions the API server checks on the operator's behalf (ServerCheck).
// Nothing else is granted. test/unit/install-rbac.test.ts fails when a call site starts sending a verb
// this table does not know; test/integration/install.test.ts runs every kind under these rules.
// docs/install.md explains each rule.
import { KIND_NAMES, type KindName } from '../api/kinds.ts';
import { DEFAULT_RENDER_OPTIONS, type PolicyRule } from '../frameworks/framework.ts';
import { grantedRules } from '../frameworks/registry.ts';
import type { Verb } from '../kube/request-counter.ts';
import { CRD, EVENT, JOB_RESOURCES, LEASE, ResourceRegistry, type Resource } from '../kube/resources.ts';
import type { TypeRef } from '../kube/types.ts';
import { gangSchedulerFor } from '../gang/scheduler.ts';
import { ownedTypes } from '../manager/manager.ts';
import { patchedKinds } from '../reconcile/reconcile.ts';

/** Every source file that sends requests to the API server, and the verbs it sends. */
export const CALL_SITES = {
  informers: { file: 'src/manager/informer.ts', verbs: ['list', 'watch'] },
  reconcile: { file: 'src/manager/apply.ts', verbs: ['create', 'delete', 'patch', 'update'] },
  events: { file: 'src/manager/events.ts', verbs: ['create'] },
  leaderElection: { file: 'src/manager/leader.ts', verbs: ['create', 'get', 'update'] },
  podGroupCheck: { file: 'src/cli/run.ts', verbs: ['get'] },
} as const satisfies Record<string, { file: string; verbs: readonly Verb[] }>;

export type CallSite = keyof typeof CALL_SITES;

/**
 * Checks the API server makes on the operator's own requests, which need permissions no request uses.
 * - escalation: RBAC lets only a subject that holds every permission of a Role create or patch it.
 * - ownerReferences: the OwnerReferencesPermissionEnforcement admission plugin (some clusters enable
 *   it) lets an owner reference set blockOwnerDeletion only with update on the owner's finalizers.
 */
export type ServerCheck = 'escalation' | 'ownerReferences';

/**
 * Where a permission applies: in every watched namespace (cluster-wide when all are watched), on
 * cluster-scoped objects, or in the operator's own namespace only.
 */
export type Scope = 'watched' | 'cluster' | 'operator';

export interface Permission {
  scope: Scope;
  apiGroup: string;
  /** The plural, with `/subresource` where there is one. */
  resource: string;
  verbs: Verb[];
  resourceNames?: string[];
  /** The call site that sends these requests, or the server-side check that demands them. */
  because: { site: CallSite } | { check: ServerCheck };
}

/** A PolicyRule as the operator's Roles and ClusterRoles carry it: one resource (and name) per rule, verbs sorted. */
export type Rule = PolicyRule;

export interface RbacOptions {
  schemes: KindName[];
  gangSchedulerName?: string;
  /** The Lease name when leader election is on. */
  leaseName?: string;
}

/** Whether the reconciler patches live objects of this kind back to the desired state (server-side apply). */
function reconcilerPatches(type: TypeRef, schemes: readonly KindName[]): boolean {
  return schemes.some((kind) => patchedKinds(kind).has(type.kind));
}

const resourceOf = (r: Resource, subresource?: string) =>
  subresource ? `${r.plural}/${subresource}` : r.plural;

/** A permission in every watched namespace. */
function watched(
  r: Resource,
  verbs: Verb[],
  because: Permission['because'],
  subresource?: string,
): Permission {
  return { scope: 'watched', apiGroup: r.group, resource: resourceOf(r, subresource), verbs, because };
}

function jobPermissions(kind: KindName): Permission[] {
  const r = JOB_RESOURCES[kind];
  return [
    watched(r, ['list', 'watch'], { site: 'informers' }),
    // ttlSecondsAfterFinished deletes finished jobs.
    watched(r, ['delete'], { site: 'reconcile' }),
    watched(r, ['update'], { site: 'reconcile' }, 'status'),
    // Everything a job owns points at it with blockOwnerDeletion.
    watched(r, ['update'], { check: 'ownerReferences' }, 'finalizers'),
  ];
}

/** The reconciler creates what a job needs and deletes what it no longer needs; some kinds it patches. */
function ownedPermissions(
  type: TypeRef,
  registry: ResourceRegistry,
  schemes: readonly KindName[],
): Permission[] {
  const r = registry.lookup(type);
  return [
    watched(r, ['list', 'watch'], { site: 'informers' }),
    watched(r, ['create', 'delete'], { site: 'reconcile' }),
    ...(reconcilerPatches(type, schemes) ? [watched(r, ['patch'], { site: 'reconcile' })] : []),
  ];
}

/** Not used by the operator: the Roles it creates grant them (MPI's launcher, for the job's own workers). */
function grantedPermissions(schemes: readonly KindName[]): Permission[] {
  return grantedRules(schemes).flatMap((rule) =>
    rule.apiGroups.flatMap((apiGroup) =>
      rule.resources.map((resource): Permission => ({
        scope: 'watched',
        apiGroup,
        resource,
        verbs: rule.verbs,
        because: { check: 'escalation' },
      })),
    ),
  );
}

/** At start-up the operator checks that the gang scheduler's PodGroup CRD, and only that one, exists. */
function gangPermissions(gangSchedulerName: string | undefined): Permission[] {
  const gang = gangSchedulerFor(gangSchedulerName);
  if (!gang) return [];
  return [
    {
      scope: 'cluster',
      apiGroup: CRD.group,
      resource: resourceOf(CRD),
      verbs: ['get'],
      resourceNames: [gang.podGroupCrd],
      because: { site: 'podGroupCheck' },
    },
  ];
}

/** Replicas read the Lease; the first creates it; the leader renews and releases it. */
function leasePermissions(leaseName: string | undefined): Permission[] {
  if (!leaseName) return [];
  const base = { scope: 'operator', apiGroup: LEASE.group, resource: resourceOf(LEASE) } as const;
  return [
    // A create is authorized before the object has a name, so it cannot be limited to one.
    { ...base, verbs: ['create'], because: { site: 'leaderElection' } },
    { ...base, verbs: ['get', 'update'], resourceNames: [leaseName], because: { site: 'leaderElection' } },
  ];
}

/** Every permission the operator needs with these options, in a stable order, each with its reason. */
export function operatorPermissions(options: RbacOptions): Permission[] {
  const schemes = KIND_NAMES.filter((kind) => options.schemes.includes(kind));
  const registry = new ResourceRegistry();
  const managerOptions = {
    schemes,
    render: { ...DEFAULT_RENDER_OPTIONS, gangSchedulerName: options.gangSchedulerName },
  };
  return [
    ...schemes.flatMap(jobPermissions),
    ...ownedTypes(managerOptions).flatMap((type) => ownedPermissions(type, registry, schemes)),
    ...grantedPermissions(schemes),
    // Job events: SuccessfulCreatePod, PyTorchJobSucceeded, ...
    watched(EVENT, ['create'], { site: 'events' }),
    ...gangPermissions(options.gangSchedulerName),
    ...leasePermissions(options.leaseName),
  ];
}

/**
 * The rules of one scope: one per resource (and resource name), with the union of its verbs, in the
 * order the resources first appear. One resource per rule reads as a table, and is what cdk8s-plus emits.
 */
export function rulesFor(permissions: Permission[], scope: Scope): Rule[] {
  const rules = new Map<string, Rule>();
  for (const p of permissions.filter((permission) => permission.scope === scope)) {
    const key = JSON.stringify([p.apiGroup, p.resource, p.resourceNames ?? []]);
    const rule = rules.get(key) ?? {
      apiGroups: [p.apiGroup],
      resources: [p.resource],
      ...(p.resourceNames && { resourceNames: p.resourceNames }),
      verbs: [],
    };
    rule.verbs = [...new Set([...rule.verbs, ...p.verbs])].sort();
    rules.set(key, rule);
  }
  return [...rules.values()];
}
