// The kube-apiserver's own request counters (`apiserver_request_total`), read from its /metrics with the
// admin client certificate. They count every request that reached the server, whoever sent it, so the
// operator subprocess needs no instrumentation of its own to be measured.
import { createWriteStream, readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';

/** Request counts keyed `VERB resource[/subresource]`, e.g. `POST pods`, `PUT pytorchjobs/status`. */
export type RequestTotals = Map<string, number>;

/** The verbs the apiserver's metrics give writes: create, update, patch (two kinds), delete. */
const WRITE_VERBS = new Set(['POST', 'PUT', 'PATCH', 'APPLY', 'DELETE', 'DELETECOLLECTION']);

/** The client verbs of src/kube/request-counter.ts, as the apiserver's metrics name them. */
export const METRIC_VERB: Record<string, string> = {
  create: 'POST',
  update: 'PUT',
  patch: 'PATCH',
  delete: 'DELETE',
};

export interface ClientCert {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/** The admin certificate src/local/pki.ts made for a control plane in `dir`. */
export function adminCert(dir: string): ClientCert {
  const file = (name: string) => readFileSync(join(dir, 'pki', name));
  return { ca: file('ca.crt'), cert: file('admin.crt'), key: file('admin.key') };
}

function get(url: string, auth: ClientCert): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ...auth, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 200) resolve(body);
        else reject(new Error(`GET ${url}: ${res.statusCode}: ${body.slice(0, 200)}`));
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timed out`)));
    req.on('error', reject);
  });
}

/**
 * Writes kube-apiserver's CPU profile over the next `seconds` to `file` (pprof format, for
 * `go tool pprof`); resolves when the profile is complete.
 */
export function profileApiserver(
  server: string,
  auth: ClientCert,
  seconds: number,
  file: string,
): Promise<void> {
  const url = `${server}/debug/pprof/profile?seconds=${seconds}`;
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ...auth, timeout: (seconds + 30) * 1000 }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`GET ${url}: ${res.statusCode}`));
        return;
      }
      res.pipe(createWriteStream(file)).on('finish', resolve).on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timed out`)));
    req.on('error', reject);
  });
}

function labelsOf(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const match of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[match[1]] = match[2];
  return labels;
}

/** Sums a per-request metric (`apiserver_request_total`) over codes, scopes and the other labels. */
export function parseRequestTotals(metrics: string, name = 'apiserver_request_total'): RequestTotals {
  const totals: RequestTotals = new Map();
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const close = line.lastIndexOf('}');
    const { verb, resource, subresource } = labelsOf(line.slice(0, close));
    const key = `${verb} ${resource}${subresource ? `/${subresource}` : ''}`;
    totals.set(key, (totals.get(key) ?? 0) + Number(line.slice(close + 1)));
  }
  return totals;
}

export interface ApiserverReading {
  requests: RequestTotals;
  /** Seconds the apiserver spent on the requests, from `apiserver_request_duration_seconds_sum`. */
  seconds: RequestTotals;
}

export async function readApiserver(server: string, auth: ClientCert): Promise<ApiserverReading> {
  const text = await get(`${server}/metrics`, auth);
  return {
    requests: parseRequestTotals(text),
    seconds: parseRequestTotals(text, 'apiserver_request_duration_seconds_sum'),
  };
}

/** Mean milliseconds per request of each write between two readings, slowest first. */
export function meanWriteLatency(after: ApiserverReading, before: ApiserverReading): [string, number][] {
  const requests = writesOnly(subtract(after.requests, before.requests));
  const seconds = subtract(after.seconds, before.seconds);
  return [...requests]
    .map(([key, n]): [string, number] => [key, ((seconds.get(key) ?? 0) * 1000) / n])
    .sort(([, a], [, b]) => b - a);
}

/** `a - b` key by key, without the keys that come to zero: what happened between two readings. */
export function subtract(a: RequestTotals, b: RequestTotals): RequestTotals {
  const delta: RequestTotals = new Map();
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const d = (a.get(key) ?? 0) - (b.get(key) ?? 0);
    if (d !== 0) delta.set(key, d);
  }
  return delta;
}

export function writesOnly(totals: RequestTotals): RequestTotals {
  return new Map([...totals].filter(([key]) => WRITE_VERBS.has(key.split(' ')[0])));
}

/** GETs and LISTs of resources (not of /metrics and other plain paths); watches are left out. */
export function readsOnly(totals: RequestTotals): RequestTotals {
  return new Map([...totals].filter(([key]) => /^(GET|LIST) \S/.test(key)));
}

export function sum(totals: RequestTotals, keep: (key: string) => boolean = () => true): number {
  let total = 0;
  for (const [key, n] of totals) if (keep(key)) total += n;
  return total;
}

/** A client's own counter (`create pods`: 3) in the apiserver's terms (`POST pods`: 3). */
export function fromClientCounts(snapshot: Record<string, number>): RequestTotals {
  const totals: RequestTotals = new Map();
  for (const [key, n] of Object.entries(snapshot)) {
    const [verb, resource] = key.split(' ');
    if (METRIC_VERB[verb]) totals.set(`${METRIC_VERB[verb]} ${resource}`, n);
  }
  return totals;
}
