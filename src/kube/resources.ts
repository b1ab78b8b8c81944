// A static registry of the API resources the operator touches, and the REST paths for them. Static on
// purpose: discovery would cost a round trip per group at start-up and add a failure mode, for
// answers that never change for these kinds.
import {
  GROUP as KUBEFLOW_GROUP,
  KIND_NAMES,
  KINDS,
  VERSION as KUBEFLOW_VERSION,
  type KindName,
} from '../api/kinds.ts';
import type { TypeRef } from './types.ts';

export interface Resource {
  /** '' for the core group. */
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

export type Subresource = 'status' | 'scale';

function resource(apiVersion: string, kind: string, plural: string, namespaced = true): Resource {
  return { ...splitApiVersion(apiVersion), kind, plural, namespaced };
}

export const POD = resource('v1', 'Pod', 'pods');
export const SERVICE = resource('v1', 'Service', 'services');
export const CONFIG_MAP = resource('v1', 'ConfigMap', 'configmaps');
export const SERVICE_ACCOUNT = resource('v1', 'ServiceAccount', 'serviceaccounts');
export const EVENT = resource('v1', 'Event', 'events');
export const NAMESPACE = resource('v1', 'Namespace', 'namespaces', false);
export const ROLE = resource('rbac.authorization.k8s.io/v1', 'Role', 'roles');
export const ROLE_BINDING = resource('rbac.authorization.k8s.io/v1', 'RoleBinding', 'rolebindings');
export const HPA = resource('autoscaling/v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers');
export const EVENTS_V1_EVENT = resource('events.k8s.io/v1', 'Event', 'events');
export const LEASE = resource('coordination.k8s.io/v1', 'Lease', 'leases');
export const VOLCANO_POD_GROUP = resource('scheduling.volcano.sh/v1beta1', 'PodGroup', 'podgroups');
export const SCHEDULER_PLUGINS_POD_GROUP = resource('scheduling.x-k8s.io/v1alpha1', 'PodGroup', 'podgroups');
export const CRD = resource(
  'apiextensions.k8s.io/v1',
  'CustomResourceDefinition',
  'customresourcedefinitions',
  false,
);

/** The six kubeflow.org/v1 job kinds, keyed by kind. */
export const JOB_RESOURCES = Object.fromEntries(
  KIND_NAMES.map((kind) => [
    kind,
    resource(`${KUBEFLOW_GROUP}/${KUBEFLOW_VERSION}`, kind, KINDS[kind].plural),
  ]),
) as Readonly<Record<KindName, Resource>>;

export const RESOURCES: readonly Resource[] = [
  POD,
  SERVICE,
  CONFIG_MAP,
  SERVICE_ACCOUNT,
  EVENT,
  NAMESPACE,
  ROLE,
  ROLE_BINDING,
  HPA,
  EVENTS_V1_EVENT,
  LEASE,
  VOLCANO_POD_GROUP,
  SCHEDULER_PLUGINS_POD_GROUP,
  CRD,
  ...Object.values(JOB_RESOURCES),
];

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function apiVersionOf(r: Resource): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

export class UnknownResourceError extends Error {
  override name = 'UnknownResourceError';
}

/** Maps `{apiVersion, kind}` to its resource. The defaults plus whatever a caller (or a test) registers. */
export class ResourceRegistry {
  private readonly byType = new Map<string, Resource>();

  constructor(resources: readonly Resource[] = RESOURCES) {
    for (const r of resources) this.register(r);
  }

  register(r: Resource): void {
    this.byType.set(typeKey(apiVersionOf(r), r.kind), r);
  }

  find(type: TypeRef): Resource | undefined {
    return this.byType.get(typeKey(type.apiVersion, type.kind));
  }

  lookup(type: TypeRef): Resource {
    const r = this.find(type);
    if (!r) {
      throw new UnknownResourceError(
        `unknown resource ${type.kind} in ${type.apiVersion}: register it with ResourceRegistry.register`,
      );
    }
    return r;
  }
}

const typeKey = (apiVersion: string, kind: string) => `${apiVersion}|${kind}`;

/** `/api/v1` or `/apis/group/version`. */
function groupVersionPath(r: Resource): string {
  return r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
}

/** Checks the namespace against the resource's scope; `''` counts as no namespace. */
function namespaceSegment(r: Resource, namespace: string | undefined, forObject: boolean): string {
  if (!r.namespaced) {
    if (namespace) throw new Error(`${r.kind} is cluster-scoped: no namespace expected (got ${namespace})`);
    return '';
  }
  if (namespace) return `/namespaces/${encodeURIComponent(namespace)}`;
  if (forObject) throw new Error(`${r.kind} is namespaced: a namespace is required`);
  return '';
}

/** The collection: `/api/v1/namespaces/ns/pods`, or across all namespaces without `namespace`. */
export function collectionPath(r: Resource, namespace?: string): string {
  return `${groupVersionPath(r)}${namespaceSegment(r, namespace, false)}/${r.plural}`;
}

/** One object, or one of its subresources: `/apis/kubeflow.org/v1/namespaces/ns/tfjobs/a/status`. */
export function objectPath(r: Resource, name: string, namespace?: string, subresource?: Subresource): string {
  if (!name) throw new Error(`${r.kind}: a name is required`);
  const path = `${groupVersionPath(r)}${namespaceSegment(r, namespace, true)}/${r.plural}/${encodeURIComponent(name)}`;
  return subresource ? `${path}/${subresource}` : path;
}
