// Turning YAML text into jobs, with a clear message for everything that is not a kubeflow.org/v1 job.
import { Composer, type CST, type Document, isMap, isScalar, isSeq, LineCounter, Parser } from 'yaml';
import { InputError } from './errors.ts';
import { KUBECTL_SCALAR_TAGS } from './kubectl-scalars.ts';
import { API_VERSION, GROUP, KIND_NAMES, isKindName } from './kinds.ts';
import type { Job } from './types.ts';

/**
 * How deeply collections may nest. A job is about 20 levels deep; the API server's JSON decoder allows
 * 10,000, but the YAML reader builds documents recursively and would run out of stack long before.
 */
export const MAX_NESTING_DEPTH = 500;

/** Alias expansions one document may have (the `yaml` package's default): more is a "billion laughs" attack. */
export const MAX_ALIAS_COUNT = 100;

/** One job as read, and the keys repeated in a mapping (the last one counts, as in the API server's decoder). */
export interface ParsedJob {
  job: Job;
  /** Paths of repeated keys, spelled like the API server's strict decoding errors: `spec.a`, `e[0].g`. */
  duplicateFields: string[];
}

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
  const named = (field: unknown) => typeof field === 'string' && field !== '';
  if (!named(job.metadata?.name) && !named(job.metadata?.generateName)) {
    throw new InputError(`${where}: ${kind} has neither metadata.name nor metadata.generateName`);
  }
  return job;
}

type Token = CST.Token | null | undefined;

/** Collections a CST token holds, as the items' keys and values. */
function childTokens(token: Token): Token[] {
  if (!token) return [];
  switch (token.type) {
    case 'document':
      return [token.value];
    case 'block-map':
    case 'block-seq':
    case 'flow-collection':
      return token.items.flatMap((item) => ['key' in item ? item.key : undefined, item.value]);
    default:
      return [];
  }
}

/**
 * The first place where collections nest deeper than MAX_NESTING_DEPTH, found on the parser's tokens
 * (the parser is not recursive, composing a document is) with an explicit stack.
 */
function tooDeepAt(document: CST.Document): number | undefined {
  const stack: { token: Token; depth: number }[] = [{ token: document, depth: 0 }];
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const { token, depth } = entry;
    if (!token) continue;
    const nested =
      token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection';
    const level = nested ? depth + 1 : depth;
    if (level > MAX_NESTING_DEPTH) return token.offset;
    for (const child of childTokens(token)) stack.push({ token: child, depth: level });
  }
  return undefined;
}

/** The parser's tokens, each document refused if it nests too deeply, before the composer recurses into it. */
function* checkedTokens(text: string, source: string, lines: LineCounter): Generator<CST.Token> {
  let index = 0;
  for (const token of new Parser(lines.addNewLine).parse(text)) {
    if (token.type === 'document') {
      const offset = tooDeepAt(token);
      if (offset !== undefined) {
        throw new InputError(
          `${source}: nested more than ${MAX_NESTING_DEPTH} levels deep at line ${lines.linePos(offset).line} ` +
            `(document ${index + 1}); training-operator reads at most ${MAX_NESTING_DEPTH} levels of mappings and lists`,
        );
      }
      index++;
    }
    yield token;
  }
}

/**
 * Documents as kubectl reads them (its plain scalars and merge keys, repeated keys allowed), deep nesting
 * refused.
 */
function readDocuments(text: string, source: string): { documents: Document.Parsed[]; lines: LineCounter } {
  const lines = new LineCounter();
  const composer = new Composer({
    schema: 'failsafe',
    customTags: KUBECTL_SCALAR_TAGS,
    merge: true,
    uniqueKeys: false,
  });
  return { documents: Array.from(composer.compose(checkedTokens(text, source, lines))), lines };
}

/** The keys of one mapping node that occur more than once, and the paths of all of its nested ones. */
function duplicatesIn(node: unknown, path: string, found: string[]): void {
  if (isMap(node)) {
    const seen = new Set<string>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const at = path ? `${path}.${key}` : key;
      if (seen.has(key)) found.push(at);
      seen.add(key);
      duplicatesIn(pair.value, at, found);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => duplicatesIn(item, `${path}[${index}]`, found));
  }
}

function toValue(document: Document.Parsed, where: string): unknown {
  try {
    return document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      throw new InputError(
        `${where}: YAML aliases expand to more than ${MAX_ALIAS_COUNT} copies (an "alias bomb"); refused`,
      );
    }
    if (error instanceof RangeError) {
      throw new InputError(
        `${where}: YAML aliases nest more than ${MAX_NESTING_DEPTH} levels deep; training-operator reads at most ${MAX_NESTING_DEPTH}`,
      );
    }
    throw new InputError(`${where}: ${(error as Error).message}`);
  }
}

/**
 * Every document of a YAML (or JSON) stream as a job, with its repeated keys; empty documents are
 * skipped, anything else is an error.
 */
export function parseJobDocuments(text: string, source: string): ParsedJob[] {
  const { documents, lines } = readDocuments(text, source);
  const parsed: { value: unknown; duplicateFields: string[]; where: string }[] = [];
  documents.forEach((document, index) => {
    const where = describe(source, index, documents.length);
    const [error] = document.errors;
    if (error) {
      const { line, col } = lines.linePos(error.pos[0]);
      throw new InputError(
        `${where}: malformed YAML at line ${line}, column ${col}: ${error.message.split('\n')[0]}`,
      );
    }
    const duplicateFields: string[] = [];
    duplicatesIn(document.contents, '', duplicateFields);
    parsed.push({ value: toValue(document, where), duplicateFields, where });
  });
  const present = parsed.filter(({ value }) => value !== null && value !== undefined);
  if (present.length === 0) throw new InputError(`${source}: no job found (the input is empty)`);
  return present.map(({ value, duplicateFields, where }) => ({ job: asJob(value, where), duplicateFields }));
}

/** Every document of a YAML (or JSON) stream as a job. */
export function parseJobs(text: string, source: string): Job[] {
  return parseJobDocuments(text, source).map(({ job }) => job);
}
