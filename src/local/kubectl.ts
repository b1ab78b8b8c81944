import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Runs the cached kubectl against a kubeconfig; throws with kubectl's stderr when it fails. */
export async function kubectl(
  binDir: string,
  kubeconfig: string,
  args: string[],
  input?: string,
): Promise<string> {
  const child = execFileAsync(join(binDir, 'kubectl'), ['--kubeconfig', kubeconfig, ...args], {
    maxBuffer: 64 * 1024 * 1024,
  });
  child.child.stdin?.end(input);
  try {
    return (await child).stdout;
  } catch (err) {
    const { stderr } = err as { stderr?: string };
    throw new Error(`kubectl ${args.join(' ')} failed: ${stderr?.trim() || String(err)}`, { cause: err });
  }
}
