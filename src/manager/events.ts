// Kubernetes Events for jobs, as the reference emits them. Best effort: an event that cannot be written
// is logged, never retried, and never fails a reconcile. They are written one at a time, in order, as
// client-go's recorder does: creating a job records six (one per pod and service), and sent all at once
// they doubled the writes that compete with the pods and services themselves.
import { randomBytes } from 'node:crypto';
import { KINDS } from '../api/kinds.ts';
import type { Job, KubeObject } from '../api/types.ts';
import type { JobEvent } from '../status/context.ts';
import type { Logger } from '../telemetry/logger.ts';

/** The same event for the same job is not repeated within this window (client-go's spam filter does likewise). */
const REPEAT_WINDOW_MS = 10 * 60 * 1000;
const MAX_REMEMBERED = 10_000;
/** Events waiting beyond this many are dropped (client-go's recorder keeps 1,000). */
const MAX_QUEUED = 10_000;

export interface EventSink {
  create(object: KubeObject): Promise<unknown>;
}

export class EventRecorder {
  private readonly recent = new Map<string, number>();
  private readonly queue: KubeObject[] = [];
  private writing = false;

  constructor(
    private readonly sink: EventSink,
    private readonly log: Logger,
  ) {}

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
    this.queue.push(eventObject(job, event, now));
    if (!this.writing) void this.writeQueued();
  }

  /** Writes the queued events one by one until none is left. */
  private async writeQueued(): Promise<void> {
    this.writing = true;
    for (let event = this.queue.shift(); event; event = this.queue.shift()) {
      await this.sink.create(event).catch((error: Error) => this.notRecorded(event, error));
    }
    this.writing = false;
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
