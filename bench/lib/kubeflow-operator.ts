// Kubeflow's own Go operator (github.com/kubeflow/training-operator, cmd/training-operator.v1), the
// peer of ours in bench/operator.ts --peer kubeflow: the released binary, unchanged, built by
// `src/local/build-binaries.sh kubeflow-operator`, run out of cluster against the bench's control
// plane, watching one namespace of its own.
//
// v1.9 has no flag to turn its webhooks or its cert rotation off (cmd/training-operator.v1/main.go):
// it always starts open-policy-agent's cert rotator, and reports ready only once the rotator has
// filled the Secret `training-operator-webhook-cert` in $MY_POD_NAMESPACE and the kubelet has mounted
// it at /tmp/k8s-webhook-server/serving-certs. Out of cluster, this module plays the parts of
// manifests/base's Deployment and its overlays: it creates the empty Secret, and copies the certificate
// the rotator writes into that directory, as the kubelet's Secret volume would. No
// ValidatingWebhookConfiguration is registered, so the API server never calls the webhooks: they are
// off as far as the benchmark goes; the rotator logs that it found none to update, once.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeClient } from '../../src/kube/client.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { freePort } from '../../test/cluster/probe.ts';
import { buildBinaries } from '../../test/cluster/control-plane.ts';
import { sleep } from './load.ts';
import { BenchedProcess, httpGet, metricValue } from './operator-process.ts';

/** The worker count and client rate limits of cmd/training-operator.v1/main.go's flags. */
export const KUBEFLOW_DEFAULTS = { threads: 1, qps: 20, burst: 30 } as const;

/**
 * Its --kube-api-qps feeds a token bucket, where 0 admits nothing after the burst: "unlimited", as our
 * --kube-api-qps 0 means, is a rate no run comes near.
 */
export const UNLIMITED_QPS = 1_000_000;

export interface KubeflowOperatorOptions {
  /** The bench's client, which creates the webhook Secret. */
  client: KubeClient;
  kubeconfig: string;
  namespace: string;
  threads: number;
  qps: number;
  burst: number;
  /** stdout and stderr go here. */
  logFile: string;
}

const SECRET = { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true };
const WEBHOOK_SECRET = 'training-operator-webhook-cert';
/** pkg/cert/cert.go's certDir, fixed; controller-runtime's webhook server reads os.TempDir()'s. */
const CERT_DIR = '/tmp/k8s-webhook-server/serving-certs';

interface Secret extends KubeObject {
  data?: Record<string, string>;
}

export class KubeflowOperatorProcess extends BenchedProcess {
  private constructor(child: ChildProcess, namespace: string, metricsUrl: string, logFile: string) {
    super(child, namespace, metricsUrl, logFile, 'the Kubeflow operator');
  }

  /** The flags that differ from one run to the next. */
  private static flags({ namespace, threads, qps, burst }: KubeflowOperatorOptions): string[] {
    return [
      `--namespace=${namespace}`,
      `--controller-threads=${threads}`,
      `--kube-api-qps=${qps}`,
      `--kube-api-burst=${burst}`,
    ];
  }

  static async start(options: KubeflowOperatorOptions): Promise<KubeflowOperatorProcess> {
    const binary = join(await buildBinaries('kubeflow-operator'), 'training-operator.v1');
    options.client.resources.register(SECRET);
    await options.client.create<Secret>({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: WEBHOOK_SECRET, namespace: options.namespace },
    });
    const [metricsPort, healthPort, webhookPort] = [await freePort(), await freePort(), await freePort()];
    const log = openSync(options.logFile, 'w');
    const child = spawn(
      binary,
      [
        `--kubeconfig=${options.kubeconfig}`,
        ...KubeflowOperatorProcess.flags(options),
        `--metrics-bind-address=127.0.0.1:${metricsPort}`,
        `--health-probe-bind-address=127.0.0.1:${healthPort}`,
        `--webhook-server-port=${webhookPort}`,
        '--leader-elect=false',
      ],
      {
        // The rotator's Secret lives in $MY_POD_NAMESPACE; TMPDIR=/tmp puts the webhook server's
        // certificate directory where the rotator looks for it.
        env: { ...process.env, MY_POD_NAMESPACE: options.namespace, TMPDIR: '/tmp', KUBECONFIG: '' },
        stdio: ['ignore', log, log],
      },
    );
    closeSync(log);
    const operator = new KubeflowOperatorProcess(
      child,
      options.namespace,
      `http://127.0.0.1:${metricsPort}/metrics`,
      options.logFile,
    );
    try {
      await operator.mountCertificate(options.client);
      await operator.waitReady(`http://127.0.0.1:${healthPort}/readyz`, 120_000);
    } catch (error) {
      await operator.stop();
      throw error;
    }
    return operator;
  }

  /** controller-runtime's count of reconciles, every controller and result. */
  async reconciles(): Promise<number> {
    return metricValue((await httpGet(this.metricsUrl)).body, 'controller_runtime_reconcile_total');
  }

  /**
   * Its warnings and errors, counted by message with job names and reconcile IDs folded: zap's
   * console lines (`<time>\tERROR\t<logger>\t<message>\t{...}`) and logrus's (`level=error msg="..."`).
   */
  warnings(): Map<string, number> {
    const counts = new Map<string, number>();
    const count = (message: string) => {
      const key = message
        .replace(/bench-\d+/g, 'bench-*')
        .replace(/"reconcileID": "[^"]*"/, '"reconcileID": *');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    };
    for (const line of readFileSync(this.logFile, 'utf8').split('\n')) {
      const fields = line.split('\t');
      if (fields[1] === 'ERROR' || fields[1] === 'WARN') {
        count(`${fields[1]} ${fields.slice(2, 4).join(' ')}`);
        continue;
      }
      const logrus = /level=(warning|error) msg="((?:[^"\\]|\\.)*)"/.exec(line);
      if (logrus) count(`${logrus[1]} ${logrus[2]}`);
    }
    return counts;
  }

  /** Waits for the rotator to fill the Secret, then writes its certificate and key where a mount would. */
  private async mountCertificate(client: KubeClient): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`the Kubeflow operator exited at start-up; see ${this.logFile}`);
      const secret = await client.get<Secret>({
        apiVersion: 'v1',
        kind: 'Secret',
        namespace: this.namespace,
        name: WEBHOOK_SECRET,
      });
      const data = secret?.data;
      if (data?.['tls.crt'] && data['tls.key']) {
        mkdirSync(CERT_DIR, { recursive: true });
        for (const name of ['tls.crt', 'tls.key'])
          writeFileSync(join(CERT_DIR, name), Buffer.from(data[name], 'base64'), { mode: 0o600 });
        return;
      }
      await sleep(200);
    }
    throw new Error(
      `the Kubeflow operator's cert rotator did not fill its Secret within 60 s; see ${this.logFile}`,
    );
  }
}
