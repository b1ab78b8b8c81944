import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { loadKubeConfig } from '../../src/kube/config.ts';

function kubeconfig(server: string, name = 'c', currentContext: string | undefined = name): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server } }],
    users: [{ name, user: { token: 't' } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    ...(currentContext ? { 'current-context': currentContext } : {}),
  });
}

describe('loadKubeConfig', () => {
  let dir: string;
  let home: string;
  const saved = { KUBECONFIG: process.env.KUBECONFIG, HOST: process.env.KUBERNETES_SERVICE_HOST };
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const server = (kc: ReturnType<typeof loadKubeConfig>) => kc.getCurrentCluster()?.server;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kube-config-test-'));
    home = join(dir, 'home');
    mkdirSync(home);
    delete process.env.KUBECONFIG;
    delete process.env.KUBERNETES_SERVICE_HOST;
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    for (const [name, value] of [
      ['KUBECONFIG', saved.KUBECONFIG],
      ['KUBERNETES_SERVICE_HOST', saved.HOST],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  test('the --kubeconfig flag wins over $KUBECONFIG; a missing flag file is an error', () => {
    process.env.KUBECONFIG = write('env', kubeconfig('https://env:6443'));
    const flag = write('flag', kubeconfig('https://flag:6443'));
    assert.equal(server(loadKubeConfig({ kubeconfig: flag }, { homeDir: home })), 'https://flag:6443');
    assert.throws(
      () => loadKubeConfig({ kubeconfig: join(dir, 'nope') }),
      /--kubeconfig .*nope: no such file/,
    );
  });

  test('$KUBECONFIG files merge as in kubectl: first definition and first current-context win', () => {
    const a = write('a', kubeconfig('https://a:6443', 'shared', undefined));
    const b = write('b', kubeconfig('https://b:6443', 'shared'));
    process.env.KUBECONFIG = [join(dir, 'missing'), a, b].join(':');
    const kc = loadKubeConfig({}, { homeDir: home });
    assert.equal(kc.currentContext, 'shared');
    assert.equal(server(kc), 'https://a:6443');
  });

  test('in-cluster when the service-account token exists, before ~/.kube/config', () => {
    const saDir = join(dir, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(saDir, { recursive: true });
    writeFileSync(join(saDir, 'token'), 'token');
    writeFileSync(join(saDir, 'ca.crt'), '');
    mkdirSync(join(home, '.kube'));
    writeFileSync(join(home, '.kube/config'), kubeconfig('https://home:6443'));
    process.env.KUBERNETES_SERVICE_HOST = '10.0.0.1';
    process.env.KUBERNETES_SERVICE_PORT = '443';
    const kc = loadKubeConfig({}, { homeDir: home, inClusterRoot: dir });
    assert.equal(server(kc), 'https://10.0.0.1:443');
    delete process.env.KUBERNETES_SERVICE_HOST;
    assert.equal(server(loadKubeConfig({}, { homeDir: home, inClusterRoot: dir })), 'https://home:6443');
  });

  test('nothing found: the error names every place tried', () => {
    process.env.KUBECONFIG = join(dir, 'missing');
    assert.throws(
      () => loadKubeConfig({}, { homeDir: home, inClusterRoot: dir }),
      (err: Error) =>
        err.message.includes('$KUBECONFIG') &&
        err.message.includes('in-cluster') &&
        err.message.includes(join(home, '.kube', 'config')),
    );
  });

  test('a kubeconfig whose current context names no cluster is refused', () => {
    const file = write('bad', kubeconfig('https://x:6443', 'c', 'other'));
    assert.throws(() => loadKubeConfig({ kubeconfig: file }), /current context "other" names no cluster/);
  });
});
