// Kind names as kubectl takes them: `pytorchjob`, `pytorchjobs`, `PyTorchJob`, `pytorchjobs.kubeflow.org`.
import { GROUP, KIND_NAMES, KINDS, type KindName } from '../api/kinds.ts';
import { InputError } from '../api/errors.ts';

/** The kind a kubectl-style resource name means, case-insensitively; throws naming the accepted ones. */
export function resolveKind(name: string): KindName {
  const lower = name.toLowerCase();
  const bare = lower.endsWith(`.${GROUP}`) ? lower.slice(0, -GROUP.length - 1) : lower;
  const kind = KIND_NAMES.find(
    (candidate) =>
      candidate.toLowerCase() === bare ||
      KINDS[candidate].plural === bare ||
      KINDS[candidate].singular === bare,
  );
  if (!kind) {
    throw new InputError(
      `unknown job kind "${name}": one of ${KIND_NAMES.join(', ')} (or their plurals, in any case)`,
    );
  }
  return kind;
}
