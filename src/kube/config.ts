// Where the operator's credentials come from, and what they are. The sources are tried in kubectl's
// order, but with in-cluster before ~/.kube/config: a pod has no home kubeconfig, and a developer's
// laptop has no service account. Our own reader rather than client-node's KubeConfig, which loads
// client-node's whole generated API with it, about 60 MiB resident (docs/adr/0003-own-kubeconfig-reader.md).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type https from 'node:https';
import { isIPv6 } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** A plugin that has not answered by then is taken as hung, so that start-up fails instead of waiting. */
const EXEC_TIMEOUT_MS = 60_000;
/** A credential is renewed this long before it expires, so that no request carries an expired one. */
const EXPIRY_MARGIN_MS = 10_000;

export interface KubeConfigSources {
  /** Default: the user's home directory. */
  homeDir?: string;
  /** Prefix of the service-account directory, so tests can fake in-cluster mode in a temp dir. */
  inClusterRoot?: string;
}

/** A cluster entry of a kubeconfig, with file paths made absolute. */
export interface Cluster {
  name: string;
  server: string;
  certificateAuthority?: string;
  certificateAuthorityData?: string;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
}

/** An `exec` credential plugin (client.authentication.k8s.io), as kubectl runs it. */
export interface ExecPlugin {
  apiVersion: string;
  command: string;
  args: string[];
  env: { name: string; value: string }[];
  provideClusterInfo: boolean;
}

/** A user entry of a kubeconfig, with file paths made absolute. */
export interface User {
  name: string;
  token?: string;
  tokenFile?: string;
  clientCertificate?: string;
  clientCertificateData?: string;
  clientKey?: string;
  clientKeyData?: string;
  username?: string;
  password?: string;
  exec?: ExecPlugin;
}

interface ExecCredential {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  /** Epoch milliseconds; none means valid for the life of the process. */
  expiresAt?: number;
}

/**
 * The selected context of a kubeconfig: its cluster and user. It gives a connection what client-node's
 * KubeConfig would (the same three methods, so that tests may pass either): the server, then TLS
 * settings and the Authorization header. Token files are read again and exec plugins run again,
 * when their credential expires, on each `applyToHTTPSOptions`.
 */
export class KubeConfig {
  private execCredential?: ExecCredential;
  private execRunning?: Promise<ExecCredential>;

  constructor(
    readonly currentContext: string,
    readonly cluster: Cluster,
    readonly user: User,
    /** The context's namespace (the service account's in-cluster), as kubectl defaults `-n` to. */
    readonly namespace?: string,
  ) {}

  getCurrentContext(): string {
    return this.currentContext;
  }

  getCurrentCluster(): Cluster {
    return this.cluster;
  }

  async applyToHTTPSOptions(options: https.RequestOptions): Promise<void> {
    const { cluster, user } = this;
    if (cluster.insecureSkipTlsVerify) options.rejectUnauthorized = false;
    if (cluster.tlsServerName) options.servername = cluster.tlsServerName;
    const ca = pem(
      cluster.certificateAuthority,
      cluster.certificateAuthorityData,
      `cluster "${cluster.name}"`,
    );
    if (ca) options.ca = ca;
    const where = `user "${user.name}"`;
    const cert = pem(user.clientCertificate, user.clientCertificateData, where);
    const key = pem(user.clientKey, user.clientKeyData, where);
    if (cert) options.cert = cert;
    if (key) options.key = key;

    const headers: Record<string, string> = {};
    if (user.token) headers.Authorization = `Bearer ${user.token}`;
    else if (user.tokenFile) headers.Authorization = `Bearer ${readTokenFile(user.tokenFile, where)}`;
    else if (user.exec) {
      const credential = await this.credentialFromPlugin(user.exec);
      if (credential.token) headers.Authorization = `Bearer ${credential.token}`;
      if (credential.clientCertificateData) options.cert = credential.clientCertificateData;
      if (credential.clientKeyData) options.key = credential.clientKeyData;
    } else if (user.username !== undefined) {
      const basic = Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64');
      headers.Authorization = `Basic ${basic}`;
    }
    options.headers = { ...options.headers, ...headers };
  }

