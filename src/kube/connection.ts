// HTTP(S) to one API server with the credentials of a kubeconfig (config.ts), which works out the TLS
// material and the Authorization header (tokens, token files, exec plugins). The sockets are ours: one
// keep-alive pool for requests and a separate one for long-running watches, so that watches never
// take sockets the reconciler's requests wait for.
import http from 'node:http';
import https from 'node:https';

/** What a connection needs of a kubeconfig: ours (config.ts) or, in tests, client-node's KubeConfig. */
export interface KubeCredentials {
  getCurrentCluster(): { server: string } | null;
  getCurrentContext(): string;
  /** Sets TLS options and the Authorization header; reads token files and runs exec plugins as needed. */
  applyToHTTPSOptions(options: https.RequestOptions): Promise<void>;
}

export interface ConnectionOptions {
  /** Concurrent requests (watches not counted); more wait for a free socket. Default 100. */
  maxSockets?: number;
  /** How long Authorization headers are reused before the kubeconfig is asked again. Default 10 s. */
  authRefreshMs?: number;
  userAgent?: string;
}

export interface RawRequest {
  method: string;
  /** Path and query, e.g. `/api/v1/namespaces/ns/pods?limit=500`. */
  path: string;
  body?: string;
  contentType?: string;
  /** Socket idle time after which the request fails. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const TLS_OPTION_NAMES = [
  'ca',
  'cert',
  'key',
  'pfx',
  'passphrase',
  'rejectUnauthorized',
  'servername',
] as const;

export class Connection {
  private readonly agent: http.Agent;
  private readonly streamAgent: http.Agent;
  private readonly transport: typeof http | typeof https;
  private readonly basePath: string;
  private readonly authRefreshMs: number;
  private readonly userAgent: string;
  private auth: { headers: Record<string, string>; fetchedAt: number };
  private refreshing?: Promise<Record<string, string>>;
  private closed = false;

  /** Reads the current context's cluster and user; fails when the kubeconfig cannot authenticate. */
  static async create(kc: KubeCredentials, options: ConnectionOptions = {}): Promise<Connection> {
    const server = kc.getCurrentCluster()?.server;
    if (!server)
      throw new Error(`kubeconfig: context "${kc.getCurrentContext()}" names no cluster with a server`);
    const requestOptions: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(requestOptions);
    return new Connection(kc, new URL(server), requestOptions, options);
  }

  private constructor(
    private readonly kc: KubeCredentials,
    readonly server: URL,
    requestOptions: https.RequestOptions,
    options: ConnectionOptions,
  ) {
    const secure = server.protocol === 'https:';
    this.transport = secure ? https : http;
    this.basePath = server.pathname.replace(/\/+$/, '');
    this.authRefreshMs = options.authRefreshMs ?? 10_000;
    this.userAgent = options.userAgent ?? 'training-operator';
    const tls = secure ? pickTlsOptions(requestOptions) : {};
    const Agent = secure ? https.Agent : http.Agent;
    // LIFO reuses the most recently used socket, so idle ones expire instead of all staying half-warm.
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: options.maxSockets ?? 100,
      scheduling: 'lifo',
      ...tls,
    });
    this.streamAgent = new Agent({ keepAlive: false, ...tls });
    this.auth = { headers: headersFrom(requestOptions), fetchedAt: Date.now() };
  }

  /** Sends a request and reads the whole response body. */
  async send(request: RawRequest, refreshAuth = false): Promise<RawResponse> {
    this.checkOpen(request);
    const headers = await this.authHeaders(refreshAuth);
    return this.sendOnce(request, headers, true);
  }

  /** Sends a request and returns the response as soon as its headers arrive, for streaming (watch). */
  async open(request: RawRequest): Promise<http.IncomingMessage> {
    this.checkOpen(request);
    const headers = await this.authHeaders(false);
    return new Promise((resolve, reject) => {
      const req = this.start(request, headers, this.streamAgent);
      req.on('response', resolve);
      req.on('error', reject);
      req.end();
    });
  }

  /** Closes every socket, including running watches; later requests fail at once. */
  close(): void {
    this.closed = true;
    this.agent.destroy();
    this.streamAgent.destroy();
  }

  private checkOpen(request: RawRequest): void {
    if (this.closed) throw new Error(`${request.method} ${request.path}: the client is closed`);
  }

  private sendOnce(
    request: RawRequest,
    auth: Record<string, string>,
    retryStale: boolean,
  ): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const req = this.start(request, auth, this.agent);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
        res.on('close', () => {
          if (!res.complete)
            reject(new Error(`${request.method} ${request.path}: connection closed mid-response`));
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        // The server may close an idle keep-alive socket just as we reuse it; nothing was processed then.
        if (retryStale && req.reusedSocket && err.code === 'ECONNRESET') {
          resolve(this.sendOnce(request, auth, false));
        } else reject(err);
      });
      req.end(request.body);
    });
  }

  private start(request: RawRequest, auth: Record<string, string>, agent: http.Agent): http.ClientRequest {
    const headers: Record<string, string | number> = {
      ...auth,
      Accept: 'application/json',
      'User-Agent': this.userAgent,
    };
    if (request.body !== undefined) {
      headers['Content-Type'] = request.contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(request.body);
    }
    const req = this.transport.request({
      protocol: this.server.protocol,
      hostname: this.server.hostname.replace(/^\[|\]$/g, ''),
      port: this.server.port || undefined,
      method: request.method,
      path: this.basePath + request.path,
      headers,
      agent,
      signal: request.signal,
    });
    req.setTimeout(request.timeoutMs, () =>
      req.destroy(new Error(`${request.method} ${request.path}: no data for ${request.timeoutMs} ms`)),
    );
    return req;
  }

  /** Cached headers; the kubeconfig re-reads token files and re-runs exec plugins only when they expire. */
  private authHeaders(force: boolean): Promise<Record<string, string>> | Record<string, string> {
    if (!force && Date.now() - this.auth.fetchedAt < this.authRefreshMs) return this.auth.headers;
    this.refreshing ??= this.fetchAuthHeaders().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async fetchAuthHeaders(): Promise<Record<string, string>> {
    const requestOptions: https.RequestOptions = {};
    await this.kc.applyToHTTPSOptions(requestOptions);
    this.auth = { headers: headersFrom(requestOptions), fetchedAt: Date.now() };
    return this.auth.headers;
  }
}

function pickTlsOptions(options: https.RequestOptions): https.AgentOptions {
  const tls: Record<string, unknown> = {};
  for (const name of TLS_OPTION_NAMES) if (options[name] !== undefined) tls[name] = options[name];
  return tls;
}

/** The headers the kubeconfig computed (Authorization), plus basic auth if configured. */
function headersFrom(options: https.RequestOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  if (options.auth) headers.Authorization = `Basic ${Buffer.from(options.auth).toString('base64')}`;
  return headers;
}
