// The reconciler renders a job on every pass, and most passes change nothing render reads (a pod became
// Running, the status was written). The memo renders again only when its inputs change: the job's
// identity, annotations and spec (defaults applied), the render options, and what the framework reads
// of the observed objects (Framework.observedInputs).
import type { Job, KubeObject } from '../api/types.ts';
import type { Observed, RenderOptions } from '../frameworks/framework.ts';
import { frameworkFor } from '../frameworks/registry.ts';
import { render } from './render.ts';

/** Everything render reads, as one string. */
function renderInputs(job: Job, options: RenderOptions, observed: Observed): string {
  const { name, namespace, uid, annotations } = job.metadata;
  const observedInputs = frameworkFor(job.kind).observedInputs?.(observed);
  return JSON.stringify([
    job.apiVersion,
    job.kind,
    name,
    namespace,
    uid,
    annotations,
    job.spec,
    options,
    observedInputs,
  ]);
}

/**
 * The last render of each job, for the `limit` jobs reconciled most recently. The objects it returns are
 * shared between calls: callers build new objects rather than change them (reconcile and apply do).
 */
export class RenderMemo {
  private readonly last = new Map<string, { inputs: string; objects: KubeObject[] }>();
  /** Renders done, and renders saved: what test/unit/render-memo.test.ts counts. */
  readonly counts = { renders: 0, reused: 0 };

  constructor(private readonly limit: number) {}

  render(job: Job, options: RenderOptions, observed: Observed): KubeObject[] {
    const key = `${job.kind}/${job.metadata.namespace}/${job.metadata.name}`;
    const inputs = renderInputs(job, options, observed);
    const last = this.last.get(key);
    this.last.delete(key);
    if (last?.inputs === inputs) {
      this.counts.reused++;
      this.last.set(key, last);
      return [...last.objects];
    }
    this.counts.renders++;
    const objects = render(job, options, observed);
    this.last.set(key, { inputs, objects });
    // A Map iterates in insertion order, and every use re-inserts: the first key is the least recent.
    if (this.last.size > this.limit) this.last.delete(this.last.keys().next().value!);
    return [...objects];
  }
}

/** The operator's memo: large enough to span a burst of new jobs between each job's first two reconciles. */
export const renderMemo = new RenderMemo(2048);
