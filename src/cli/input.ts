// Reading the jobs named on the command line: files, or `-` for standard input.
import { readFileSync } from 'node:fs';
import { type FieldError, InputError } from '../api/errors.ts';
import { type ParsedJob, parseJobDocuments } from '../api/parse.ts';
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

export function readJobs(files: string[]): ParsedJob[] {
  return files.flatMap((file) => parseJobDocuments(readSource(file), file === '-' ? 'standard input' : file));
}

/** Jobs without a namespace land in the one kubectl would use; TF_CONFIG and RBAC subjects need it. */
export function inNamespace(job: Job, namespace: string): Job {
  return job.metadata.namespace ? job : { ...job, metadata: { ...job.metadata, namespace } };
}

export function jobRef(job: Job): string {
  return `${job.kind}/${job.metadata.name}`;
}

/** `<path>: `, or nothing for an error about the whole request (its size, strict decoding). */
export const fieldPrefix = (path: string) => (path ? `${path}: ` : '');

/** `<Kind>/<name>: <path>: <message>`; errors without a path have no path part. */
export function errorLine(job: Job, error: FieldError): string {
  return `${jobRef(job)}: ${fieldPrefix(error.path)}${error.message}`;
}
