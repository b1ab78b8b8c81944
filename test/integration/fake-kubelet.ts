// A kubelet that serves container logs only, for the envtest-mode cluster, where no kubelet runs: a
// Node whose address and kubelet port point at an HTTPS server in the test process, pods bound to it,
// and logs the test writes. The API server's pods/log then proxies to it as to a real kubelet, so logs
// go through the real API server.
//
//   const kubelet = await startFakeKubelet();
//   t.after(() => kubelet.stop());
//   await kubelet.bind(ns, 'mnist-worker-0');
//   kubelet.write(ns, 'mnist-worker-0', 'pytorch', 'epoch 1');
//   kubelet.end(ns, 'mnist-worker-0', 'pytorch');   // a follower's stream ends, as when the container exits
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { parse } from 'yaml';
import * as harness from './harness.ts';

interface ContainerLog {
  lines: string[];
  ended: boolean;
  followers: Set<ServerResponse>;
}

export interface FakeKubelet {
  nodeName: string;
  /** Binds the pod to the fake node, as the scheduler would. */
  bind(namespace: string, pod: string): Promise<void>;
  /** Appends a line to the container's log; followers get it at once. */
  write(namespace: string, pod: string, container: string, line: string): void;
  /** The container exited: followers' streams end. */
  end(namespace: string, pod: string, container: string): void;
  /** Log requests received, as `namespace/pod/container?query`. */
  requests: string[];
  stop(): Promise<void>;
}

/**
 * The test cluster's admin certificate, signed by its CA and valid for 127.0.0.1 (the API server serves
 * with it too): an API server that verifies kubelets against the cluster CA accepts it.
 */
function servingCertificate(): { key: string; cert: string } {
  const config = parse(readFileSync(harness.cluster().kubeconfigPath, 'utf8')) as {
    users: { user: Record<string, string> }[];
  };
  const user = config.users[0].user;
  const decode = (data: string | undefined) => Buffer.from(data ?? '', 'base64').toString('utf8');
  return { cert: decode(user['client-certificate-data']), key: decode(user['client-key-data']) };
}

export async function startFakeKubelet(): Promise<FakeKubelet> {
  const logs = new Map<string, ContainerLog>();
  const requests: string[] = [];
  const logOf = (key: string) => {
    let log = logs.get(key);
    if (!log) logs.set(key, (log = { lines: [], ended: false, followers: new Set() }));
    return log;
  };
  const server = https.createServer(servingCertificate(), (req, res) => {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const match = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    const key = match.slice(1, 4).join('/');
    requests.push(`${key}${url.search}`);
    const log = logOf(key);
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.write(log.lines.map((line) => `${line}\n`).join(''));
    if (url.searchParams.get('follow') !== 'true' || log.ended) {
      res.end();
      return;
    }
    log.followers.add(res);
    res.on('close', () => log.followers.delete(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const nodeName = `fake-kubelet-${randomBytes(4).toString('hex')}`;
  const core = harness.client(CoreV1Api);
  await core.createNode({ body: { metadata: { name: nodeName } } });
  await core.patchNodeStatus(
    {
      name: nodeName,
      body: {
        status: {
          addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
          daemonEndpoints: { kubeletEndpoint: { Port: port } },
        },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  return {
    nodeName,
    requests,
    async bind(namespace, pod) {
      await core.createNamespacedPodBinding({
        name: pod,
        namespace,
        body: { metadata: { name: pod }, target: { apiVersion: 'v1', kind: 'Node', name: nodeName } },
      });
    },
    write(namespace, pod, container, line) {
      const log = logOf(`${namespace}/${pod}/${container}`);
      log.lines.push(line);
      for (const follower of log.followers) follower.write(`${line}\n`);
    },
    end(namespace, pod, container) {
      const log = logOf(`${namespace}/${pod}/${container}`);
      log.ended = true;
      for (const follower of log.followers) follower.end();
    },
    async stop() {
      for (const log of logs.values()) for (const follower of log.followers) follower.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await core.deleteNode({ name: nodeName });
    },
  };
}
