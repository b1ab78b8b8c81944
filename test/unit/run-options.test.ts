import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { envName, RUN_OPTIONS, withEnvTwins } from '../../src/cli/run-options.ts';
import { parseBindAddress, parseNamespaces, parseSchemes } from '../../src/manager/options.ts';

describe('run flags and their environment twins', () => {
  test('names: --kube-api-qps is TRAINING_OPERATOR_KUBE_API_QPS', () => {
    assert.equal(envName('kube-api-qps'), 'TRAINING_OPERATOR_KUBE_API_QPS');
  });

  test('set variables become typed defaults; unrelated ones are ignored', () => {
    const options = withEnvTwins(RUN_OPTIONS, 'TRAINING_OPERATOR', {
      TRAINING_OPERATOR_KUBE_API_QPS: '50',
      TRAINING_OPERATOR_LEADER_ELECT: 'true',
      TRAINING_OPERATOR_NAMESPACE: 'a,b',
      TRAINING_OPERATOR_TEST_CLUSTER: '/tmp/state',
    });
    assert.equal(options['kube-api-qps'].default, 50);
    assert.equal(options['leader-elect'].default, true);
    assert.deepEqual(options.namespace.default, ['a', 'b']);
    assert.equal(options['log-level'].default, 'info');
    assert.equal('test-cluster' in options, false);
  });

  test('every flag has help text', () => {
    for (const [flag, option] of Object.entries(RUN_OPTIONS)) assert.ok(option.describe, flag);
  });
});

describe('parsing manager settings', () => {
  test('--enable-scheme is case-insensitive; unknown schemes are refused like the reference', () => {
    assert.deepEqual(parseSchemes(['pytorchjob', 'MPIJob,tfjob']), ['PyTorchJob', 'MPIJob', 'TFJob']);
    assert.equal(parseSchemes([]).length, 6);
    assert.throws(() => parseSchemes(['DummyJob']), /scheme dummyjob is not supported yet/);
  });

  test('namespaces and bind addresses', () => {
    assert.deepEqual(parseNamespaces(['a,b', 'a']), ['a', 'b']);
    assert.deepEqual(parseBindAddress('m', ':8080'), { host: undefined, port: 8080 });
    assert.deepEqual(parseBindAddress('m', '127.0.0.1:9'), { host: '127.0.0.1', port: 9 });
    assert.equal(parseBindAddress('m', '0'), undefined);
    assert.throws(
      () => parseBindAddress('metrics-bind-address', 'nope'),
      /--metrics-bind-address: expected host:port/,
    );
  });
});
