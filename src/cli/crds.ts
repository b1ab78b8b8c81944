// `training-operator crds`: the CustomResourceDefinitions of the six kinds, for `kubectl apply --server-side -f -`.
import { loadCrds } from '../api/crds.ts';
import type { KubeObject } from '../api/types.ts';
import type { Output } from './validate.ts';
import { toYaml } from './yaml.ts';

export function crdsCommand(output: Output): number {
  output.out(toYaml(loadCrds() as KubeObject[]));
  return 0;
}
