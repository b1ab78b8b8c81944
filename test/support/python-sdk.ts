// Kubeflow's Python SDK for the tests that check this operator against it: a virtualenv with the pinned
// kubeflow-training installed by pip, made once and cached under ~/.cache/training-operator/ (one
// directory per version), so that CI runs the SDK test instead of skipping it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const SDK_VERSION = '1.9.4';
const SDK_PACKAGE = `kubeflow-training==${SDK_VERSION}`;
const VENV = join(homedir(), '.cache', 'training-operator', `python-kubeflow-training-${SDK_VERSION}`);
/** Written last: a venv without it is a half-made one (an interrupted install) and is made again. */
const COMPLETE = join(VENV, '.installed');

function run(command: string, args: string[], timeout: number) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-5).join('\n');
  return { ok: !result.error && result.status === 0, why: result.error?.message ?? output };
}

/**
 * A python interpreter that imports kubeflow.training: `$PYTHON` if set, else the cached venv's (made
 * now if need be, which takes about 10 s). `skip` says why there is none: no python3, no venv module, or
 * pip could not install the package.
 */
export function pythonWithSdk(): { python: string } | { skip: string } {
  if (process.env.PYTHON) {
    const probe = run(process.env.PYTHON, ['-c', 'import kubeflow.training'], 30_000);
    return probe.ok
      ? { python: process.env.PYTHON }
      : { skip: `$PYTHON (${process.env.PYTHON}) cannot import kubeflow.training: ${probe.why}` };
  }
  const python = join(VENV, 'bin', 'python');
  if (existsSync(COMPLETE)) return { python };
  rmSync(VENV, { recursive: true, force: true });
  mkdirSync(join(VENV, '..'), { recursive: true });
  const venv = run('python3', ['-m', 'venv', VENV], 120_000);
  if (!venv.ok) return { skip: `python3 -m venv is not available: ${venv.why}` };
  const pip = run(
    python,
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', SDK_PACKAGE],
    600_000,
  );
  if (!pip.ok) return { skip: `pip install ${SDK_PACKAGE} into ${VENV} failed: ${pip.why}` };
  const probe = run(python, ['-c', 'import kubeflow.training'], 60_000);
  if (!probe.ok) return { skip: `${SDK_PACKAGE} installed, but does not import: ${probe.why}` };
  writeFileSync(COMPLETE, `${SDK_PACKAGE}\n`);
  return { python };
}
