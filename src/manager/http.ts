// The manager's HTTP endpoints: /metrics for Prometheus, /healthz and /readyz for the kubelet's probes.
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface Endpoint {
  host?: string;
  port: number;
}

function listen(server: Server, endpoint: Endpoint): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(endpoint.port, endpoint.host, () => resolve(server));
  });
}

export function serveMetrics(endpoint: Endpoint, registry: Registry): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404).end('not found\n');
      return;
    }
    registry.metrics().then(
      (body) => response.writeHead(200, { 'Content-Type': registry.contentType }).end(body),
      (error: Error) => response.writeHead(500).end(`${error.message}\n`),
    );
  });
  return listen(server, endpoint);
}

/**
 * /healthz: the process serves requests. /readyz: the caches are synced and the manager can reconcile;
 * otherwise 503 with one line per reason `notReady` gives, e.g. a cache whose list is refused and why.
 */
export function serveHealth(endpoint: Endpoint, notReady: () => string[]): Promise<Server> {
  const server = createServer((request, response) => {
    const path = request.url?.split('?')[0];
    if (path === '/healthz') response.writeHead(200).end('ok\n');
    else if (path === '/readyz') {
      const reasons = notReady();
      if (reasons.length === 0) response.writeHead(200).end('ok\n');
      else response.writeHead(503).end(`not ready:\n${reasons.map((reason) => `- ${reason}\n`).join('')}`);
    } else response.writeHead(404).end('not found\n');
  });
  return listen(server, endpoint);
}
