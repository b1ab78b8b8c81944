// Reading the jobs named on the command line: files, or `-` for standard input.
import { readFileSync } from 'node:fs';
import { InputError } from '../api/errors.ts';
import { parseJobs } from '../api/parse.ts';
import type { Job } from '../api/types.ts';

function readSource(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new InputError(`${file === '-' ? 'standard input' : file}: ${reason}`);
  }
}

export function readJobs(files: string[]): Job[] {
  return files.flatMap((file) => parseJobs(readSource(file), file === '-' ? 'standard input' : file));
}

/** Jobs without a namespace land in the one kubectl would use; TF_CONFIG and RBAC subjects need it. */
export function inNamespace(job: Job, namespace: string): Job {
  return job.metadata.namespace ? job : { ...job, metadata: { ...job.metadata, namespace } };
}

export function jobRef(job: Job): string {
  return `${job.kind}/${job.metadata.name}`;
}
