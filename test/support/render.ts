// Rendering helpers for unit tests: objects by kind and name, env as a name → value map.
import type { V1EnvVar, V1Pod } from '@kubernetes/client-node';
import type { Job, KubeObject } from '../../src/api/types.ts';
import { DEFAULT_RENDER_OPTIONS, type RenderOptions } from '../../src/frameworks/framework.ts';
import { withDefaults } from '../../src/frameworks/registry.ts';
import { render } from '../../src/render/render.ts';

export function renderJob(job: Job, options: Partial<RenderOptions> = {}): KubeObject[] {
  return render(withDefaults(job), { ...DEFAULT_RENDER_OPTIONS, ...options });
}

export function find(objects: KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found)
    throw new Error(`no ${kind} ${name} in ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

export function pod(objects: KubeObject[], name: string): V1Pod {
  return find(objects, 'Pod', name);
}

/** The env of a pod's container as [name, value] pairs in order (valueFrom shown as its field path). */
export function envPairs(target: V1Pod, container = 0): [string, string][] {
  return (target.spec!.containers[container].env ?? []).map((e: V1EnvVar) => [
    e.name,
    e.value ?? `(${e.valueFrom?.fieldRef?.fieldPath})`,
  ]);
}

export function names(objects: KubeObject[]): string[] {
  return objects.map((o) => `${o.kind}/${o.metadata.name}`);
}
