// The command line as a user runs it (the bin, in a child process) against the test cluster.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import * as harness from './harness.ts';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'training-operator.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the command line with the test cluster's kubeconfig in namespace `ns` (KUBECONFIG points nowhere, so
 * only the flag can have found the cluster); resolves when it exits, stdout() is its output so far.
 */
export function cli(ns: string, args: string[]): Promise<CliResult> & { stdout: () => string } {
  const child = spawn(
    process.execPath,
    [bin, ...args, '--kubeconfig', harness.cluster().kubeconfigPath, '-n', ns],
    {
      cwd: root,
      env: { ...process.env, KUBECONFIG: '/nonexistent' },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return Object.assign(done, { stdout: () => stdout });
}
