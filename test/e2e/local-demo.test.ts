// The README's main command, `npx training-operator local demo`, end to end as a user runs it (the bin,
// from dist/), in a state directory of its own instead of the checkout's .local/: it starts a local
// cluster beside the e2e phase's own, runs examples/pytorchjob.yaml to Succeeded with every rank's log,
// and leaves the cluster running for `local status`, a second `local up`, kubectl and the Python SDK,
// until `local down`.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from '../cluster/control-plane.ts';
import { kubectl } from '../cluster/kubectl.ts';
import { pythonWithSdk } from '../support/python-sdk.ts';

const bin = join(repoRoot, 'bin', 'training-operator.js');
const dir = mkdtempSync(join(tmpdir(), 'training-operator-local-'));
const RANKS = ['pytorch-mnist-master-0', 'pytorch-mnist-worker-0', 'pytorch-mnist-worker-1'];

async function cli(
  args: string[],
  timeout = 240_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [bin, 'local', ...args, '--dir', dir],
      {
        timeout,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const { code, stdout, stderr } = err as { code?: number; stdout: string; stderr: string };
    return { code: typeof code === 'number' ? code : -1, stdout, stderr };
  }
}

/** The Python SDK's get_job_logs, from the cached venv with kubeflow-training; else why there is none. */
function sdkJobLogs(kubeconfig: string): { skip: string } | { logs: Record<string, string> } {
  const script = [
    'import json, sys',
    'from kubeflow.training import TrainingClient',
    "client = TrainingClient(config_file=sys.argv[1], namespace='default', job_kind='PyTorchJob')",
    "logs, _ = client.get_job_logs('pytorch-mnist', is_master=False)",
    'print(json.dumps(logs))',
  ].join('\n');
  const sdk = pythonWithSdk();
  if ('skip' in sdk) return sdk;
  const run = spawnSync(sdk.python, ['-c', script, kubeconfig], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  return { logs: JSON.parse(run.stdout) as Record<string, string> };
}

describe('training-operator local demo (the README main command)', () => {
  after(async () => {
    await cli(['down']);
    rmSync(dir, { recursive: true, force: true });
  });

  test('brings up the local cluster and runs the example PyTorchJob to Succeeded, with every rank’s log', async () => {
    const { code, stdout, stderr } = await cli(['demo']);
    assert.equal(code, 0, `${stdout}\n${stderr}`);
    assert.match(stdout, /cluster is up in [\d.]+s/);
    assert.match(stdout, /submitting examples\/pytorchjob\.yaml: PyTorchJob default\/pytorch-mnist/);
    // The progress as `wait` prints it off a terminal, stamped with the time since submit.
    assert.match(stdout, /^\[ *[\d.]+s\] PyTorchJob\/pytorch-mnist: Running$/m);
    assert.match(stdout, /^\[ *[\d.]+s\] {3}Worker: 2\/2 running, 0 succeeded, 0 failed$/m);
    assert.match(stdout, /^\[ *[\d.]+s\] PyTorchJob\/pytorch-mnist: Succeeded$/m);
    assert.match(stdout, /^\[ *[\d.]+s\] {3}Master: 0\/1 running, 1 succeeded, 0 failed$/m);
    // Every rank's log as `logs --all` prints it.
    for (const pod of RANKS) {
      assert.match(stdout, new RegExp(`^\\[pod/${pod}/pytorch\\] .*epoch 8/8`, 'm'), pod);
      assert.match(stdout, new RegExp(`^\\[pod/${pod}/pytorch\\] .*training complete`, 'm'), pod);
    }
    assert.match(stdout, /PyTorchJob pytorch-mnist succeeded\./);
    for (const next of [
      'get',
      'describe pytorch-mnist',
      'logs pytorch-mnist',
      'delete pytorch-mnist',
      'local down',
    ])
      assert.ok(stdout.includes(`npx training-operator ${next}`), next);
  });

  test('local status lists every component running; local up finds the cluster and starts nothing', async () => {
    const status = await cli(['status']);
    assert.equal(status.code, 0, status.stdout);
    assert.match(status.stdout, /^mode: +local$/m);
    for (const name of ['etcd', 'kube-apiserver', 'kwok', 'container-logs', 'training-operator'])
      assert.match(status.stdout, new RegExp(`^ +${name} +pid \\d+ .*running$`, 'm'), name);
    const again = await cli(['up'], 60_000);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already running/);
  });

  test('kubectl logs and the Python SDK’s get_job_logs return every rank’s log', async (t) => {
    const kubeconfig = join(dir, 'kubeconfig');
    const binDir = join(dir, 'bin');
    for (const pod of RANKS) {
      const log = await kubectl(binDir, kubeconfig, ['logs', pod, '-c', 'pytorch']);
      assert.match(log, /^\[simulated\] container pytorch of pod/m);
      assert.match(log, /MASTER_ADDR=pytorch-mnist-master-0/);
      assert.match(log, /training complete\n$/);
    }
    const sdk = sdkJobLogs(kubeconfig);
    if ('skip' in sdk) return t.skip(sdk.skip);
    assert.deepEqual(Object.keys(sdk.logs).sort(), RANKS);
    for (const pod of RANKS) assert.match(sdk.logs[pod], /training complete/);
  });

  test('local down stops it; local status then says there is none (exit 1)', async () => {
    const down = await cli(['down']);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /^stopped .*training-operator.*kube-apiserver.*etcd/);
    const status = await cli(['status']);
    assert.equal(status.code, 1);
    assert.match(status.stdout, /no cluster in .*; start one with `npx training-operator local up`/);
  });
});
