// A client for kubeflow.org/v1 jobs, in TypeScript: what Kubeflow's Python TrainingClient offers
// (create, get, list, conditions, wait, pods, logs, update, delete), on the operator's own lean API
// client. Credentials, context and namespace are found as kubectl finds them.
import type { V1Pod } from '@kubernetes/client-node';
import { API_VERSION, KIND_NAMES, KINDS, LABELS, type KindName } from '../api/kinds.ts';
import type { ConditionType, JobCondition } from '../api/types.ts';
import { KubeClient } from '../kube/client.ts';
import { loadKubeConfig, type KubeConfig } from '../kube/config.ts';
import { Connection } from '../kube/connection.ts';
import { isNotFound } from '../kube/errors.ts';
import { JOB_RESOURCES, POD, type Resource } from '../kube/resources.ts';
import { Channel } from './channel.ts';
import { ConflictError, explain, JobFailedError, NotFoundError, WaitTimeoutError } from './errors.ts';
import { followLog, hasStarted, readLog, type LogLine } from './logs.ts';
import { observe } from './observe.ts';
import {
  conditionOf,
  hasCondition,
  isFinished,
  jobState,
  replicaProgress,
  type ReplicaProgress,
} from './status.ts';
import { kindOf, type JobOfKind, type JobRef, type TrainingJob } from './types.ts';

export interface TrainingClientOptions {
  /** A kubeconfig file instead of `$KUBECONFIG`, in-cluster or `~/.kube/config`. */
  kubeconfig?: string;
  /** A context instead of the kubeconfig's current one. */
  context?: string;
  /** Default namespace; otherwise the context's, otherwise `default`. */
  namespace?: string;
}

export interface ListJobsOptions {
  namespace?: string;
  /** Jobs of every namespace (`kubectl get -A`). */
  allNamespaces?: boolean;
  labelSelector?: string;
}

/** What `waitFor` reports on every change of the job's state or replica counts. */
export interface JobProgress {
  job: TrainingJob;
  /** The newest True condition, `Pending` before the operator saw the job. */
  state: string;
  replicas: ReplicaProgress[];
}

export interface WaitOptions {
  /** Conditions any of which ends the wait. Default `['Succeeded']`. */
  for?: ConditionType[];
  /** Rejects with a WaitTimeoutError after this long. Default: no limit. */
  timeoutMs?: number;
  onProgress?: (progress: JobProgress) => void;
  signal?: AbortSignal;
}

/** Which pods of a job: by replica type (any case), index, or the master role (Master, Chief, Launcher). */
export interface PodFilter {
  replicaType?: string;
  index?: number;
  master?: boolean;
}

export interface LogsOptions extends PodFilter {
  /** Default: the kind's training container (`pytorch`, `tensorflow`, ...), else the pod's first. */
  container?: string;
  /** Stream new lines until every selected pod has finished or gone. */
  follow?: boolean;
  signal?: AbortSignal;
}

export interface DeleteJobOptions {
  /** Resolve only once the job is gone (its finalizers done). */
  wait?: boolean;
  timeoutMs?: number;
  /** Default Background: the garbage collector removes the pods and services after the job. */
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
}

const FIELD_MANAGER = 'training-operator-client';

export class TrainingClient {
  /** The namespace of calls that name none. */
  readonly namespace: string;

  /** Connects with the kubeconfig kubectl would use (or `options.kubeconfig`, `options.context`). */
  static async connect(options: TrainingClientOptions = {}): Promise<TrainingClient> {
    const kubeConfig = loadKubeConfig({ kubeconfig: options.kubeconfig, context: options.context });
    return TrainingClient.fromKubeConfig(kubeConfig, options.namespace);
  }

  static async fromKubeConfig(kubeConfig: KubeConfig, namespace?: string): Promise<TrainingClient> {
    const api = await KubeClient.create(kubeConfig, { qps: 50, burst: 100, fieldManager: FIELD_MANAGER });
    const logs = await Connection.create(kubeConfig, { userAgent: FIELD_MANAGER });
    return new TrainingClient(api, logs, namespace ?? kubeConfig.namespace ?? 'default');
  }

  private constructor(
    /** The underlying API client, for anything beyond jobs. */
    readonly api: KubeClient,
    private readonly logConnection: Connection,
    namespace: string,
  ) {
    this.namespace = namespace;
  }

  /** Creates the job (in the client's namespace if it names none) and returns it as stored. */
  async create<J extends TrainingJob>(job: J, opts: { dryRun?: boolean } = {}): Promise<J> {
    const kind = kindOf(job);
    const body = {
      ...job,
      apiVersion: API_VERSION,
      metadata: { ...job.metadata, namespace: job.metadata?.namespace ?? this.namespace },
    };
    const ref = {
      kind,
      name: job.metadata?.name ?? `${job.metadata?.generateName ?? ''}*`,
      namespace: body.metadata.namespace,
    };
    try {
      return await this.api.create(body as J & { metadata: { name: string } }, { dryRun: opts.dryRun });
    } catch (err) {
      throw explain(err, this.describe(ref));
    }
  }

