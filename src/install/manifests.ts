// The operator's own install manifests, synthesized with cdk8s-plus-28: ServiceAccount, RBAC, metrics
// Service and Deployment, plus optionally its Namespace and the CRDs. `training-operator
// install-manifests` prints them, the cdk8s app of cdk8s.yaml (app.ts) writes them into dist/install/,
// and the Helm chart renders the same objects from its default values.
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { loadCrds } from '../api/crds.ts';
import type { KubeObject } from '../api/types.ts';
import {
  CONTAINER_NAME,
  CONTAINER_SECURITY_CONTEXT,
  HEALTH_PORT,
  LEADER_ELECTION_ID,
  LIVENESS_PROBE,
  METRICS_PORT,
  POD_SECURITY_CONTEXT,
  READINESS_PROBE,
  RESOURCES,
  TMP_VOLUME,
  operatorArgs,
} from './deployment.ts';
import { INSTALL_NAME, type InstallOptions, type PullPolicy, VERSION, leaderElect } from './options.ts';
import { type Rule, operatorPermissions, rulesFor } from './rbac.ts';

const SELECTOR_LABELS = {
  'app.kubernetes.io/name': 'training-operator',
  'app.kubernetes.io/instance': INSTALL_NAME,
} as const;

const LABELS = { ...SELECTOR_LABELS, 'app.kubernetes.io/version': VERSION };

export interface ManifestOptions {
  /** The six CustomResourceDefinitions, first. */
  withCrds: boolean;
  /** The operator's Namespace, so that one `kubectl apply` installs everything. */
  withNamespace: boolean;
}

/** A rule as cdk8s-plus takes it: one resource, optionally one name (rulesFor makes them so). */
function apiResource(rule: Rule): kplus.IApiResource {
  return {
    apiGroup: rule.apiGroups[0],
    resourceType: rule.resources[0],
    resourceName: rule.resourceNames?.[0],
  };
}

/** ClusterRoles take endpoints, which may also be non-resource URLs. */
function endpoint(rule: Rule): kplus.IApiEndpoint {
  return { asApiResource: () => apiResource(rule), asNonApiResource: () => undefined };
}

const PULL_POLICIES: Record<PullPolicy, kplus.ImagePullPolicy> = {
  Always: kplus.ImagePullPolicy.ALWAYS,
  IfNotPresent: kplus.ImagePullPolicy.IF_NOT_PRESENT,
  Never: kplus.ImagePullPolicy.NEVER,
};

class OperatorInstall extends Construct {
  private readonly serviceAccount: kplus.ServiceAccount;

  constructor(
    scope: Construct,
    private readonly options: InstallOptions,
  ) {
    super(scope, INSTALL_NAME);
    // The pod mounts its token itself; other pods that borrow this account should not get one.
    this.serviceAccount = new kplus.ServiceAccount(this, 'service-account', {
      metadata: this.metadata(INSTALL_NAME),
      automountToken: false,
    });
    this.rbac();
    this.service();
    this.deployment();
  }

  /** Metadata of a namespaced object; the operator's own namespace unless another is named. */
  private metadata(name: string, namespace = this.options.namespace) {
    return { name, namespace, labels: LABELS };
  }

  /** Metadata of a cluster-scoped object: no namespace, whatever the default. */
  private clusterMetadata(name: string) {
    return { name, labels: LABELS };
  }

  /** Cluster-wide: one ClusterRole. Namespace-scoped: a Role per watched namespace, a ClusterRole only for CRDs. */
  private rbac(): void {
    const { options } = this;
    const leaseName = leaderElect(options) ? LEADER_ELECTION_ID : undefined;
    const permissions = operatorPermissions({ ...options, leaseName });
    const watched = rulesFor(permissions, 'watched');
    const cluster = rulesFor(permissions, 'cluster');
    if (options.watchNamespaces.length === 0) this.clusterRole([...watched, ...cluster]);
    else {
      for (const namespace of options.watchNamespaces) this.role(INSTALL_NAME, namespace, watched);
      if (cluster.length > 0) this.clusterRole(cluster);
    }
    const own = rulesFor(permissions, 'operator');
    if (own.length > 0) this.role(`${INSTALL_NAME}-leader-election`, options.namespace, own);
  }

