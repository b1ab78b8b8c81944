// The command line as shipped (bin/training-operator.js, which runs the compiled dist/), run to completion.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'training-operator.js');

/** Runs it in the repository root with `input` on stdin; KUBECONFIG points nowhere, so no cluster is reached. */
export function runBin(
  args: string[],
  input?: string,
): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, KUBECONFIG: '/nonexistent' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