  /** The job; throws a NotFoundError when it does not exist. */
  async get<K extends KindName>(ref: JobRef<K>): Promise<JobOfKind[K]> {
    let job: JobOfKind[K] | undefined;
    try {
      job = await this.api.get<JobOfKind[K] & { metadata: object }>(this.objectRef(ref));
    } catch (err) {
      throw explain(err, this.describe(ref));
    }
    if (!job) throw new NotFoundError(`${this.describe(ref)} not found`, 404, 'NotFound');
    return job;
  }

  /**
   * The job of any kind with this name: what `kubectl` users mean by a bare name. Throws a
   * NotFoundError when there is none, and an error naming the kinds when several kinds have one.
   */
  async find(name: string, namespace = this.namespace): Promise<TrainingJob> {
    const found = await Promise.all(
      KIND_NAMES.map((kind) => this.get({ kind, name, namespace }).catch(() => undefined)),
    );
    const jobs = found.filter((job) => job !== undefined);
    if (jobs.length === 0) throw new NotFoundError(`no job named "${name}" in namespace "${namespace}"`, 404);
    if (jobs.length > 1) {
      const kinds = jobs.map((job) => `${kindOf(job).toLowerCase()}/${name}`).join(', ');
      throw new ConflictError(
        `several jobs are named "${name}" in namespace "${namespace}": name one of ${kinds}`,
        409,
      );
    }
    return jobs[0];
  }

