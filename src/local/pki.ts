// Keys and certificates for one cluster, made with openssl: a CA, one admin certificate in system:masters
// that the apiserver also serves with (as kwokctl does), and the service-account signing key pair.
// EC P-256 keys: generating them takes milliseconds where RSA takes up to a second each.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pki {
  caCert: string;
  caKey: string;
  adminCert: string;
  adminKey: string;
  saKey: string;
  saPub: string;
}

const SERVING_NAMES = [
  'DNS:localhost',
  'IP:127.0.0.1',
  'DNS:kubernetes',
  'DNS:kubernetes.default',
  'DNS:kubernetes.default.svc',
  'DNS:kubernetes.default.svc.cluster.local',
].join(',');

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function makePki(dir: string): Pki {
  mkdirSync(dir, { recursive: true });
  const subjectCA = '/CN=training-operator-test-ca';
  openssl(dir, [
    'req',
    '-x509',
    ...EC_KEY,
    '-days',
    '3650',
    '-subj',
    subjectCA,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
  ]);
  openssl(dir, [
    'req',
    ...EC_KEY,
    '-subj',
    '/O=system:masters/CN=test-admin',
    '-keyout',
    'admin.key',
    '-out',
    'admin.csr',
  ]);
  writeFileSync(
    join(dir, 'admin.ext'),
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth,clientAuth',
      `subjectAltName=${SERVING_NAMES}`,
      '',
    ].join('\n'),
  );
  openssl(dir, [
    'x509',
    '-req',
    '-days',
    '3650',
    '-in',
    'admin.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-extfile',
    'admin.ext',
    '-out',
    'admin.crt',
  ]);
  openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', 'sa.key']);
  openssl(dir, ['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);
  const file = (name: string) => join(dir, name);
  return {
    caCert: file('ca.crt'),
    caKey: file('ca.key'),
    adminCert: file('admin.crt'),
    adminKey: file('admin.key'),
    saKey: file('sa.key'),
    saPub: file('sa.pub'),
  };
}
