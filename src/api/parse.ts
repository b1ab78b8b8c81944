// Turning YAML text into jobs, with a clear message for everything that is not a kubeflow.org/v1 job.
import { parseAllDocuments } from 'yaml';
import { InputError } from './errors.ts';
import { API_VERSION, GROUP, KIND_NAMES, isKindName } from './kinds.ts';
import type { Job } from './types.ts';

function describe(source: string, index: number, count: number): string {
  return count > 1 ? `${source} (document ${index + 1})` : source;
}

function asJob(value: unknown, where: string): Job {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(
      `${where}: expected a Kubernetes object (a YAML mapping), got ${Array.isArray(value) ? 'a list' : typeof value}`,
    );
  }
  const { apiVersion, kind } = value as Record<string, unknown>;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    throw new InputError(`${where}: apiVersion and kind are required`);
  }
  if (apiVersion.startsWith(`${GROUP}/`) && apiVersion !== API_VERSION) {
    throw new InputError(
      `${where}: ${kind} has apiVersion ${apiVersion}; only ${API_VERSION} is served (convert the job to ${API_VERSION})`,
    );
  }
  if (apiVersion !== API_VERSION || !isKindName(kind)) {
    throw new InputError(
      `${where}: ${apiVersion} ${kind} is not a training job; expected ${API_VERSION} ${KIND_NAMES.join(', ')}`,
    );
  }
  const job = value as Job;
  if (typeof job.metadata?.name !== 'string' || job.metadata.name === '') {
    throw new InputError(`${where}: ${kind} has no metadata.name`);
  }
  return job;
}

/** Every document of a YAML (or JSON) stream as a job; empty documents are skipped, anything else is an error. */
export function parseJobs(text: string, source: string): Job[] {
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents)) throw new InputError(`${source}: not a YAML document stream`);
  const values: unknown[] = [];
  documents.forEach((document, index) => {
    const [error] = document.errors;
    if (error) {
      const line = error.linePos?.[0];
      const at = line ? ` at line ${line.line}, column ${line.col}` : '';
      throw new InputError(
        `${describe(source, index, documents.length)}: malformed YAML${at}: ${error.message.split('\n')[0]}`,
      );
    }
    values.push(document.toJS());
  });
  const present = values.map((value, index) => ({ value, index })).filter(({ value }) => value !== null);
  if (present.length === 0) throw new InputError(`${source}: no job found (the input is empty)`);
  return present.map(({ value, index }) => asJob(value, describe(source, index, documents.length)));
}
