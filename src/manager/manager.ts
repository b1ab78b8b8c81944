// The operator's run loop: informers keep label-selected caches of the jobs and of what they own, a
// work queue hands job keys to workers, and each worker reconciles one job: observe → plan → apply.
import { KINDS, LABELS, type KindName } from '../api/kinds.ts';
import { objectKey } from '../api/names.ts';
import type { Job, KubeObject } from '../api/types.ts';
import type { KubeClient } from '../kube/client.ts';
import { ownedKinds } from '../frameworks/registry.ts';
import { gangSchedulerFor } from '../gang/scheduler.ts';
import { reconcile } from '../reconcile/reconcile.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { JobState, OperatorMetrics } from '../telemetry/metrics.ts';
import { applyPlan } from './apply.ts';
import { EventRecorder } from './events.ts';
import { FailureLog } from './failure-log.ts';
import { Informer, stripManagedFields } from './informer.ts';
import type { ManagerOptions } from './options.ts';
import { OwnedObjects } from './owned.ts';
import { recordJobDurations } from './durations.ts';
import { type HandlerResult, WorkQueue, runWorkers } from './queue.ts';

/** A work-queue key (objectKey of a job) back to what it names. */
function parseKey(key: string): { kind: KindName; namespace: string; name: string } {
  const [kind, namespace, name] = key.split('/');
  return { kind: kind as KindName, namespace, name };
}

/** The kinds of objects jobs own, given which job kinds and which gang scheduler are enabled. */
export function ownedTypes(
  options: Pick<ManagerOptions, 'schemes' | 'render'>,
): { apiVersion: string; kind: string }[] {
  const types = ownedKinds(options.schemes).map(({ apiVersion, kind }) => ({ apiVersion, kind }));
  const gang = gangSchedulerFor(options.render.gangSchedulerName);
  if (gang) types.push(gang.podGroupType);
  return types;
}

/** Only objects labelled by one of the enabled controllers are cached. */
export function ownedSelector(schemes: KindName[]): string {
  return `${LABELS.operatorName} in (${schemes.map((kind) => KINDS[kind].controllerName).join(',')})`;
}