  /** The plugin's last credential while it is valid; else it runs the plugin (once for concurrent callers). */
  private async credentialFromPlugin(exec: ExecPlugin): Promise<ExecCredential> {
    const last = this.execCredential;
    if (last && (last.expiresAt === undefined || last.expiresAt - EXPIRY_MARGIN_MS > Date.now())) return last;
    this.execRunning ??= runExecPlugin(exec, this.user.name, this.cluster).finally(
      () => (this.execRunning = undefined),
    );
    this.execCredential = await this.execRunning;
    return this.execCredential;
  }
}

/**
 * The `--kubeconfig` file, else the files of `$KUBECONFIG`, else the in-cluster service account
 * (when its token file exists and KUBERNETES_SERVICE_HOST is set), else `~/.kube/config`. Throws an
 * error naming everything it tried when none is there or the chosen one names no cluster. `context`
 * selects a context other than the current one, as kubectl's `--context`.
 */
export function loadKubeConfig(
  opts: { kubeconfig?: string; context?: string } = {},
  sources: KubeConfigSources = {},
): KubeConfig {
  const { context } = opts;
  if (opts.kubeconfig) {
    if (!existsSync(opts.kubeconfig)) throw new Error(`--kubeconfig ${opts.kubeconfig}: no such file`);
    return fromFiles([opts.kubeconfig], `--kubeconfig ${opts.kubeconfig}`, context);
  }
  const tried: string[] = [];
  const envFiles = (process.env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  const existing = envFiles.filter((file) => existsSync(file));
  if (existing.length > 0) return fromFiles(existing, `$KUBECONFIG (${existing.join(delimiter)})`, context);
  tried.push(
    envFiles.length ? `$KUBECONFIG (${envFiles.join(delimiter)}: no such file)` : '$KUBECONFIG (unset)',
  );

  const root = sources.inClusterRoot ?? '';
  const tokenFile = `${root}${SERVICE_ACCOUNT_DIR}/token`;
  const host = process.env.KUBERNETES_SERVICE_HOST;
  if (host && existsSync(tokenFile)) return inCluster(host, process.env.KUBERNETES_SERVICE_PORT, root);
  tried.push(`in-cluster (${tokenFile} and $KUBERNETES_SERVICE_HOST)`);

  const homeFile = join(sources.homeDir ?? homedir(), '.kube', 'config');
  if (existsSync(homeFile)) return fromFiles([homeFile], homeFile, context);
  tried.push(homeFile);
  throw new Error(`no Kubernetes credentials found; tried ${tried.join(', ')}`);
}

/** As client-go's rest.InClusterConfig: the service's address, the mounted CA and the rotating token. */
function inCluster(host: string, port: string | undefined, root: string): KubeConfig {
  const address = isIPv6(host) ? `[${host}]` : host;
  const namespaceFile = `${root}${SERVICE_ACCOUNT_DIR}/namespace`;
  const namespace = existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() : undefined;
  return new KubeConfig(
    'in-cluster',
    {
      name: 'in-cluster',
      server: `https://${address}:${port ?? '443'}`,
      certificateAuthority: `${root}${SERVICE_ACCOUNT_DIR}/ca.crt`,
    },
    { name: 'in-cluster', tokenFile: `${root}${SERVICE_ACCOUNT_DIR}/token` },
    namespace || undefined,
  );
}

type Named<T> = { name: string; dir: string; value: T };

/**
 * Merges files as kubectl does: the first file to define a name, or the current context, wins.
 * Relative file paths in an entry are relative to the file that defines it.
 */
function fromFiles(files: string[], source: string, contextName?: string): KubeConfig {
  let currentContext: string | undefined;
  const clusters = new Map<string, Named<Record<string, unknown>>>();
  const users = new Map<string, Named<Record<string, unknown>>>();
  const contexts = new Map<string, Named<Record<string, unknown>>>();
  for (const file of files) {
    const doc = readKubeconfigFile(file);
    currentContext ||= optionalString(doc['current-context'], `kubeconfig ${file}: current-context`);
    const dir = dirname(resolve(file));
    for (const [list, field, into] of [
      ['clusters', 'cluster', clusters],
      ['users', 'user', users],
      ['contexts', 'context', contexts],
    ] as const) {
      for (const entry of namedEntries(doc[list], field, `kubeconfig ${file}: ${list}`)) {
        if (!into.has(entry.name)) into.set(entry.name, { ...entry, dir });
      }
    }
  }
  if (contextName) {
    if (!contexts.has(contextName)) throw new Error(`${source}: context "${contextName}" does not exist`);
    currentContext = contextName;
  }
  if (!currentContext) throw new Error(`${source}: no current-context is set`);
  const context = contexts.get(currentContext);
  const clusterName =
    context && optionalString(context.value.cluster, `context "${currentContext}": cluster`);
  const cluster = clusterName === undefined ? undefined : clusters.get(clusterName);
  if (!context || !cluster) {
    throw new Error(`${source}: the current context "${currentContext}" names no cluster`);
  }
  const userName = optionalString(context.value.user, `context "${currentContext}": user`);
  const user = userName === undefined ? undefined : users.get(userName);
  if (userName !== undefined && !user) {
    throw new Error(
      `${source}: the current context "${currentContext}" names user "${userName}", which is not defined`,
    );
  }
  const namespace = optionalString(context.value.namespace, `context "${currentContext}": namespace`);
  return new KubeConfig(
    currentContext,
    parseCluster(cluster),
    user ? parseUser(user) : { name: '' },
    namespace || undefined,
  );
}

function readKubeconfigFile(file: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`kubeconfig ${file}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  // An empty file is an empty kubeconfig, as for kubectl.
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`kubeconfig ${file}: not a mapping`);
  return doc as Record<string, unknown>;
}

function namedEntries(
  list: unknown,
  field: string,
  where: string,
): { name: string; value: Record<string, unknown> }[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new Error(`${where}: must be a list`);
  return list.map((entry: unknown, index) => {
    const item = isMapping(entry) ? entry : {};
    const name = item.name;
    if (typeof name !== 'string' || !name)
      throw new Error(`${where}[${index}].name: must be a non-empty string`);
    const value = item[field] ?? {};
    if (!isMapping(value)) throw new Error(`${where}[${index}].${field}: must be a mapping`);
    return { name, value };
  });
}

function parseCluster({ name, dir, value }: Named<Record<string, unknown>>): Cluster {
  const where = `cluster "${name}"`;
  const field = (key: string) => optionalString(value[key], `${where}: ${key}`);
  const server = field('server');
  if (!server) throw new Error(`${where}: server is not set`);
  if (value['proxy-url'] !== undefined) {
    throw new Error(`${where}: proxy-url is not supported; the operator connects to the API server directly`);
  }
  const insecure = value['insecure-skip-tls-verify'];
  if (insecure !== undefined && typeof insecure !== 'boolean') {
    throw new Error(`${where}: insecure-skip-tls-verify must be true or false`);
  }
  return {
    name,
    server,
    certificateAuthority: absolute(dir, field('certificate-authority')),
    certificateAuthorityData: decoded(
      field('certificate-authority-data'),
      `${where}: certificate-authority-data`,
    ),
    insecureSkipTlsVerify: insecure === true,
    tlsServerName: field('tls-server-name'),
  };
}

function parseUser({ name, dir, value }: Named<Record<string, unknown>>): User {
  const where = `user "${name}"`;
  const field = (key: string) => optionalString(value[key], `${where}: ${key}`);
  for (const unsupported of ['auth-provider', 'as', 'as-groups', 'as-uid']) {
    if (value[unsupported] !== undefined) {
      const hint =
        unsupported === 'auth-provider'
          ? '; kubectl dropped auth-provider plugins in 1.26, use the provider’s exec plugin'
          : '';
      throw new Error(`${where}: ${unsupported} is not supported${hint}`);
    }
  }
  return {
    name,
    token: field('token'),
    tokenFile: absolute(dir, field('tokenFile')),
    clientCertificate: absolute(dir, field('client-certificate')),
    clientCertificateData: decoded(field('client-certificate-data'), `${where}: client-certificate-data`),
    clientKey: absolute(dir, field('client-key')),
    clientKeyData: decoded(field('client-key-data'), `${where}: client-key-data`),
    username: field('username'),
    password: field('password'),
    exec: value.exec === undefined ? undefined : parseExec(value.exec, dir, `${where}: exec`),
  };
}

function parseExec(value: unknown, dir: string, where: string): ExecPlugin {
  if (!isMapping(value)) throw new Error(`${where}: must be a mapping`);
  const apiVersion = optionalString(value.apiVersion, `${where}.apiVersion`);
  if (!apiVersion?.startsWith('client.authentication.k8s.io/')) {
    throw new Error(`${where}.apiVersion: must be client.authentication.k8s.io/v1 or v1beta1`);
  }
  const command = optionalString(value.command, `${where}.command`);
  if (!command) throw new Error(`${where}.command: is not set`);
  const args = value.args ?? [];
  if (!Array.isArray(args) || !args.every((arg) => typeof arg === 'string')) {
    throw new Error(`${where}.args: must be a list of strings`);
  }
  const env = value.env ?? [];
  if (
    !Array.isArray(env) ||
    !env.every((e) => isMapping(e) && typeof e.name === 'string' && typeof e.value === 'string')
  ) {
    throw new Error(`${where}.env: must be a list of {name, value} strings`);
  }
  return {
    apiVersion,
    // As kubectl: a command with a path is relative to the kubeconfig; a bare name is looked up in PATH.
    command: command.includes('/') ? resolve(dir, command) : command,
    args,
    env: env as { name: string; value: string }[],
    provideClusterInfo: value.provideClusterInfo === true,
  };
}

/** Runs the plugin as kubectl does, never interactively, and reads the ExecCredential it prints. */
function runExecPlugin(exec: ExecPlugin, userName: string, cluster: Cluster): Promise<ExecCredential> {
  const where = `user "${userName}": exec plugin ${exec.command}`;
  const info = {
    apiVersion: exec.apiVersion,
    kind: 'ExecCredential',
    spec: {
      interactive: false,
      ...(exec.provideClusterInfo
        ? {
            cluster: {
              server: cluster.server,
              'tls-server-name': cluster.tlsServerName,
              'insecure-skip-tls-verify': cluster.insecureSkipTlsVerify,
              'certificate-authority-data': cluster.certificateAuthorityData
                ? Buffer.from(cluster.certificateAuthorityData).toString('base64')
                : undefined,
            },
          }
        : {}),
    },
  };
  const env: NodeJS.ProcessEnv = { ...process.env, KUBERNETES_EXEC_INFO: JSON.stringify(info) };
  for (const { name, value } of exec.env) env[name] = value;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(exec.command, exec.args, {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: EXEC_TIMEOUT_MS,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (err) => reject(new Error(`${where}: ${err.message}`, { cause: err })));
    child.on('close', (code, signal) => {
      if (code !== 0) {
        const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const output = Buffer.concat(stderr).toString('utf8').trim();
        reject(new Error(`${where}: ${why}${output ? `: ${output}` : ''}`));
        return;
      }
      try {
        resolvePromise(parseExecCredential(Buffer.concat(stdout).toString('utf8'), exec.apiVersion));
      } catch (err) {
        reject(new Error(`${where}: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
      }
    });
  });
}

