// KubeClient against a fake API server on a local port: what goes over the wire and what comes back.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../src/kube/client.ts';
import { isGone, isNotFound, isTooManyRequests } from '../../src/kube/errors.ts';
import { CONFIG_MAP, POD } from '../../src/kube/resources.ts';
import type { KubeObjectLike, WatchEvent } from '../../src/kube/types.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Route = (req: Seen, res: ServerResponse) => void;

const json = (res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(code, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));

const status = (code: number, reason: string, message: string) => ({
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  code,
  reason,
  message,
});

const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: 'c' };
const configMap = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'c', namespace: 'ns' },
  data: { a: '1' },
};

describe('KubeClient over HTTP', () => {
  let server: Server;
  let client: KubeClient;
  let seen: Seen[];
  let route: Route;

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        };
        seen.push(request);
        route(request, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: 'fake',
          server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          skipTLSVerify: true,
        },
      ],
      users: [{ name: 'u', token: 'secret-token' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'u' }],
      currentContext: 'fake',
    });
    client = await KubeClient.create(kc, { qps: 0, maxRetries: 2 });
  });

  after(async () => {
    client.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    seen = [];
    client.requests.reset();
  });

  test('create POSTs the object as JSON with credentials and the default field manager', async () => {
    route = (req, res) => json(res, 201, { ...JSON.parse(req.body), extra: { future: true } });
    const created = await client.create(configMap);
    assert.equal(seen[0].method, 'POST');
    assert.equal(seen[0].url, '/api/v1/namespaces/ns/configmaps?fieldManager=training-operator');
    assert.equal(seen[0].headers.authorization, 'Bearer secret-token');
    assert.equal(seen[0].headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(seen[0].body), configMap);
    assert.deepEqual(created, { ...configMap, extra: { future: true } }, 'unknown fields pass through');
  });

  test('fields a typed model would drop or turn into Dates arrive as sent', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'ns', creationTimestamp: '2026-01-02T03:04:05Z' },
      spec: { futureField: { x: 1 }, containers: [] },
    };
    route = (_req, res) => json(res, 200, pod);
    assert.deepEqual(await client.get({ apiVersion: 'v1', kind: 'Pod', namespace: 'ns', name: 'p' }), pod);
  });

  test('get of a missing object is undefined; delete of one is false', async () => {
    route = (_req, res) => json(res, 404, status(404, 'NotFound', 'configmaps "c" not found'));
    assert.equal(await client.get(ref), undefined);
    assert.equal(await client.delete(ref), false);
  });

  test('delete sends DeleteOptions with propagation and preconditions', async () => {
    route = (_req, res) => json(res, 200, configMap);
    const deleted = await client.delete(ref, {
      propagationPolicy: 'Foreground',
      preconditions: { uid: 'u1' },
      gracePeriodSeconds: 0,
    });
    assert.equal(deleted, true);
    assert.equal(seen[0].method, 'DELETE');
    assert.equal(seen[0].url, '/api/v1/namespaces/ns/configmaps/c');
    assert.deepEqual(JSON.parse(seen[0].body), {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      propagationPolicy: 'Foreground',
      preconditions: { uid: 'u1' },
      gracePeriodSeconds: 0,
    });
  });

  test('each patch type has its content type; apply forces by default; subresources have their path', async () => {
    route = (_req, res) => json(res, 200, configMap);
    await client.patch(ref, { data: { a: '2' } }, 'merge');
    await client.patch(ref, [{ op: 'remove', path: '/data/a' }], 'json');
    await client.patch(ref, { data: {} }, 'strategic', { fieldManager: 'me' });
    await client.apply(configMap);
    await client.patch(ref, { status: {} }, 'merge', { subresource: 'status' });
    assert.deepEqual(
      seen.map((r) => [r.headers['content-type'], r.url]),
      [
        ['application/merge-patch+json', '/api/v1/namespaces/ns/configmaps/c?fieldManager=training-operator'],
        ['application/json-patch+json', '/api/v1/namespaces/ns/configmaps/c?fieldManager=training-operator'],
        ['application/strategic-merge-patch+json', '/api/v1/namespaces/ns/configmaps/c?fieldManager=me'],
        [
          'application/apply-patch+yaml',
          '/api/v1/namespaces/ns/configmaps/c?fieldManager=training-operator&force=true',
        ],
        [
          'application/merge-patch+json',
          '/api/v1/namespaces/ns/configmaps/c/status?fieldManager=training-operator',
        ],
      ],
    );
    assert.equal(client.requests.count('patch', 'configmaps'), 4);
    assert.equal(client.requests.count('patch', 'configmaps/status'), 1);
  });

  test('replace and replaceStatus PUT the object to its path and its status path', async () => {
    route = (req, res) => json(res, 200, JSON.parse(req.body));
    const withVersion = { ...configMap, metadata: { ...configMap.metadata, resourceVersion: '7' } };
    await client.replace(withVersion);
    await client.replaceStatus(withVersion, { dryRun: true });
    assert.deepEqual(
      seen.map((r) => `${r.method} ${r.url}`),
      [
        'PUT /api/v1/namespaces/ns/configmaps/c?fieldManager=training-operator',
        'PUT /api/v1/namespaces/ns/configmaps/c/status?fieldManager=training-operator&dryRun=All',
      ],
    );
    assert.match(seen[1].body, /"resourceVersion":"7"/);
  });

  test('list items get the apiVersion and kind built-in lists leave out; listAll follows continue', async () => {
    route = (req, res) => {
      const url = new URL(req.url, 'http://x');
      const page = url.searchParams.get('continue') ?? '0';
      const next = page === '0' ? '1' : undefined;
      json(res, 200, {
        kind: 'PodList',
        apiVersion: 'v1',
        metadata: { resourceVersion: '100', ...(next ? { continue: next } : {}) },
        items: [{ metadata: { name: `p${page}`, namespace: 'ns' } }],
      });
    };
    const all = await client.listAll(POD, { namespace: 'ns', labelSelector: 'a=b', pageSize: 1 });
    assert.deepEqual(
      all.items.map((p) => [p.apiVersion, p.kind, p.metadata?.name]),
      [
        ['v1', 'Pod', 'p0'],
        ['v1', 'Pod', 'p1'],
      ],
    );
    assert.equal(all.resourceVersion, '100');
    assert.deepEqual(
      seen.map((r) => r.url),
      [
        '/api/v1/namespaces/ns/pods?labelSelector=a%3Db&limit=1',
        '/api/v1/namespaces/ns/pods?labelSelector=a%3Db&limit=1&continue=1',
      ],
    );
  });

  test('listAll lists in one go when a continue token has expired', async () => {
    route = (req, res) => {
      const url = new URL(req.url, 'http://x');
      if (url.searchParams.has('continue')) return json(res, 410, status(410, 'Expired', 'continue too old'));
      const limited = url.searchParams.has('limit');
      json(res, 200, {
        metadata: { resourceVersion: limited ? '5' : '9', ...(limited ? { continue: 'c' } : {}) },
        items: limited
          ? [{ metadata: { name: 'a' } }]
          : [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }],
      });
    };
    const all = await client.listAll(CONFIG_MAP, { pageSize: 1 });
    assert.deepEqual(
      all.items.map((c) => c.metadata?.name),
      ['a', 'b'],
    );
    assert.equal(all.resourceVersion, '9');
  });

  test('a 429 is retried after its Retry-After, a bounded number of times, each attempt counted', async () => {
    let throttle = 2;
    route = (_req, res) =>
      throttle-- > 0
        ? json(res, 429, status(429, 'TooManyRequests', 'slow down'), { 'Retry-After': '0' })
        : json(res, 201, configMap);
    await client.create(configMap);
    assert.equal(client.requests.count('create'), 3);
    throttle = 10;
    await assert.rejects(client.create(configMap), (err) => isTooManyRequests(err));
    assert.equal(client.requests.count('create'), 6, 'first try and maxRetries (2) retries');
    assert.equal(client.requests.writes(), 6);
  });

  test('errors carry the status and a readable message', async () => {
    route = (_req, res) => json(res, 409, status(409, 'AlreadyExists', 'configmaps "c" already exists'));
    await assert.rejects(client.create(configMap), {
      name: 'ApiError',
      code: 409,
      reason: 'AlreadyExists',
      message: '409 AlreadyExists: configmaps "c" already exists',
    });
  });

  test('a 401 is retried once with fresh credentials', async () => {
    let unauthorized = 1;
    route = (_req, res) =>
      unauthorized-- > 0
        ? json(res, 401, status(401, 'Unauthorized', 'Unauthorized'))
        : json(res, 200, configMap);
    assert.deepEqual(await client.get(ref), configMap);
    assert.equal(seen.length, 2);
  });

  describe('watch', () => {
    const line = (type: string, name: string, rv: string) =>
      `${JSON.stringify({ type, object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, resourceVersion: rv } } })}\n`;

    test('streams events split anywhere across chunks, and resolves when the server ends', async () => {
      route = (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const text = line('ADDED', 'a', '1') + line('BOOKMARK', '', '2') + line('DELETED', 'a', '3');
        void (async () => {
          for (let i = 0; i < text.length; i += 17) {
            res.write(text.slice(i, i + 17));
            await delay(1);
          }
          res.end();
        })();
      };
      const events: WatchEvent<KubeObjectLike>[] = [];
      await client.watch(
        CONFIG_MAP,
        { namespace: 'ns', resourceVersion: '0', allowWatchBookmarks: true, timeoutSeconds: 30 },
        (e) => events.push(e),
      );
      assert.deepEqual(
        events.map((e) => `${e.type} ${e.object.metadata?.resourceVersion}`),
        ['ADDED 1', 'BOOKMARK 2', 'DELETED 3'],
      );
      assert.equal(
        seen[0].url,
        '/api/v1/namespaces/ns/configmaps?resourceVersion=0&allowWatchBookmarks=true&timeoutSeconds=30&watch=true',
      );
      assert.equal(client.requests.count('watch'), 1);
    });

    test('an ERROR event rejects with its ApiError (410 Gone)', async () => {
      route = (_req, res) => {
        res.writeHead(200);
        res.write(line('ADDED', 'a', '1'));
        res.write(
          `${JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', 'too old resource version') })}\n`,
        );
      };
      const events: string[] = [];
      await assert.rejects(
        client.watch(CONFIG_MAP, { resourceVersion: '1' }, (e) => events.push(e.type)),
        (err) => isGone(err),
      );
      assert.deepEqual(events, ['ADDED']);
    });

    test('a refused watch rejects with the ApiError', async () => {
      route = (_req, res) =>
        json(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
      await assert.rejects(
        client.watch(CONFIG_MAP, {}, () => {}),
        (err) => isNotFound(err),
      );
    });

    test('aborting ends a running watch with the abort reason', async () => {
      route = (_req, res) => {
        res.writeHead(200);
        res.write(line('ADDED', 'a', '1'));
      };
      const controller = new AbortController();
      const watching = client.watch(CONFIG_MAP, {}, () => controller.abort(), controller.signal);
      await assert.rejects(watching, { name: 'AbortError' });
    });

    test('a connection lost mid-stream rejects', async () => {
      route = (req, res) => {
        res.writeHead(200);
        res.write(line('ADDED', 'a', '1'));
        setTimeout(() => res.socket?.destroy(), 5);
      };
      await assert.rejects(client.watch(CONFIG_MAP, {}, () => {}));
    });
  });
});
