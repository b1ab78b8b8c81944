// The operator as a subprocess, started exactly as a user would (`node bin/training-operator.js run`),
// so its memory is its own and its CPU competes with the control plane as it would on a node.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { freePort } from '../../test/cluster/probe.ts';
import { repoRoot } from '../../test/cluster/control-plane.ts';

export interface OperatorOptions {
  kubeconfig: string;
  namespace: string;
  threads: number;
  /** stdout and stderr go here. */
  logFile: string;
  /** When set, the operator writes a V8 CPU profile into this directory when it exits. */
  cpuProfDir?: string;
  /** Node and V8 options before the script; default BIN_NODE_OPTIONS, what users and the image run. */
  nodeOptions?: string[];
}

export interface Memory {
  /** Peak resident set (VmHWM), MiB. */
  peakMiB: number;
  /** Resident set now (VmRSS), MiB. */
  rssMiB: number;
}

/**
 * An operator process the bench started, ours or a peer: its exit, memory, readiness and stop. `label`
 * names it in errors ("the operator", "the Kubeflow operator").
 */
export abstract class BenchedProcess {
  protected exited = false;
  private readonly exit: Promise<void>;

  protected constructor(
    protected readonly child: ChildProcess,
    readonly namespace: string,
    readonly metricsUrl: string,
    readonly logFile: string,
    private readonly label: string,
  ) {
    this.exit = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.exit.then(() => (this.exited = true));
  }

  get pid(): number {
    return this.child.pid!;
  }

  memory(): Memory {
    return processMemory(this.pid);
  }

  /** SIGTERM (ours drains its workers, and writes its CPU profile), SIGKILL after 15 s. */
  async stop(): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const killed = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exit;
    clearTimeout(killed);
  }

  /** Polls `url` until it answers 200; stops it and throws if it exits first or `timeoutMs` passes. */
  protected async waitReady(url: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`${this.label} exited before it was ready; see ${this.logFile}`);
      const status = await httpGet(url).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${this.label} was not ready within ${timeoutMs / 1000} s; see ${this.logFile}`);
  }
}

export class OperatorProcess extends BenchedProcess {
  private constructor(child: ChildProcess, namespace: string, metricsUrl: string, logFile: string) {
    super(child, namespace, metricsUrl, logFile, 'the operator');
  }

  static async start(options: OperatorOptions): Promise<OperatorProcess> {
    const [metricsPort, healthPort] = [await freePort(), await freePort()];
    const log = openSync(options.logFile, 'w');
    const child = spawn(
      process.execPath,
      [...nodeFlags(options), ...runArgs(options, metricsPort, healthPort)],
      {
        cwd: repoRoot,
        stdio: ['ignore', log, log],
      },
    );
    closeSync(log);
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    const operator = new OperatorProcess(child, options.namespace, metricsUrl, options.logFile);
    try {
      await operator.waitReady(`http://127.0.0.1:${healthPort}/readyz`, 60_000);
    } catch (error) {
      await operator.stop();
      throw error;
    }
    return operator;
  }

  /** The operator's own Prometheus text. */
  metrics(): Promise<string> {
    return httpGet(this.metricsUrl).then((response) => response.body);
  }
}

/** The node options of the bin's `#!/usr/bin/env -S node …` line, which the image's ENTRYPOINT repeats. */
export const BIN_NODE_OPTIONS = readFileSync(join(repoRoot, 'bin/training-operator.js'), 'utf8')
  .split('\n')[0]
  .split(' ')
  .filter((word) => word.startsWith('--'));

function nodeFlags({ cpuProfDir, nodeOptions = BIN_NODE_OPTIONS }: OperatorOptions): string[] {
  return [...nodeOptions, ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [])];
}

function runArgs(options: OperatorOptions, metricsPort: number, healthPort: number): string[] {
  return [
    join(repoRoot, 'bin/training-operator.js'),
    'run',
    `--kubeconfig=${options.kubeconfig}`,
    `--namespace=${options.namespace}`,
    '--kube-api-qps=0',
    `--threads=${options.threads}`,
    `--metrics-bind-address=127.0.0.1:${metricsPort}`,
    `--health-probe-bind-address=127.0.0.1:${healthPort}`,
    '--log-level=warn',
  ];
}

export function processMemory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { peakMiB: kib('VmHWM') / 1024, rssMiB: kib('VmRSS') / 1024 };
}

export function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timed out`)));
    req.on('error', reject);
  });
}

/** `name{labels} value` lines of a Prometheus text whose name and labels match, summed. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}