export class Manager {
  private readonly queue = new WorkQueue();
  private readonly owned = new OwnedObjects();
  private readonly jobInformers = new Map<KindName, Informer<Job>[]>();
  private readonly ownedInformers: Informer<KubeObject>[] = [];
  /** Status the operator wrote, keyed by job uid, until the job cache shows it. */
  private readonly written = new Map<string, { supersedes: Set<string | undefined>; job: Job }>();
  private readonly events: EventRecorder;
  private synced = false;
  /** Reconciles under way; while there are any, or keys wait, events hold back (events.ts). */
  private reconciling = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly options: ManagerOptions,
    private readonly log: Logger,
    private readonly metrics?: OperatorMetrics,
  ) {
    this.events = new EventRecorder(client, log, {
      busy: () => this.reconciling > 0 || this.queue.len() > 0,
    });
  }

  get ready(): boolean {
    return this.synced;
  }

  /** Why the manager is not ready yet, for /readyz: each cache still to fill, with its last error. */
  notReadyReasons(): string[] {
    if (this.synced) return [];
    const informers = this.informers();
    if (informers.length === 0) return ['starting'];
    return informers
      .filter((informer) => !informer.hasSynced())
      .map((informer) => {
        const error = informer.failingWith();
        return `${informer.describe()}: not synced${error ? `, last error: ${error}` : ''}`;
      });
  }

  get queueDepth(): number {
    return this.queue.len();
  }

  /** Each job with the type of its last condition, for the jobs-by-state gauge. */
  *jobStates(): Iterable<{ kind: KindName; state: JobState }> {
    for (const [kind, informers] of this.jobInformers) {
      for (const job of informers.flatMap((informer) => informer.list())) {
        const state = job.status?.conditions?.at(-1)?.type as JobState | undefined;
        if (state) yield { kind, state };
      }
    }
  }

  /** Starts the caches, then the workers; resolves when stopped and the workers have drained. */
  async run(): Promise<void> {
    const namespaces = this.options.namespaces.length ? this.options.namespaces : [undefined];
    for (const kind of this.options.schemes) {
      const informers = namespaces.map((namespace) => this.jobInformer(kind, namespace));
      this.jobInformers.set(kind, informers);
    }
    for (const type of ownedTypes(this.options)) {
      for (const namespace of namespaces) this.ownedInformers.push(this.ownedInformer(type, namespace));
    }
    try {
      await Promise.all(this.informers().map((informer) => informer.start()));
    } catch (error) {
      // Told to stop while the caches were still filling: a normal shutdown, not a failure.
      if (this.queue.isShuttingDown()) return;
      throw error;
    }
    this.synced = true;
    this.log.info(
      { schemes: this.options.schemes, namespaces: this.options.namespaces },
      'caches synced, reconciling',
    );
    await runWorkers(this.queue, this.options.threads, (key) => this.reconcileCounted(key));
  }

  stop(): void {
    this.queue.shutDown();
    for (const informer of this.informers()) void informer.stop();
  }

  private informers(): (Informer<Job> | Informer<KubeObject>)[] {
    return [...[...this.jobInformers.values()].flat(), ...this.ownedInformers];
  }

  /** Outages show in the log: when listing or watching starts failing, every 30 s while it lasts, its end. */
  private logFailures(informer: Informer<Job> | Informer<KubeObject>): void {
    const failures = new FailureLog(this.log, { informer: informer.describe() });
    informer.on('error', (error) => failures.failed(error, 'cannot list or watch; retrying'));
    informer.on('recovered', () => {
      failures.recovered('listing and watching again');
      this.queue.retryFailedNow();
    });
  }

  private jobInformer(kind: KindName, namespace?: string): Informer<Job> {
    const informer = new Informer<Job>(this.client, {
      resource: this.client.resources.lookup({ apiVersion: 'kubeflow.org/v1', kind }),
      namespace,
      transform: stripManagedFields,
    });
    this.logFailures(informer);
    const enqueue = (job: Job) => this.queue.add(objectKey(job));
    informer.on('add', enqueue);
    informer.on('update', enqueue);
    informer.on('delete', (job: Job) => {
      if (job.metadata.uid) {
        this.owned.forget(job.metadata.uid);
        this.written.delete(job.metadata.uid);
      }
      enqueue(job);
    });
    return informer;
  }

  private ownedInformer(
    type: { apiVersion: string; kind: string },
    namespace?: string,
  ): Informer<KubeObject> {
    const informer = new Informer<KubeObject>(this.client, {
      resource: this.client.resources.lookup(type),
      namespace,
      labelSelector: ownedSelector(this.options.schemes),
      transform: stripManagedFields,
    });
    this.logFailures(informer);
    const enqueueOwner = (object: KubeObject) => {
      const owner = object.metadata.ownerReferences?.find((ref) => ref.controller);
      if (owner && this.options.schemes.includes(owner.kind as KindName)) {
        const metadata = { namespace: object.metadata.namespace, name: owner.name };
        this.queue.add(objectKey({ kind: owner.kind, metadata }));
      }
    };
    informer.on('add', (object: KubeObject) => {
      this.owned.upsert(object);
      enqueueOwner(object);
    });
    informer.on('update', (object: KubeObject) => {
      this.owned.upsert(object);
      enqueueOwner(object);
    });
    informer.on('delete', (object: KubeObject) => {
      this.owned.remove(object);
      enqueueOwner(object);
    });
    return informer;
  }

  /** The cached job, or the one the last status write returned if the cache has not caught up yet. */
  private freshest(cached: Job): Job {
    const uid = cached.metadata.uid!;
    const written = this.written.get(uid);
    if (written?.supersedes.has(cached.metadata.resourceVersion)) return written.job;
    this.written.delete(uid);
    return cached;
  }

  /**
   * Every version older than the one just written — the cached one and those written before it — now
   * stands for the written one, until the cache shows something else.
   */
  private rememberWritten(uid: string, cached: Job, basis: Job, written: Job): void {
    const supersedes = new Set(this.written.get(uid)?.supersedes);
    supersedes.add(cached.metadata.resourceVersion).add(basis.metadata.resourceVersion);
    this.written.set(uid, { supersedes, job: written });
  }

  private findJob(kind: KindName, namespace: string, name: string): Job | undefined {
    for (const informer of this.jobInformers.get(kind) ?? []) {
      const job = informer.get(namespace, name);
      if (job) return job;
    }
    return undefined;
  }

  private async reconcileCounted(key: string): Promise<HandlerResult> {
    this.reconciling++;
    try {
      return await this.reconcileKey(key);
    } finally {
      this.reconciling--;
    }
  }

  private async reconcileKey(key: string): Promise<HandlerResult> {
    const { kind, namespace, name } = parseKey(key);
    const cached = this.findJob(kind, namespace, name);
    if (!cached) return;
    const started = performance.now();
    const job = this.freshest(cached);
    const uid = job.metadata.uid!;
    const log = this.log.child({ job: key });
    const owned = this.owned.ownedBy(uid);
    const plan = reconcile(job, owned, {
      options: this.options.render,
      now: new Date(),
      deleting: this.owned.deleting(owned),
    });
    try {
      const written = await applyPlan(
        {
          client: this.client,
          events: this.events,
          log,
          onCreated: (object) => this.owned.created(uid, object),
          onDeleted: (ref) => this.owned.deleted(ref),
        },
        job,
        plan,
      );
      if (written) this.rememberWritten(uid, cached, job, written);
      for (const metric of plan.metrics) this.metrics?.countJob(metric, kind, namespace);
      if (this.metrics) recordJobDurations(this.metrics, job, plan);
      this.metrics?.observeReconcile(kind, 'success', (performance.now() - started) / 1000);
      return { requeueAfterMs: plan.requeueAfterMs };
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'reconcile failed, will retry');
      this.metrics?.observeReconcile(kind, 'error', (performance.now() - started) / 1000);
      throw error;
    }
  }
}
