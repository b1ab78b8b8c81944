import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type https from 'node:https';
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

  describe('credentials', () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    /** A kubeconfig file of one cluster and one user; returns what the connection would be given. */
    const apply = async (cluster: object, user: object, file = 'config') => {
      const path = write(
        file,
        JSON.stringify({
          clusters: [{ name: 'c', cluster: { server: 'https://api:6443', ...cluster } }],
          users: [{ name: 'u', user }],
          contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
          'current-context': 'ctx',
        }),
      );
      const kc = loadKubeConfig({ kubeconfig: path });
      const options: https.RequestOptions = {};
      await kc.applyToHTTPSOptions(options);
      return { kc, options, headers: options.headers as Record<string, string> };
    };

    test('TLS: CA and client certificate from -data or from files relative to the kubeconfig', async () => {
      mkdirSync(join(dir, 'pki'));
      writeFileSync(join(dir, 'pki/client.crt'), 'CERT FILE');
      const { options } = await apply(
        { 'certificate-authority-data': b64('CA DATA'), 'tls-server-name': 'kubernetes' },
        { 'client-certificate': 'pki/client.crt', 'client-key-data': b64('KEY DATA') },
      );
      assert.equal(options.ca, 'CA DATA');
      assert.equal(options.cert, 'CERT FILE');
      assert.equal(options.key, 'KEY DATA');
      assert.equal(options.servername, 'kubernetes');
      assert.equal(options.rejectUnauthorized, undefined);
      const insecure = await apply({ 'insecure-skip-tls-verify': true }, {});
      assert.equal(insecure.options.rejectUnauthorized, false);
    });

    test('a token, a token file read again on each call, or basic auth', async () => {
      assert.equal((await apply({}, { token: 'abc' })).headers.Authorization, 'Bearer abc');
      writeFileSync(join(dir, 'token'), 'first\n');
      const { kc, headers } = await apply({}, { tokenFile: 'token' });
      assert.equal(headers.Authorization, 'Bearer first');
      writeFileSync(join(dir, 'token'), 'rotated\n');
      const again: https.RequestOptions = {};
      await kc.applyToHTTPSOptions(again);
      assert.equal((again.headers as Record<string, string>).Authorization, 'Bearer rotated');
      const basic = await apply({}, { username: 'admin', password: 'secret' });
      assert.equal(basic.headers.Authorization, `Basic ${b64('admin:secret')}`);
    });

    test('an exec plugin: run with its env and KUBERNETES_EXEC_INFO, its credential kept until it expires', async () => {
      // The plugin counts its runs in a file and expires its token after `EXPIRES_IN` seconds.
      mkdirSync(join(dir, 'plugins'));
      const plugin = join(dir, 'plugins/credential');
      writeFileSync(
        plugin,
        `#!${process.execPath}
const fs = require('node:fs');
const runs = Number(fs.existsSync(process.env.RUNS) ? fs.readFileSync(process.env.RUNS, 'utf8') : 0) + 1;
fs.writeFileSync(process.env.RUNS, String(runs));
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
const expires = new Date(Date.now() + Number(process.env.EXPIRES_IN) * 1000).toISOString();
console.log(JSON.stringify({
  apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential',
  status: { token: 'run' + runs + '-' + info.spec.interactive + '-' + info.spec.cluster.server, expirationTimestamp: expires },
}));
`,
      );
      chmodSync(plugin, 0o755);
      const runs = join(dir, 'runs');
      const exec = (expiresIn: number) => ({
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: './plugins/credential',
          env: [
            { name: 'RUNS', value: runs },
            { name: 'EXPIRES_IN', value: String(expiresIn) },
          ],
          provideClusterInfo: true,
          interactiveMode: 'Never',
        },
      });
      const lasting = await apply({}, exec(3600));
      assert.equal(lasting.headers.Authorization, 'Bearer run1-false-https://api:6443');
      await lasting.kc.applyToHTTPSOptions({});
      assert.equal(readFileSync(runs, 'utf8'), '1', 'a valid credential is reused');

      const expiring = await apply({}, exec(1));
      assert.equal(expiring.headers.Authorization, 'Bearer run2-false-https://api:6443');
      const renewed: https.RequestOptions = {};
      await expiring.kc.applyToHTTPSOptions(renewed);
      assert.equal(
        (renewed.headers as Record<string, string>).Authorization,
        'Bearer run3-false-https://api:6443',
      );
    });

    test('an exec plugin that fails or prints no credential is an error naming the user and the plugin', async () => {
      const failing = {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: process.execPath,
          args: ['-e', 'console.error("not logged in"); process.exit(3)'],
        },
      };
      await assert.rejects(apply({}, failing), /user "u": exec plugin .*exited with code 3: not logged in/);
      const silent = { exec: { ...failing.exec, args: ['-e', 'console.log("{}")'] } };
      await assert.rejects(apply({}, silent), /user "u": exec plugin .*did not print an ExecCredential/);
    });

    test('what the operator does not support is refused by name', async () => {
      await assert.rejects(
        apply({}, { 'auth-provider': { name: 'gcp' } }),
        /user "u": auth-provider is not supported/,
      );
      await assert.rejects(
        apply({ 'proxy-url': 'http://proxy:3128' }, {}),
        /cluster "c": proxy-url is not supported/,
      );
      await assert.rejects(apply({}, { exec: { command: 'x' } }), /user "u": exec.apiVersion: must be/);
      await assert.rejects(apply({ server: 42 }, {}), /cluster "c": server: must be a string/);
    });

    test('in-cluster over IPv6: a bracketed address, the mounted CA and the token file', async () => {
      const saDir = join(dir, 'var/run/secrets/kubernetes.io/serviceaccount');
      mkdirSync(saDir, { recursive: true });
      writeFileSync(join(saDir, 'token'), 'sa-token');
      writeFileSync(join(saDir, 'ca.crt'), 'SA CA');
      process.env.KUBERNETES_SERVICE_HOST = 'fd00::1';
      process.env.KUBERNETES_SERVICE_PORT = '443';
      const kc = loadKubeConfig({}, { homeDir: home, inClusterRoot: dir });
      assert.equal(server(kc), 'https://[fd00::1]:443');
      const options: https.RequestOptions = {};
      await kc.applyToHTTPSOptions(options);
      assert.equal(options.ca, 'SA CA');
      assert.equal((options.headers as Record<string, string>).Authorization, 'Bearer sa-token');
    });
  });
});
