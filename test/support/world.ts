// A job and the objects it owns, advanced by applying plans: lets unit tests walk the reconciler
// through a job's life without a cluster (the integration tests do the same against a real one).
import type { V1Pod } from '@kubernetes/client-node';
import type { Job, KubeObject } from '../../src/api/types.ts';
import { DEFAULT_RENDER_OPTIONS, type RenderOptions } from '../../src/frameworks/framework.ts';
import type { Plan } from '../../src/reconcile/plan.ts';
import { reconcile } from '../../src/reconcile/reconcile.ts';
import { amendPlan, type Refusal } from '../../src/reconcile/refusals.ts';

export class World {
  objects: KubeObject[] = [];
  now = new Date('2026-01-01T00:00:00Z');
  last: Plan | undefined;
  /** Creates the API server refuses, by `Kind/name`: what it answers. */
  refused = new Map<string, Pick<Refusal, 'code' | 'message'>>();
  private uid = 0;

  constructor(
    public job: Job,
    public options: Partial<RenderOptions> = {},
  ) {
    job.metadata.uid ??= 'job-uid';
  }

  /** One reconcile whose plan is then carried out, as the operator would. */
  step(): Plan {
    const plan = reconcile(this.job, structuredClone(this.objects), {
      options: { ...DEFAULT_RENDER_OPTIONS, ...this.options },
      now: this.now,
    });
    const refusals = plan.create.flatMap((object): Refusal[] => {
      const answer = this.refused.get(`${object.kind}/${object.metadata.name}`);
      return answer ? [{ verb: 'create', kind: object.kind, name: object.metadata.name, ...answer }] : [];
    });
    amendPlan(this.job, plan, refusals, this.now);
    this.apply(plan);
    this.last = plan;
    return plan;
  }

  private apply(plan: Plan): void {
    for (const ref of plan.delete) {
      this.objects = this.objects.filter((o) => !(o.kind === ref.kind && o.metadata.name === ref.name));
    }
    for (const object of plan.create) {
      if (this.refused.has(`${object.kind}/${object.metadata.name}`)) continue;
      const created = structuredClone(object);
      created.metadata.uid = `uid-${++this.uid}`;
      if (created.kind === 'Pod') created.status = { phase: 'Pending' };
      this.objects.push(created);
    }
    for (const object of plan.update) {
      const index = this.objects.findIndex(
        (o) => o.kind === object.kind && o.metadata.name === object.metadata.name,
      );
      this.objects[index] = { ...this.objects[index], ...structuredClone(object) };
    }
    if (plan.status) this.job = { ...this.job, status: structuredClone(plan.status) };
  }

  pod(name: string): V1Pod {
    const found = this.objects.find((o) => o.kind === 'Pod' && o.metadata.name === name);
    if (!found) throw new Error(`no pod ${name}`);
    return found;
  }

  setPhase(name: string, phase: string, exitCode?: number): this {
    const pod = this.pod(name);
    const container = pod.spec!.containers[0].name;
    pod.status = {
      phase,
      containerStatuses:
        exitCode === undefined
          ? undefined
          : [
              {
                name: container,
                image: '',
                imageID: '',
                ready: false,
                restartCount: 0,
                state: { terminated: { exitCode } },
              },
            ],
    };
    return this;
  }

  advance(seconds: number): this {
    this.now = new Date(this.now.getTime() + seconds * 1000);
    return this;
  }

  names(kind: string): string[] {
    return this.objects.filter((o) => o.kind === kind).map((o) => o.metadata.name);
  }

  conditions(): string[] {
    return (this.job.status?.conditions ?? []).map((c) => `${c.type}=${c.status}:${c.reason}`);
  }

  writes(plan = this.last!): number {
    return (
      plan.create.length +
      plan.update.length +
      plan.delete.length +
      (plan.status ? 1 : 0) +
      (plan.deleteJob ? 1 : 0)
    );
  }
}
