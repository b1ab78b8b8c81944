// Reads a watch response: one JSON event per line, as the API server streams it.
import type { Readable } from 'node:stream';
import { apiErrorFromStatus } from './errors.ts';
import type { Status, WatchEvent, WatchEventType } from './types.ts';

const EVENT_TYPES: ReadonlySet<string> = new Set<WatchEventType>([
  'ADDED',
  'MODIFIED',
  'DELETED',
  'BOOKMARK',
]);

/** Splits text arriving in arbitrary chunks into lines. */
export class LineSplitter {
  private rest = '';

  /** Returns the lines completed by this chunk. */
  push(chunk: string): string[] {
    const parts = (this.rest + chunk).split('\n');
    this.rest = parts.pop() ?? '';
    return parts;
  }

  /** The unterminated last line, if any. */
  end(): string[] {
    const last = this.rest;
    this.rest = '';
    return last ? [last] : [];
  }
}

/** Parses one line; an ERROR event becomes the ApiError it describes (410 Gone for an expired version). */
export function parseWatchEvent<T>(line: string): WatchEvent<T> {
  const event = JSON.parse(line) as { type?: string; object?: Status };
  if (event.type === 'ERROR') throw apiErrorFromStatus(event.object ?? {});
  if (!event.type || !EVENT_TYPES.has(event.type) || typeof event.object !== 'object' || !event.object) {
    throw new Error(`malformed watch event: ${line.slice(0, 200)}`);
  }
  return event as WatchEvent<T>;
}

/**
 * Feeds every event of `stream` to `onEvent`. Resolves when the server ends the stream; rejects on an
 * ERROR event, a malformed line, a throwing `onEvent`, or a connection lost mid-stream.
 */
export function readWatchStream<T>(stream: Readable, onEvent: (event: WatchEvent<T>) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const lines = new LineSplitter();
    let ended = false;
    const fail = (err: unknown) => {
      stream.destroy();
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    const deliver = (batch: string[]) => {
      for (const line of batch) if (line.trim()) onEvent(parseWatchEvent<T>(line));
    };
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      try {
        deliver(lines.push(chunk));
      } catch (err) {
        fail(err);
      }
    });
    stream.on('end', () => {
      ended = true;
      try {
        deliver(lines.end());
        resolve();
      } catch (err) {
        fail(err);
      }
    });
    stream.on('error', (err) => fail(new Error(`watch connection lost: ${err.message}`)));
    stream.on('close', () => {
      if (!ended) fail(new Error('watch connection closed before the stream ended'));
    });
  });
}
