// Offline admission: the checks the API server makes when a job is created (or, given `old`, updated)
// with our CRDs, in its order and with its field paths and messages:
//   decode: prune unknown fields (ObjectMeta's and the schema's), drop disallowed nulls, apply defaults;
//   create: drop status (subresource), generate the name from metadata.generateName;
//   validate: the request size; apiVersion/kind; metadata.name, labels and annotations; the OpenAPI
//   schema (ajv); the scale subresource's replica count; list-type set/map uniqueness; then, unless an
//   earlier error blocks them, the CRD's CEL rules.
// The decoded object is returned too: what the API server stores, and what the operator then reads.
// The rules are read from the CRD (crds/), never restated here.
import type { ValidateFunction } from 'ajv';
import { crdFor } from './crds.ts';
import type { FieldError } from './errors.ts';
import { API_VERSION, type KindName } from './kinds.ts';
import { celErrors } from './schema/cel.ts';
import { type ErrorType, fieldError, type TypedError } from './schema/errors.ts';
import { listTypeErrors } from './schema/listtypes.ts';
import { nameErrors, scaleErrors, typeMetaErrors } from './schema/meta.ts';
import { isObject, type SchemaNode } from './schema/node.ts';
import { newReport, normalize, type Report } from './schema/normalize.ts';
import { labelAndAnnotationErrors } from './schema/objectmeta.ts';
import { MAX_REQUEST_BODY_BYTES, requestBodyBytes, requestTooLarge } from './schema/request.ts';
import { compileStructural, structuralErrors } from './schema/structural.ts';

/**
 * The API server's `fieldValidation` request parameter: what happens to unknown fields (pruned in any
 * case) and to keys repeated in the request body. Its default is Warn; kubectl sends Strict.
 */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface SchemaOptions {
  /** Warn if not given, as the API server's default. */
  fieldValidation?: FieldValidation;
  /** Paths of keys repeated in the request body (the last one counts), from the parser. */
  duplicateFields?: string[];
}

export interface SchemaValidation {
  /**
   * Field errors; with Strict field validation, the strict decoding errors first, with an empty path
   * (the API server stops there; these are listed together with the rest).
   */
  errors: FieldError[];
  warnings: string[];
  /** What the API server stores, unless there are errors; absent when apiVersion or kind is wrong. */
  stored?: Record<string, unknown>;
  /** At least the size of `stored` as JSON (requestBodyBytes), known without serialising it again. */
  storedBytesAtMost?: number;
}

/**
 * The suffix standing for the 5 random characters the API server appends to metadata.generateName. It
 * is never generated (the API server's alphabet has no 0) and valid in every name.
 */
export const GENERATED_NAME_PLACEHOLDER = '00000';

/** apiserver's names.MaxGeneratedNameLength: the prefix is cut so that prefix and suffix fit in 63. */
const MAX_GENERATE_NAME_PREFIX = 63 - GENERATED_NAME_PLACEHOLDER.length;

/** The fields of apimachinery's ObjectMeta (JSON names); the API server prunes any other in metadata. */
const OBJECT_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

interface CompiledKind {
  schema: SchemaNode;
  validate: ValidateFunction;
  specReplicasPath?: string;
}

/** Error types after which the API server skips the CEL rules (apiextensions' hasBlockingErr). */
const BLOCKING = new Set<ErrorType>(['NotSupported', 'Required', 'TooLong', 'TooMany', 'TypeInvalid']);
const RULES_SKIPPED = fieldError(
  'Invalid',
  '<nil>',
  null,
  'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
);

const compiled = new Map<KindName, CompiledKind>();

function compiledFor(kind: KindName): CompiledKind {
  let entry = compiled.get(kind);
  if (!entry) {
    const version = crdFor(kind).spec.versions[0];
    const schema = version.schema.openAPIV3Schema as SchemaNode;
    entry = {
      schema,
      validate: compileStructural(schema),
      specReplicasPath: version.subresources?.scale?.specReplicasPath,
    };
    compiled.set(kind, entry);
  }
  return entry;
}

/**
 * Root metadata as the API server decodes it into ObjectMeta: unknown fields pruned, nulls dropped (without
 * a warning: `creationTimestamp: null` is in every manifest kubectl writes, and means nothing).
 */
function decodedMeta(metadata: unknown, unknownFields: string[]): unknown {
  if (!isObject(metadata)) return metadata;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (!OBJECT_META_FIELDS.has(key)) unknownFields.push(`metadata.${key}`);
    else if (value !== null) out[key] = value;
  }
  return out;
}

