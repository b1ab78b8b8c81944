// Fixture builders in the style of jobset's wrappers: makeJob('PyTorchJob', 'mnist').replicas('Worker', 2).obj()
import type { V1Container, V1ContainerPort } from '@kubernetes/client-node';
import { API_VERSION, KINDS, type KindName, type RestartPolicy } from '../../src/api/kinds.ts';
import type { Job, ReplicaSpec, RunPolicy } from '../../src/api/types.ts';

export interface ReplicaOptions {
  restartPolicy?: RestartPolicy;
  ports?: V1ContainerPort[];
  container?: Partial<V1Container>;
  /** Leave `replicas` unset to exercise defaulting. */
  unsetReplicas?: boolean;
}

export class JobBuilder {
  private readonly job: Job;

  constructor(kind: KindName, name: string, namespace = 'default') {
    this.job = {
      apiVersion: API_VERSION,
      kind,
      metadata: { name, namespace },
      spec: { [KINDS[kind].replicaSpecsField]: {} },
    };
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
    (this.job.spec[info.replicaSpecsField] as Record<string, ReplicaSpec>)[type] = spec;
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

  obj(): Job {
    return structuredClone(this.job);
  }
}

export function makeJob(kind: KindName, name: string, namespace?: string): JobBuilder {
  return new JobBuilder(kind, name, namespace);
}
