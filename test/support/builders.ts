// Fixture builders in the style of jobset's wrappers: makeJob('PyTorchJob', 'mnist').replicas('Worker', 2).obj()
import type { V1Container, V1ContainerPort } from '@kubernetes/client-node';
import { API_VERSION, KINDS, type KindName, type RestartPolicy } from '../../src/api/kinds.ts';
import { replicaSpecs } from '../../src/api/job.ts';
import type { JobOfKind, ReplicaSpec, RunPolicy } from '../../src/api/types.ts';

export interface ReplicaOptions {
  restartPolicy?: RestartPolicy;
  ports?: V1ContainerPort[];
  container?: Partial<V1Container>;
  /** Leave `replicas` unset to exercise defaulting. */
  unsetReplicas?: boolean;
}

export class JobBuilder<K extends KindName = KindName> {
  private readonly job: JobOfKind<K>;

  constructor(kind: K, name: string, namespace = 'default') {
    // The replica map's field is named by the kind, which TypeScript cannot follow from a string.
    const spec = { [KINDS[kind].replicaSpecsField]: {} };
    const job = { apiVersion: API_VERSION, kind, metadata: { name, namespace }, spec };
    this.job = job as unknown as JobOfKind<K>;
  }

  replicas(type: string, count: number, options: ReplicaOptions = {}): this {
    const info = KINDS[this.job.kind];
    const spec: ReplicaSpec = {
      restartPolicy: options.restartPolicy,
      template: {
        spec: {
          containers: [
            {
              name: info.defaultContainer,
              image: 'example.com/train:1',
              ports: options.ports,
              ...options.container,
            },
          ],
        },
      },
    };
    if (!options.unsetReplicas) spec.replicas = count;
    replicaSpecs(this.job)[type] = spec;
    return this;
  }

  spec(fields: Record<string, unknown>): this {
    Object.assign(this.job.spec, fields);
    return this;
  }

  runPolicy(policy: RunPolicy): this {
    this.job.spec.runPolicy = { ...this.job.spec.runPolicy, ...policy };
    return this;
  }

  uid(uid: string): this {
    this.job.metadata.uid = uid;
    return this;
  }

  obj(): JobOfKind<K> {
    return structuredClone(this.job);
  }
}

export function makeJob<K extends KindName>(kind: K, name: string, namespace?: string): JobBuilder<K> {
  return new JobBuilder(kind, name, namespace);
}
