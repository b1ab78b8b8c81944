// Our kubeconfig reader against a real kube-apiserver: an exec plugin's token authenticates as the
// ServiceAccount it was issued for. (Client certificates are what every other integration test uses.)
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { KubeClient } from '../../src/kube/client.ts';
import { loadKubeConfig } from '../../src/kube/config.ts';
import { ApiError } from '../../src/kube/errors.ts';
import * as harness from './harness.ts';

const scratch = mkdtempSync(join(tmpdir(), 'kube-config-it-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('loadKubeConfig on a real API server', () => {
  test('an exec plugin: its token is sent, and the server knows whose it is', async () => {
    const namespace = await harness.namespace('kubeconfig');
    await harness.kubectl(['create', 'serviceaccount', 'plugin-user', '-n', namespace]);
    const token = (
      await harness.kubectl(['create', 'token', 'plugin-user', '-n', namespace, '--duration=1h'])
    ).trim();
    const plugin = join(scratch, 'credential-plugin');
    const credential = {
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      status: { token },
    };
    writeFileSync(
      plugin,
      `#!${process.execPath}\nconsole.log(${JSON.stringify(JSON.stringify(credential))});\n`,
    );
    chmodSync(plugin, 0o755);
    const cluster = harness.cluster().kubeConfig.getCurrentCluster()!;
    const file = join(scratch, 'kubeconfig');
    writeFileSync(
      file,
      JSON.stringify({
        clusters: [
          { name: 'test', cluster: { server: cluster.server, 'certificate-authority-data': cluster.caData } },
        ],
        users: [{ name: 'sa', user: { exec: { apiVersion: credential.apiVersion, command: plugin } } }],
        contexts: [{ name: 'test', context: { cluster: 'test', user: 'sa' } }],
        'current-context': 'test',
      }),
    );

    const client = await KubeClient.create(loadKubeConfig({ kubeconfig: file }), { qps: 0 });
    try {
      // The ServiceAccount may not read namespaces: a 403 that names it, not a 401, proves the token.
      const error = await client.get({ apiVersion: 'v1', kind: 'Namespace', name: namespace }).then(
        () => undefined,
        (err: unknown) => err,
      );
      assert.ok(error instanceof ApiError, String(error));
      assert.equal(error.code, 403, error.message);
      assert.match(error.message, new RegExp(`system:serviceaccount:${namespace}:plugin-user`));
    } finally {
      client.close();
    }
  });
});
