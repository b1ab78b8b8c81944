// Requests sent per verb and resource, per client: the benchmark reads API writes per job from it.

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

const WRITE_VERBS: readonly Verb[] = ['create', 'update', 'patch', 'delete'];

export class RequestCounter {
  /** Keyed `verb resource`, where resource is the plural with any subresource: `update tfjobs/status`. */
  private readonly counts = new Map<string, number>();

  add(verb: Verb, resource: string): void {
    const key = `${verb} ${resource}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** Requests of one verb (all verbs without one), optionally for one resource (`pods`, `tfjobs/status`). */
  count(verb?: Verb, resource?: string): number {
    let total = 0;
    for (const [key, n] of this.counts) {
      const [v, r] = key.split(' ');
      if ((verb === undefined || v === verb) && (resource === undefined || r === resource)) total += n;
    }
    return total;
  }

  /** Creates, updates, patches and deletes. */
  writes(): number {
    return WRITE_VERBS.reduce((sum, verb) => sum + this.count(verb), 0);
  }

  /** `{ 'create pods': 3, 'update tfjobs/status': 1, ... }` */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  reset(): void {
    this.counts.clear();
  }
}
