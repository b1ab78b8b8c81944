// The operator's RBAC, derived from the code instead of written down beside it: the resources come
// from the enabled job kinds and ownedTypes(), the verbs from the call sites that send requests
// (CALL_SITES), plus the permissions the API server checks on the operator's behalf (SERVER_CHECKS).
// Nothing else is granted. test/unit/install-rbac.test.ts fails when a call site starts sending a verb
// this table does not know; test/integration/install-rbac.test.ts runs every kind under these rules.
import { API_VERSION, KIND_NAMES, type KindName } from '../api/kinds.ts';
import type { Job } from '../api/types.ts';
import { DEFAULT_RENDER_OPTIONS } from '../frameworks/framework.ts';
import { withDefaults } from '../frameworks/registry.ts';
import type { Verb } from '../kube/request-counter.ts';
import { CRD, EVENT, JOB_RESOURCES, LEASE, ResourceRegistry, type Resource } from '../kube/resources.ts';
import type { TypeRef } from '../kube/types.ts';
import { ownedTypes } from '../manager/manager.ts';
import type { ManagerOptions } from '../manager/options.ts';
import { diffObjects } from '../reconcile/diff.ts';
import { PODGROUP_API, gangScheduler } from '../render/gang.ts';
import { render } from '../render/render.ts';

/** Every source file that sends requests to the API server, and the verbs it sends. */
export const CALL_SITES = {
  informers: { file: 'src/manager/informer.ts', verbs: ['list', 'watch'] },
  reconcile: { file: 'src/reconcile/apply.ts', verbs: ['create', 'delete', 'patch', 'update'] },
  events: { file: 'src/manager/events.ts', verbs: ['create'] },
  leaderElection: { file: 'src/manager/leader.ts', verbs: ['create', 'get', 'update'] },
  podGroupCheck: { file: 'src/cli/run.ts', verbs: ['get'] },
} as const satisfies Record<string, { file: string; verbs: readonly Verb[] }>;

/** Checks the API server makes on the operator's own requests, which need permissions no request uses. */
export const SERVER_CHECKS = {
  escalation:
    'RBAC escalation prevention: only a subject that holds every permission of a Role may create or patch it',
  ownerReferences:
    'OwnerReferencesPermissionEnforcement (an admission plugin some clusters enable): an owner reference ' +
    'with blockOwnerDeletion needs update on the owner’s finalizers',
} as const;

export type CallSite = keyof typeof CALL_SITES;
export type ServerCheck = keyof typeof SERVER_CHECKS;

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
  because: { site: CallSite } | { check: ServerCheck };
  why: string;
}

/** A PolicyRule as Roles and ClusterRoles carry it: one resource (and name) per rule, verbs sorted. */
export interface Rule {
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
  verbs: Verb[];
}

export interface RbacOptions {
  schemes: KindName[];
  gangSchedulerName?: string;
  /** The Lease name when leader election is on. */
  leaseName?: string;
}

const PATCH_PROBE_NAME = 'rbac-probe';

/** Whether the reconciler patches live objects of this kind back to the desired state (server-side apply). */
function reconcilerPatches(type: TypeRef): boolean {
  const object = (value: number) => ({ ...type, metadata: { name: PATCH_PROBE_NAME }, spec: { value } });
  return diffObjects([object(1)], [object(2)]).update.length > 0;
}

/** An MPIJob as small as the API accepts: the launcher Role is the same for every job but its names. */
const SAMPLE_MPI_JOB: Job = {
  apiVersion: API_VERSION,
  kind: 'MPIJob',
  metadata: { name: 'rbac', namespace: 'rbac' },
  spec: {
    mpiReplicaSpecs: {
      Launcher: { template: { spec: { containers: [{ name: 'mpi', image: 'mpi' }] } } },
      Worker: { template: { spec: { containers: [{ name: 'mpi', image: 'mpi' }] } } },
    },
  },
};

/** The rules of the Role the operator creates for every MPI launcher, whatever the job's worker names. */
function launcherRoleRules(): Omit<Rule, 'resourceNames'>[] {
  const role = render(withDefaults(SAMPLE_MPI_JOB), DEFAULT_RENDER_OPTIONS).find((o) => o.kind === 'Role');
  if (!role) throw new Error('the MPIJob launcher renders no Role');
  return (role.rules as Rule[]).map(({ apiGroups, resources, verbs }) => ({ apiGroups, resources, verbs }));
}

const resourceOf = (r: Resource, subresource?: string) =>
  subresource ? `${r.plural}/${subresource}` : r.plural;