function parseExecCredential(text: string, apiVersion: string): ExecCredential {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error('did not print an ExecCredential as JSON');
  }
  if (!isMapping(doc) || doc.kind !== 'ExecCredential' || doc.apiVersion !== apiVersion) {
    throw new Error(`did not print an ExecCredential of apiVersion ${apiVersion}`);
  }
  const status = isMapping(doc.status) ? doc.status : {};
  const field = (key: string) => optionalString(status[key], `status.${key}`);
  const credential: ExecCredential = {
    token: field('token'),
    clientCertificateData: field('clientCertificateData'),
    clientKeyData: field('clientKeyData'),
  };
  if (!credential.token && !(credential.clientCertificateData && credential.clientKeyData)) {
    throw new Error('status has neither a token nor a client certificate and key');
  }
  const expiration = field('expirationTimestamp');
  if (expiration) {
    const expiresAt = Date.parse(expiration);
    if (Number.isNaN(expiresAt)) throw new Error(`status.expirationTimestamp: not a time: ${expiration}`);
    credential.expiresAt = expiresAt;
  }
  return credential;
}

/** PEM text from a file, else from decoded `-data`; the file wins, as in client-go. */
function pem(file: string | undefined, data: string | undefined, where: string): string | undefined {
  if (!file) return data;
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${where}: cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function readTokenFile(file: string, where: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new Error(`${where}: cannot read tokenFile ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function decoded(base64: string | undefined, where: string): string | undefined {
  if (base64 === undefined) return undefined;
  if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(base64)) throw new Error(`${where}: not base64`);
  return Buffer.from(base64, 'base64').toString('utf8');
}

function absolute(dir: string, file: string | undefined): string | undefined {
  return file === undefined || isAbsolute(file) ? file : join(dir, file);
}

function optionalString(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new Error(`${where}: must be a string`);
  return value;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