  private clusterRole(rules: Rule[]): void {
    const role = new kplus.ClusterRole(this, 'cluster-role', {
      metadata: this.clusterMetadata(INSTALL_NAME),
    });
    for (const rule of rules) role.allow(rule.verbs, endpoint(rule));
    const binding = new kplus.ClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: this.clusterMetadata(INSTALL_NAME),
      role,
    });
    binding.addSubjects(this.serviceAccount);
  }

  private role(name: string, namespace: string, rules: Rule[]): void {
    const role = new kplus.Role(this, `role-${namespace}-${name}`, {
      metadata: this.metadata(name, namespace),
    });
    for (const rule of rules) role.allow(rule.verbs, apiResource(rule));
    const binding = new kplus.RoleBinding(this, `role-binding-${namespace}-${name}`, {
      metadata: this.metadata(name, namespace),
      role,
    });
    binding.addSubjects(this.serviceAccount);
  }

  private service(): void {
    const service = new kplus.Service(this, 'service', {
      metadata: this.metadata(INSTALL_NAME),
      ports: [{ name: METRICS_PORT.name, port: METRICS_PORT.port, targetPort: METRICS_PORT.port }],
    });
    for (const [key, value] of Object.entries(SELECTOR_LABELS)) service.selectLabel(key, value);
  }

  private deployment(): void {
    const { options } = this;
    const deployment = new kplus.Deployment(this, 'deployment', {
      metadata: this.metadata(INSTALL_NAME),
      replicas: options.replicas,
      select: false,
      // Never two operators at once: without a Lease they would both reconcile every job.
      strategy: kplus.DeploymentStrategy.recreate(),
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: true,
      securityContext: POD_SECURITY_CONTEXT,
      podMetadata: { labels: LABELS },
      containers: [
        {
          name: CONTAINER_NAME,
          image: options.image,
          imagePullPolicy: PULL_POLICIES[options.imagePullPolicy],
          args: operatorArgs(options),
          ports: [
            { name: METRICS_PORT.name, number: METRICS_PORT.port },
            { name: HEALTH_PORT.name, number: HEALTH_PORT.port },
          ],
          // The defaults of --leader-election-namespace and of the replica's identity in the Lease.
          envVariables: {
            POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
            POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
          },
          liveness: LIVENESS_PROBE,
          readiness: READINESS_PROBE,
          resources: RESOURCES,
          securityContext: CONTAINER_SECURITY_CONTEXT,
          volumeMounts: [
            { path: TMP_VOLUME.mountPath, volume: kplus.Volume.fromEmptyDir(this, 'tmp', TMP_VOLUME.name) },
          ],
        },
      ],
    });
    deployment.select(kplus.LabelSelector.of({ labels: SELECTOR_LABELS }));
    // cdk8s-plus labels pods with a hash of the construct path and sets fsGroupChangePolicy without an
    // fsGroup: neither means anything here.
    ApiObject.of(deployment).addJsonPatch(
      JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'),
      JsonPatch.remove('/spec/template/spec/securityContext/fsGroupChangePolicy'),
    );
  }
}

/**
 * An object of the chart rendered as it is given: the CRDs as crds/ holds them (cdk8s would sort every key
 * of their schemas), the Namespace as it was always printed.
 */
class Verbatim extends ApiObject {
  constructor(
    scope: Construct,
    id: string,
    private readonly object: KubeObject,
  ) {
    super(scope, id, object);
  }

  override toJson(): KubeObject {
    return this.object;
  }
}

/** Every object of an installation, in the order `kubectl apply` should create them: CRDs, Namespace, the rest. */
export class InstallChart extends Chart {
  constructor(scope: Construct, id: string, options: InstallOptions, manifest: ManifestOptions) {
    super(scope, id, { disableResourceNameHashes: true });
    if (manifest.withCrds) {
      for (const crd of loadCrds() as KubeObject[]) new Verbatim(this, crd.metadata.name, crd);
    }
    if (manifest.withNamespace) {
      new Verbatim(this, 'namespace', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: options.namespace, labels: LABELS },
      });
    }
    new OperatorInstall(this, options);
  }
}

export function installManifests(options: InstallOptions, manifest: ManifestOptions): KubeObject[] {
  return new InstallChart(new App(), 'install', options, manifest).toJson() as KubeObject[];
}
