// The binary cache as `training-operator local up` sees it before it builds anything: the build script's
// --check looks without building, so that a cold start can say what it costs first.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cachedBinaries, repoRoot } from '../cluster/control-plane.ts';

const script = join(repoRoot, 'src/local/build-binaries.sh');

test('build-binaries.sh --check exits 3 for a layer that is not built, and builds nothing', () => {
  const root = join(mkdtempSync(join(tmpdir(), 'training-operator-cache-')), 'k8s-bins');
  try {
    const check = spawnSync('bash', [script, '--check', 'coscheduler'], {
      encoding: 'utf8',
      env: { ...process.env, TRAINING_OPERATOR_BIN_CACHE: root },
    });
    assert.equal(check.status, 3, check.stderr);
    assert.equal(check.stdout, '');
    assert.equal(existsSync(root), false, 'nothing was created');
  } finally {
    rmSync(join(root, '..'), { recursive: true, force: true });
  }
});

test('cachedBinaries finds the layers the test cluster runs on', async () => {
  const dir = await cachedBinaries('base');
  assert.ok(dir && existsSync(join(dir, 'kube-apiserver')), `base layer: ${dir}`);
  assert.ok(existsSync(join((await cachedBinaries('coscheduler'))!, 'kube-scheduler-plugins')));
});
