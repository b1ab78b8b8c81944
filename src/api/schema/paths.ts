// Paths to values inside an object, in the API server's two spellings: the schema validator and the
// pruner write map keys with dots, CEL and list-type checks write them as `[key]`. A path is built as a
// linked trail while walking, and spelled out only when an error or warning needs it.

/** One step from a value to a child: a schema property, a map key or a list index. */
export type Step = { field: string } | { key: string } | { index: number };

export interface Trail {
  readonly parent: Trail | undefined;
  readonly step: Step;
}

export function extend(trail: Trail | undefined, step: Step): Trail {
  return { parent: trail, step };
}

export function trailOf(steps: readonly Step[]): Trail | undefined {
  return steps.reduce<Trail | undefined>(extend, undefined);
}

function stepsOf(trail: Trail | undefined): Step[] {
  const steps: Step[] = [];
  for (let t = trail; t; t = t.parent) steps.push(t.step);
  return steps.reverse();
}

/** kube-openapi's spelling: `spec.pytorchReplicaSpecs.Worker.template.spec.containers[0]`. */
export function dottedPath(trail: Trail | undefined): string {
  let out = '';
  for (const step of stepsOf(trail)) {
    if ('index' in step) out += `[${step.index}]`;
    else out += (out ? '.' : '') + ('field' in step ? step.field : step.key);
  }
  return out;
}

/** field.Path's spelling: `spec.pytorchReplicaSpecs[Worker].template.spec.containers[0]`. */
export function bracketedPath(trail: Trail | undefined): string {
  let out = '';
  for (const step of stepsOf(trail)) {
    if ('field' in step) out += (out ? '.' : '') + step.field;
    else out += `[${'key' in step ? step.key : step.index}]`;
  }
  return out;
}