  /** Jobs of one kind, or of every kind the cluster serves when `kind` is omitted; sorted by namespace and name. */
  async list(kind?: KindName, opts: ListJobsOptions = {}): Promise<TrainingJob[]> {
    const namespace = opts.allNamespaces ? undefined : (opts.namespace ?? this.namespace);
    const where = namespace ? ` in namespace "${namespace}"` : '';
    const lists = await Promise.all(
      (kind ? [kind] : KIND_NAMES).map(async (one) => {
        try {
          const { items } = await this.api.listAll<TrainingJob & { metadata: object }>(JOB_RESOURCES[one], {
            namespace,
            labelSelector: opts.labelSelector,
          });
          return items;
        } catch (err) {
          // Listing every kind skips those the cluster does not serve, as `kubectl get all` does.
          if (!kind && isNotFound(err)) return [];
          throw explain(err, `${KINDS[one].plural}${where}`);
        }
      }),
    );
    return lists
      .flat()
      .sort((a, b) =>
        `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(
          `${b.metadata?.namespace}/${b.metadata?.name}`,
        ),
      );
  }

  async conditions(ref: JobRef): Promise<JobCondition[]> {
    return (await this.get(ref)).status?.conditions ?? [];
  }

  isCreated = (ref: JobRef) => this.hasCondition(ref, 'Created');
  isRunning = (ref: JobRef) => this.hasCondition(ref, 'Running');
  isRestarting = (ref: JobRef) => this.hasCondition(ref, 'Restarting');
  isSucceeded = (ref: JobRef) => this.hasCondition(ref, 'Succeeded');
  isFailed = (ref: JobRef) => this.hasCondition(ref, 'Failed');
  isSuspended = (ref: JobRef) => this.hasCondition(ref, 'Suspended');

  /**
   * Watches the job until one of `opts.for` (default Succeeded) is True and returns it. Rejects with a
   * JobFailedError if it fails meanwhile (unless Failed is awaited), a WaitTimeoutError after
   * `timeoutMs`, and a NotFoundError if it does not exist or is deleted.
   */
  async waitFor<K extends KindName>(ref: JobRef<K>, opts: WaitOptions = {}): Promise<JobOfKind[K]> {
    const wanted = opts.for ?? ['Succeeded'];
    const what = this.describe(ref);
    const timeout = new AbortController();
    const timer =
      opts.timeoutMs === undefined ? undefined : setTimeout(() => timeout.abort(), opts.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout.signal]) : timeout.signal;
    let last: JobOfKind[K] | undefined;
    let lastProgress = '';
    let outcome: { job?: JobOfKind[K]; error?: Error } | undefined;
    try {
      await observe<JobOfKind[K]>(
        this.api,
        this.resourceOf(ref.kind),
        { namespace: ref.namespace ?? this.namespace, fieldSelector: `metadata.name=${ref.name}` },
        (jobs) => {
          const job = jobs.values().next().value;
          if (!job) {
            outcome = {
              error: new NotFoundError(`${what} ${last ? 'was deleted' : 'not found'}`, 404, 'NotFound'),
            };
            return true;
          }
          last = job;
          const progress = { job, state: jobState(job), replicas: replicaProgress(job) };
          const key = JSON.stringify([progress.state, progress.replicas]);
          if (key !== lastProgress) {
            lastProgress = key;
            opts.onProgress?.(progress);
          }
          if (wanted.some((type) => hasCondition(job, type))) outcome = { job };
          else if (hasCondition(job, 'Failed')) {
            const failed = conditionOf(job, 'Failed')!;
            outcome = {
              error: new JobFailedError(
                `${what} failed: ${failed.reason ?? ''}: ${failed.message ?? ''}`,
                job,
                failed,
              ),
            };
          }
          return outcome !== undefined;
        },
        signal,
      );
    } catch (err) {
      if (timeout.signal.aborted) {
        const state = last ? jobState(last) : 'not seen';
        throw new WaitTimeoutError(
          `${what}: timed out after ${formatMs(opts.timeoutMs!)} waiting for ${wanted.join(' or ')} (state: ${state})`,
          last,
        );
      }
      throw explain(err, what);
    } finally {
      clearTimeout(timer);
    }
    if (outcome?.error) throw outcome.error;
    return outcome!.job!;
  }

  /** The job's pods, owned by this very job, in rank order: replica type as the kind orders them, then index. */
  async pods(ref: JobRef, filter: PodFilter = {}): Promise<V1Pod[]> {
    return this.podsOf(await this.get(ref), ref, filter);
  }

  /**
   * The log lines of the job's pods. Without `follow`: each started pod's log so far, pod after pod in
   * rank order. With `follow`: every pod's lines as they come, interleaved, including pods that start
   * later, until each selected pod has finished (Succeeded or Failed) or gone, and its stream ended.
   */
  logs(ref: JobRef, opts: LogsOptions = {}): AsyncIterable<LogLine> {
    return opts.follow ? this.followLogs(ref, opts) : this.readLogs(ref, opts);
  }

  /** Replaces the job (PUT): a ConflictError if it changed since `job` was read. */
  async update<J extends TrainingJob>(job: J): Promise<J> {
    const ref = { kind: kindOf(job), name: job.metadata?.name ?? '', namespace: job.metadata?.namespace };
    try {
      return await this.api.replace({
        ...job,
        apiVersion: API_VERSION,
        metadata: { ...job.metadata, namespace: ref.namespace ?? this.namespace },
      } as J & { metadata: object });
    } catch (err) {
      throw explain(err, this.describe(ref));
    }
  }

  /** A JSON merge patch of the job, as `kubectl patch --type merge`. */
  async patch<K extends KindName>(ref: JobRef<K>, patch: object): Promise<JobOfKind[K]> {
    try {
      return await this.api.patch<JobOfKind[K] & { metadata: object }>(this.objectRef(ref), patch, 'merge');
    } catch (err) {
      throw explain(err, this.describe(ref));
    }
  }

  /** Deletes the job; a NotFoundError if there is none. With `wait`, resolves once it is gone. */
  async delete(ref: JobRef, opts: DeleteJobOptions = {}): Promise<void> {
    const what = this.describe(ref);
    let deleted: boolean;
    try {
      deleted = await this.api.delete(this.objectRef(ref), {
        propagationPolicy: opts.propagationPolicy ?? 'Background',
      });
    } catch (err) {
      throw explain(err, what);
    }
    if (!deleted) throw new NotFoundError(`${what} not found`, 404, 'NotFound');
    if (!opts.wait) return;
    const signal = opts.timeoutMs === undefined ? undefined : AbortSignal.timeout(opts.timeoutMs);
    try {
      await observe(
        this.api,
        this.resourceOf(ref.kind),
        { namespace: ref.namespace ?? this.namespace, fieldSelector: `metadata.name=${ref.name}` },
        (jobs) => jobs.size === 0,
        signal,
      );
    } catch (err) {
      if (signal?.aborted) {
        throw new WaitTimeoutError(`${what}: still there after ${formatMs(opts.timeoutMs!)}`, undefined);
      }
      throw explain(err, what);
    }
  }

  /** Closes the connections; running watches and log streams end with an error. */
  close(): void {
    this.api.close();
    this.logConnection.close();
  }

  /** `PyTorchJob "mnist" in namespace "team"`, for messages. */
  describe(ref: JobRef): string {
    return `${ref.kind} "${ref.name}" in namespace "${ref.namespace ?? this.namespace}"`;
  }

  private async hasCondition(ref: JobRef, type: ConditionType): Promise<boolean> {
    return hasCondition(await this.get(ref), type);
  }

  private resourceOf(kind: KindName): Resource {
    const resource = JOB_RESOURCES[kind];
    if (!resource) throw new Error(`unknown job kind "${String(kind)}": one of ${KIND_NAMES.join(', ')}`);
    return resource;
  }

  private objectRef(ref: JobRef) {
    this.resourceOf(ref.kind);
    return {
      apiVersion: API_VERSION,
      kind: ref.kind,
      name: ref.name,
      namespace: ref.namespace ?? this.namespace,
    };
  }

  /** `pods`, for a job already read. */
  private async podsOf(job: TrainingJob, ref: JobRef, filter: PodFilter): Promise<V1Pod[]> {
    let pods: V1Pod[];
    try {
      const selection = { namespace: job.metadata!.namespace, labelSelector: podSelector(job, filter) };
      pods = (await this.api.listAll<V1Pod & { metadata: object }>(POD, selection)).items;
    } catch (err) {
      throw explain(err, `the pods of ${this.describe(ref)}`);
    }
    return pods.filter((pod) => ownedBy(pod, job)).sort(byRank(job));
  }

  private async *readLogs(ref: JobRef, opts: LogsOptions): AsyncIterable<LogLine> {
    const job = await this.get(ref);
    const pods = (await this.podsOf(job, ref, opts)).filter(hasStarted);
    const logs = await Promise.all(
      pods.map((pod) => readLog(this.logConnection, pod, containerOf(job, pod, opts))),
    );
    for (const lines of logs) yield* lines;
  }

  private async *followLogs(ref: JobRef, opts: LogsOptions): AsyncIterable<LogLine> {
    const job = await this.get(ref);
    const lines = new Channel<LogLine>();
    const stop = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
    const streaming = new Set<string>();
    const ended = new Set<string>();
    let podsDone = false;
    const maybeEnd = () => {
      if (podsDone && ended.size === streaming.size) lines.end();
    };
    const startStream = (pod: V1Pod) => {
      const uid = pod.metadata!.uid!;
      streaming.add(uid);
      followLog(this.logConnection, pod, containerOf(job, pod, opts), (line) => lines.push(line), signal)
        .then(() => {
          ended.add(uid);
          maybeEnd();
        })
        .catch((err: unknown) => lines.fail(err));
    };
    observe<V1Pod & { metadata: object }>(
      this.api,
      POD,
      { namespace: job.metadata!.namespace, labelSelector: podSelector(job, opts) },
      (pods) => {
        const mine = [...pods.values()].filter((pod) => ownedBy(pod, job));
        for (const pod of mine) if (hasStarted(pod) && !streaming.has(pod.metadata.uid!)) startStream(pod);
        // Done once every pod seen so far has finished and been streamed, or is gone; a job that had
        // finished before has nothing more to wait for even when its pods are gone.
        podsDone =
          (streaming.size > 0 || isFinished(job)) &&
          mine.every((pod) => streaming.has(pod.metadata.uid!) && isTerminal(pod));
        return podsDone;
      },
      signal,
    ).then(maybeEnd, (err: unknown) => lines.fail(err));
    try {
      yield* lines;
    } finally {
      stop.abort();
    }
  }
}

const isTerminal = (pod: V1Pod) => ['Succeeded', 'Failed'].includes(pod.status?.phase ?? '');

function podSelector(job: TrainingJob, filter: PodFilter): string {
  const selector = [`${LABELS.jobName}=${job.metadata!.name!.replaceAll('/', '-')}`];
  if (filter.replicaType) selector.push(`${LABELS.replicaType}=${filter.replicaType.toLowerCase()}`);
  if (filter.index !== undefined) selector.push(`${LABELS.replicaIndex}=${filter.index}`);
  if (filter.master) selector.push(`${LABELS.jobRole}=master`);
  return selector.join(',');
}

/** Pods whose controller is this very job: a job of another kind may share the name. */
function ownedBy(pod: V1Pod, job: TrainingJob): boolean {
  return (
    pod.metadata?.ownerReferences?.some((ref) => ref.controller && ref.uid === job.metadata?.uid) ?? false
  );
}

function byRank(job: TrainingJob) {
  const order = KINDS[kindOf(job)].replicaTypes.map((type) => type.toLowerCase());
  const rank = (pod: V1Pod) => {
    const labels = pod.metadata?.labels ?? {};
    const type = labels[LABELS.replicaType] ?? '';
    const position = order.indexOf(type);
    return {
      position: position < 0 ? order.length : position,
      type,
      index: Number(labels[LABELS.replicaIndex] ?? 0),
    };
  };
  return (a: V1Pod, b: V1Pod) => {
    const [x, y] = [rank(a), rank(b)];
    return x.position - y.position || x.type.localeCompare(y.type) || x.index - y.index;
  };
}

function containerOf(job: TrainingJob, pod: V1Pod, opts: LogsOptions): string {
  if (opts.container) return opts.container;
  const containers = pod.spec?.containers ?? [];
  const training = KINDS[kindOf(job)].defaultContainer;
  return containers.find((container) => container.name === training)?.name ?? containers[0]?.name ?? training;
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