/** The object the API server validates: decoded, without status (the status subresource owns it). */
function admitted(obj: Record<string, unknown>, schema: SchemaNode, report: Report): Record<string, unknown> {
  const metaUnknown: string[] = [];
  const value = normalize(obj, schema, report) as Record<string, unknown>;
  if ('metadata' in value) value.metadata = decodedMeta(value.metadata, metaUnknown);
  // The API server lists ObjectMeta's unknown fields first, then the schema's, sorted.
  report.unknownFields.sort().unshift(...metaUnknown);
  delete value.status;
  return value;
}

/**
 * On create, a job with only a generateName gets its name before validation (rest.BeforeCreate). Returns
 * the JSON bytes that adds (`"name":"...",`).
 */
function withGeneratedName(value: Record<string, unknown>): number {
  const metadata = value.metadata;
  if (!isObject(metadata) || (typeof metadata.name === 'string' && metadata.name !== '')) return 0;
  const prefix = metadata.generateName;
  if (typeof prefix !== 'string' || prefix === '') return 0;
  metadata.name = prefix.slice(0, MAX_GENERATE_NAME_PREFIX) + GENERATED_NAME_PLACEHOLDER;
  return requestBodyBytes({ name: metadata.name }) - '{}'.length + ','.length;
}

/** Unknown and repeated fields as the API server treats them under each `fieldValidation`. */
function fieldValidationOutcome(
  fieldValidation: FieldValidation,
  duplicateFields: string[],
  unknownFields: string[],
): { errors: FieldError[]; warnings: string[] } {
  const messages = [
    ...duplicateFields.map((path) => `duplicate field "${path}"`),
    ...unknownFields.map((path) => `unknown field "${path}"`),
  ];
  if (fieldValidation === 'Strict')
    return { errors: messages.map((message) => ({ path: '', message })), warnings: [] };
  return { errors: [], warnings: fieldValidation === 'Warn' ? messages : [] };
}

function plain(errors: TypedError[]): FieldError[] {
  return errors.map(({ path, message }) => ({ path, message }));
}

/**
 * Validates `obj` as a `kind` the way the API server would on create, or on update from `old`: transition
 * rules then apply, and failures of unchanged values become warnings (CEL validation ratcheting).
 */
export function validateSchema(
  kind: KindName,
  obj: unknown,
  old?: unknown,
  options: SchemaOptions = {},
): SchemaValidation {
  if (!isObject(obj))
    return { errors: [{ path: '', message: 'Invalid value: must be an object' }], warnings: [] };
  const requestBytes = requestBodyBytes(obj);
  if (requestBytes > MAX_REQUEST_BODY_BYTES) return { errors: [requestTooLarge()], warnings: [] };
  const typeErrors = typeMetaErrors(obj, kind, API_VERSION);
  if (typeErrors.length) return { errors: plain(typeErrors), warnings: [] };

  const { schema, validate, specReplicasPath } = compiledFor(kind);
  const report = newReport();
  const { unknownFields, droppedNulls } = report;
  const value = admitted(obj, schema, report);
  const oldValue = isObject(old) ? admitted(old, schema, newReport()) : undefined;
  const nameBytes = oldValue ? 0 : withGeneratedName(value);
  // Decoding prunes and drops, which only shrinks the job; defaults and a generated name add to it.
  const storedBytesAtMost = requestBytes + report.addedBytes + nameBytes;
  const fieldValidation = options.fieldValidation ?? 'Warn';
  const decoding = fieldValidationOutcome(fieldValidation, options.duplicateFields ?? [], unknownFields);
  const nullWarnings =
    fieldValidation === 'Ignore'
      ? []
      : droppedNulls.map((path) => `${path}: null dropped: the API server stores the job without this field`);
  const warnings = [...decoding.warnings, ...nullWarnings];

  const errors = [
    ...nameErrors(value, oldValue),
    ...labelAndAnnotationErrors(value),
    ...structuralErrors(validate, value),
    ...scaleErrors(value, specReplicasPath),
    ...listTypeErrors(value, schema),
  ];
  if (errors.some((e) => BLOCKING.has(e.type)))
    return {
      errors: [...decoding.errors, ...plain([...errors, RULES_SKIPPED])],
      warnings,
      stored: value,
      storedBytesAtMost,
    };

  const cel = celErrors(value, oldValue, schema);
  return {
    errors: [...decoding.errors, ...plain([...errors, ...cel.errors])],
    warnings: [...warnings, ...cel.warnings],
    stored: value,
    storedBytesAtMost,
  };
}
