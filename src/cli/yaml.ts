// Objects as multi-document YAML, the output of `synth`, `crds` and `install-manifests`.
import { stringify } from 'yaml';
import type { KubeObject } from '../api/types.ts';

export function toYaml(objects: KubeObject[]): string {
  return objects.map((object) => stringify(object, { lineWidth: 0 })).join('---\n');
}