function jobPermissions(kind: KindName): Permission[] {
  const r = JOB_RESOURCES[kind];
  const base = { scope: 'watched', apiGroup: r.group } as const;
  return [
    {
      ...base,
      resource: resourceOf(r),
      verbs: ['list', 'watch'],
      because: { site: 'informers' },
      why: 'the job informers',
    },
    {
      ...base,
      resource: resourceOf(r),
      verbs: ['delete'],
      because: { site: 'reconcile' },
      why: 'ttlSecondsAfterFinished deletes finished jobs',
    },
    {
      ...base,
      resource: resourceOf(r, 'status'),
      verbs: ['update'],
      because: { site: 'reconcile' },
      why: 'the job status, written through the status subresource',
    },
    {
      ...base,
      resource: resourceOf(r, 'finalizers'),
      verbs: ['update'],
      because: { check: 'ownerReferences' },
      why: 'every object a job owns points at it with blockOwnerDeletion',
    },
  ];
}

function ownedPermissions(type: TypeRef, registry: ResourceRegistry): Permission[] {
  const r = registry.lookup(type);
  const base = { scope: 'watched', apiGroup: r.group, resource: resourceOf(r) } as const;
  const permissions: Permission[] = [
    {
      ...base,
      verbs: ['list', 'watch'],
      because: { site: 'informers' },
      why: 'the informers of owned objects',
    },
    {
      ...base,
      verbs: ['create', 'delete'],
      because: { site: 'reconcile' },
      why: 'the reconciler creates what a job needs and deletes what it no longer needs',
    },
  ];
  if (reconcilerPatches(type)) {
    permissions.push({
      ...base,
      verbs: ['patch'],
      because: { site: 'reconcile' },
      why: 'the reconciler server-side applies changed objects of this kind',
    });
  }
  return permissions;
}

function launcherPermissions(): Permission[] {
  return launcherRoleRules().flatMap((rule) =>
    rule.apiGroups.flatMap((apiGroup) =>
      rule.resources.map((resource): Permission => ({
        scope: 'watched',
        apiGroup,
        resource,
        verbs: rule.verbs,
        because: { check: 'escalation' },
        why: 'the MPI launcher Role grants it (for the job’s own workers)',
      })),
    ),
  );
}

function gangPermissions(gangSchedulerName: string | undefined): Permission[] {
  const gang = gangScheduler(gangSchedulerName);
  if (!gang) return [];
  const [group] = PODGROUP_API[gang.kind].split('/');
  return [
    {
      scope: 'cluster',
      apiGroup: CRD.group,
      resource: resourceOf(CRD),
      verbs: ['get'],
      resourceNames: [`podgroups.${group}`],
      because: { site: 'podGroupCheck' },
      why: 'at start-up the operator checks that the PodGroup CRD is installed',
    },
  ];
}

function leasePermissions(leaseName: string | undefined): Permission[] {
  if (!leaseName) return [];
  const base = { scope: 'operator', apiGroup: LEASE.group, resource: resourceOf(LEASE) } as const;
  return [
    // A create is authorized before the object has a name, so it cannot be limited to one.
    {
      ...base,
      verbs: ['create'],
      because: { site: 'leaderElection' },
      why: 'the first replica creates the Lease',
    },
    {
      ...base,
      verbs: ['get', 'update'],
      resourceNames: [leaseName],
      because: { site: 'leaderElection' },
      why: 'replicas read the Lease; the leader renews and releases it',
    },
  ];
}

/** Every permission the operator needs with these options, in a stable order, each with its reason. */
export function operatorPermissions(options: RbacOptions): Permission[] {
  const schemes = KIND_NAMES.filter((kind) => options.schemes.includes(kind));
  const registry = new ResourceRegistry();
  // ownedTypes reads only the schemes and the gang scheduler name of the manager's options.
  const managerOptions = {
    schemes,
    render: { ...DEFAULT_RENDER_OPTIONS, gangSchedulerName: options.gangSchedulerName },
  } as ManagerOptions;
  return [
    ...schemes.flatMap(jobPermissions),
    ...ownedTypes(managerOptions).flatMap((type) => ownedPermissions(type, registry)),
    ...(schemes.includes('MPIJob') ? launcherPermissions() : []),
    {
      scope: 'watched',
      apiGroup: EVENT.group,
      resource: resourceOf(EVENT),
      verbs: ['create'],
      because: { site: 'events' },
      why: 'job events (SuccessfulCreatePod, JobSucceeded, ...)',
    },
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
