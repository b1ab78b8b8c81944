// Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics: one replica reconciles,
// the others wait; a leader that cannot renew within the renew deadline stops, so two never overlap.
// Unlike client-go's users, nothing here ends the process: a candidate takes any error (the API server
// down, a timeout, a 403) as a lost round and tries again, and a leader that lost the lease is told so
// and becomes a candidate again (src/cli/run.ts).
import { setTimeout as delay } from 'node:timers/promises';
import { isAlreadyExists, isConflict } from '../kube/errors.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Logger } from '../telemetry/logger.ts';
import { FailureLog } from './failure-log.ts';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  /**
   * Each request on the lease is aborted after this long, and never outlives the renew deadline: a
   * request hanging on a stalled API server must not keep a leader leading past it. Default: half the
   * renew deadline.
   */
  requestTimeoutMs?: number;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** Lease times are MicroTime: the API server parses exactly six fractional digits. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Resolves after `ms`, or at once when the signal aborts; leaves no listener on the signal behind. */
const sleep = (ms: number, signal: AbortSignal) => delay(ms, undefined, { signal }).catch(() => undefined);

/**
 * Runs `work` with a signal that aborts when `signal` does or after `ms`. Not AbortSignal.any with
 * AbortSignal.timeout: Node holds a timeout signal inside any() only weakly, so a garbage collection
 * can drop it and the request then waits for the API server's own 60 s timeout (nodejs/node#57736).
 */
export async function withDeadline<T>(
  signal: AbortSignal,
  ms: number,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const bounded = new AbortController();
  const abort = () => bounded.abort(signal.reason);
  if (signal.aborted) abort();
  signal.addEventListener('abort', abort, { once: true });
  const timer = setTimeout(() => bounded.abort(new Error(`no answer within ${ms} ms`)), ms);
  try {
    return await work(bounded.signal);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', abort);
  }
}

export class LeaderElector {
  /** When this replica last saw the lease change hands or be renewed: expiry is judged on our clock. */
  private observed?: { holder?: string; renewTime?: string; at: number };
  private isLeading = false;
  private readonly failures: FailureLog;

  constructor(
    private readonly client: KubeClient,
    private readonly options: LeaderElectionOptions,
    private readonly log: Logger,
  ) {
    this.failures = new FailureLog(log, { lease: `${options.namespace}/${options.name}` });
  }

  get leading(): boolean {
    return this.isLeading;
  }

  /** Resolves once this replica holds the lease (or the signal aborts). */
  async acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await this.attempt(signal, this.requestTimeoutMs())) {
        this.isLeading = true;
        this.log.info({ lease: this.options.name, identity: this.options.identity }, 'became leader');
        return true;
      }
      await sleep(this.options.retryPeriodMs, signal);
    }
    return false;
  }

  /** Renews until the signal aborts (resolves true) or renewing fails for the renew deadline (false). */
  async hold(signal: AbortSignal): Promise<boolean> {
    const { renewDeadlineMs, retryPeriodMs } = this.options;
    let lastRenewed = Date.now();
    while (!signal.aborted) {
      await sleep(retryPeriodMs, signal);
      if (signal.aborted) break;
      const left = renewDeadlineMs - (Date.now() - lastRenewed);
      if (await this.attempt(signal, Math.max(1, Math.min(this.requestTimeoutMs(), left)))) {
        lastRenewed = Date.now();
      } else if (!signal.aborted && Date.now() - lastRenewed >= renewDeadlineMs) {
        this.log.warn(
          { lease: this.options.name, renewDeadlineMs },
          'could not renew the lease within the renew deadline: stopped leading',
        );
        this.isLeading = false;
        return false;
      }
    }
    return true;
  }

  /** Gives the lease up on a clean shutdown, so a standby takes over at once instead of after expiry. */
  async release(): Promise<void> {
    this.isLeading = false;
    // Best effort, bounded: an unreachable API server must not hold up the shutdown.
    await withDeadline(new AbortController().signal, this.requestTimeoutMs(), async (signal) => {
      const lease = await this.client.get<Lease>(this.ref(), { signal });
      if (!lease || lease.spec.holderIdentity !== this.options.identity) return;
      const now = microTime(new Date());
      await this.client.replace(
        { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now } },
        { signal },
      );
    }).catch(() => undefined);
  }

  private requestTimeoutMs(): number {
    return this.options.requestTimeoutMs ?? this.options.renewDeadlineMs / 2;
  }

  /** One round; an error (the API server unreachable, a timeout, a refusal) counts as a round not won. */
  private async attempt(signal: AbortSignal, timeoutMs: number): Promise<boolean> {
    try {
      const won = await withDeadline(signal, timeoutMs, (bounded) => this.tryAcquireOrRenew(bounded));
      this.failures.recovered('the lease can be read and written again');
      return won;
    } catch (error) {
      if (!signal.aborted) this.failures.failed(error, 'leader election: cannot reach the lease; retrying');
      return false;
    }
  }

  private ref() {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      namespace: this.options.namespace,
      name: this.options.name,
    };
  }

  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const now = new Date();
    const { identity, leaseDurationSeconds } = this.options;
    const lease = await this.client.get<Lease>(this.ref(), { signal });
    if (!lease) {
      const fresh: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.options.name, namespace: this.options.namespace },
        spec: {
          holderIdentity: identity,
          leaseDurationSeconds,
          acquireTime: microTime(now),
          renewTime: microTime(now),
          leaseTransitions: 0,
        },
      };
      return this.write(() => this.client.create(fresh, { signal }));
    }
    const { holderIdentity, renewTime } = lease.spec;
    const previous = this.observed;
    const changed = previous?.holder !== holderIdentity || previous?.renewTime !== renewTime;
    const observed =
      changed || !previous ? { holder: holderIdentity, renewTime, at: now.getTime() } : previous;
    this.observed = observed;
    const heldByOther = holderIdentity && holderIdentity !== identity;
    const expired =
      now.getTime() - observed.at > (lease.spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
    if (heldByOther && !expired) return false;
    const takeover = holderIdentity !== identity;
    const spec = {
      ...lease.spec,
      holderIdentity: identity,
      leaseDurationSeconds,
      renewTime: microTime(now),
      acquireTime: takeover ? microTime(now) : lease.spec.acquireTime,
      leaseTransitions: (lease.spec.leaseTransitions ?? 0) + (takeover && holderIdentity ? 1 : 0),
    };
    return this.write(() => this.client.replace({ ...lease, spec }, { signal }));
  }

  /** A 409 means another replica wrote first: not ours this round. */
  private async write(call: () => Promise<unknown>): Promise<boolean> {
    try {
      await call();
      return true;
    } catch (error) {
      if (isConflict(error) || isAlreadyExists(error)) return false;
      throw error;
    }
  }
}
