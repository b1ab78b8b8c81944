// Kubernetes Events for jobs, as the reference emits them. Best effort: an event that cannot be written
// is logged, never retried, and never fails a reconcile. Creating a job records six (one per pod and
// service), and sent as they came they doubled the writes that compete with the pods and services
// themselves. So they queue, in the order recorded, and wait while reconciles are under way (up to
// MAX_DEFER_MS): an API server busy with a burst of new jobs spends its CPU on their pods first, and the
// events follow. Their timestamps are those of the moment they were recorded.
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { KINDS } from '../api/kinds.ts';
import type { Job, KubeObject } from '../api/types.ts';
import type { JobEvent } from '../status/context.ts';
import type { Logger } from '../telemetry/logger.ts';

/** The same event for the same job is not repeated within this window (client-go's spam filter does likewise). */
const REPEAT_WINDOW_MS = 10 * 60 * 1000;
const MAX_REMEMBERED = 10_000;
/**
 * Events waiting beyond this many are dropped: about 12 MB at ~600 bytes each (client-go's recorder
 * keeps 1,000). Half of it holds the six events of each of 1,600 jobs created at once.
 */
const MAX_QUEUED = 20_000;
/** An event waits for the reconciles to pause at most this long. */
const MAX_DEFER_MS = 30_000;
/** How often a waiting event checks whether the reconciles paused. */
const BUSY_POLL_MS = 50;
/**
 * Events in flight at once. One at a time (client-go's way) costs kube-apiserver and etcd about twice
 * the CPU per event that eight do, as etcd then commits each alone (bench/apiserver-cost.ts).
 */
const WRITERS = 8;

export interface EventSink {
  create(object: KubeObject): Promise<unknown>;
}

export interface EventRecorderOptions {
  /** True while writes that matter more than events are being made (the manager: reconciles running or queued). */
  busy?: () => boolean;
}

export class EventRecorder {
  private readonly recent = new Map<string, number>();
  private readonly queue: { event: KubeObject; at: number }[] = [];
  private readonly busy: () => boolean;
  private writers = 0;

  constructor(
    private readonly sink: EventSink,
    private readonly log: Logger,
    options: EventRecorderOptions = {},
  ) {
    this.busy = options.busy ?? (() => false);
  }

  record(job: Job, event: JobEvent, now = new Date()): void {
    const key = `${job.metadata.uid}/${event.type}/${event.reason}/${event.message}`;
    const last = this.recent.get(key);
    if (last !== undefined && now.getTime() - last < REPEAT_WINDOW_MS) return;
    this.remember(key, now.getTime());
    if (this.queue.length >= MAX_QUEUED) {
      this.log.warn(
        { job: `${job.metadata.namespace}/${job.metadata.name}`, reason: event.reason },
        'event dropped: too many waiting to be written',
      );
      return;
    }
    this.queue.push({ event: eventObject(job, event, now), at: Date.now() });
    if (this.writers < WRITERS) void this.writeQueued();
  }

  /** One writer: takes the oldest queued event once the reconciles pause, until none is left. */
  private async writeQueued(): Promise<void> {
    this.writers++;
    for (let next = this.queue[0]; next; next = this.queue[0]) {
      if (this.mayWait(next.at)) {
        // Unreferenced: waiting events do not keep a stopping process alive.
        await delay(BUSY_POLL_MS, undefined, { ref: false });
        continue;
      }
      const { event } = this.queue.shift()!;
      await this.sink.create(event).catch((error: Error) => this.notRecorded(event, error));
    }
    this.writers--;
  }

  /**
   * Events wait while the reconciles are busy, but not past MAX_DEFER_MS, nor once half the queue is
   * full: a long or fast burst must not make the newest events fall off its end.
   */
  private mayWait(queuedAt: number): boolean {
    return this.busy() && Date.now() - queuedAt < MAX_DEFER_MS && this.queue.length < MAX_QUEUED / 2;
  }

  private notRecorded(event: KubeObject, error: Error): void {
    const job = event.involvedObject as { namespace: string; name: string };
    this.log.warn(
      { job: `${job.namespace}/${job.name}`, reason: event.reason, err: error.message },
      'event not recorded',
    );
  }

  private remember(key: string, at: number): void {
    if (this.recent.size >= MAX_REMEMBERED) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(key, at);
  }
}

export function eventObject(job: Job, event: JobEvent, now: Date): KubeObject {
  const time = `${now.toISOString().slice(0, 19)}Z`;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `${job.metadata.name}.${now.getTime().toString(16)}${randomBytes(4).toString('hex')}`,
      namespace: job.metadata.namespace,
    },
    involvedObject: {
      apiVersion: job.apiVersion,
      kind: job.kind,
      name: job.metadata.name,
      namespace: job.metadata.namespace,
      uid: job.metadata.uid,
      resourceVersion: job.metadata.resourceVersion,
    },
    reason: event.reason,
    message: event.message,
    type: event.type,
    source: { component: KINDS[job.kind].controllerName },
    reportingComponent: KINDS[job.kind].controllerName,
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
  };
}
