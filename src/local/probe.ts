// Readiness probes and the wait loop that starting the control plane is made of.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { logTail, type Started } from './process.ts';

export interface ClientCert {
  ca: string;
  cert: string;
  key: string;
}

/** A port that was free a moment ago; each component gets one right before it starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function statusOf(req: http.ClientRequest): Promise<number> {
  return new Promise((resolve) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

export async function httpOk(url: string): Promise<boolean> {
  return (await statusOf(http.request(url, { timeout: 2000 }))) === 200;
}

/** GET over TLS, with the admin client certificate when given, else without verifying the server. */
export async function httpsOk(url: string, auth?: ClientCert): Promise<boolean> {
  const tls = auth
    ? { ca: readFileSync(auth.ca), cert: readFileSync(auth.cert), key: readFileSync(auth.key) }
    : { rejectUnauthorized: false };
  return (await statusOf(https.request(url, { ...tls, timeout: 2000 }))) === 200;
}

/** True when the server sends any HTTP response at all, even an error status. */
export async function httpsAnswers(url: string, auth: ClientCert): Promise<boolean> {
  const tls = { ca: readFileSync(auth.ca), cert: readFileSync(auth.cert), key: readFileSync(auth.key) };
  return (await statusOf(https.request(url, { ...tls, timeout: 2000 }))) !== 0;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` until it passes. Fails early, with the tail of its log, when `proc` exits meanwhile,
 * and with the same tail on timeout, since a hung component usually says why in its log.
 */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  opts: { timeoutMs: number; proc?: Started },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  const { proc } = opts;
  for (;;) {
    if (await check()) return;
    const exit = proc?.exitCode();
    if (proc && exit !== undefined) {
      throw new StartError(`${proc.record.name} exited (${exit}) before ${what}`, proc.record.log);
    }
    if (Date.now() > deadline) {
      throw new StartError(`timed out after ${opts.timeoutMs / 1000}s waiting for ${what}`, proc?.record.log);
    }
    await sleep(200);
  }
}

/** A failure to start, carrying the log of the component that caused it. */
export class StartError extends Error {
  constructor(
    message: string,
    readonly log?: string,
  ) {
    super(log ? `${message}\n--- last lines of ${log} ---\n${logTail(log)}` : message);
  }
}
