// Offline admission: the checks the API server makes when a job is created (or, given `old`, updated)
// with our CRDs, in its order and with its field paths and messages:
//   prune unknown fields (warnings), drop disallowed nulls, apply defaults; ignore status (subresource);
//   the request size; apiVersion/kind; metadata.name, labels and annotations; the OpenAPI schema (ajv);
//   the scale subresource's replica count; list-type set/map uniqueness; then, unless an earlier error
//   blocks them, the CRD's CEL rules.
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
import { normalize } from './schema/normalize.ts';
import { labelAndAnnotationErrors } from './schema/objectmeta.ts';
import { requestSizeErrors } from './schema/request.ts';
import { compileStructural, structuralErrors } from './schema/structural.ts';

export interface SchemaValidation {
  errors: FieldError[];
  warnings: string[];
}

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

/** The object the API server validates: normalized, without status (the status subresource owns it). */
function admitted(
  obj: Record<string, unknown>,
  schema: SchemaNode,
  unknownFields: string[],
): Record<string, unknown> {
  const value = normalize(obj, schema, unknownFields) as Record<string, unknown>;
  delete value.status;
  return value;
}

function plain(errors: TypedError[]): FieldError[] {
  return errors.map(({ path, message }) => ({ path, message }));
}

/**
 * Validates `obj` as a `kind` the way the API server would on create, or on update from `old`: transition
 * rules then apply, and failures of unchanged values become warnings (CEL validation ratcheting).
 */
export function validateSchema(kind: KindName, obj: unknown, old?: unknown): SchemaValidation {
  if (!isObject(obj))
    return { errors: [{ path: '', message: 'Invalid value: must be an object' }], warnings: [] };
  const tooLarge = requestSizeErrors(obj);
  if (tooLarge.length) return { errors: tooLarge, warnings: [] };
  const typeErrors = typeMetaErrors(obj, kind, API_VERSION);
  if (typeErrors.length) return { errors: plain(typeErrors), warnings: [] };

  const { schema, validate, specReplicasPath } = compiledFor(kind);
  const unknownFields: string[] = [];
  const value = admitted(obj, schema, unknownFields);
  const oldValue = isObject(old) ? admitted(old, schema, []) : undefined;
  const warnings = unknownFields.sort().map((path) => `unknown field "${path}"`);

  const errors = [
    ...nameErrors(value, oldValue),
    ...labelAndAnnotationErrors(value),
    ...structuralErrors(validate, value),
    ...scaleErrors(value, specReplicasPath),
    ...listTypeErrors(value, schema),
  ];
  if (errors.some((e) => BLOCKING.has(e.type)))
    return { errors: plain([...errors, RULES_SKIPPED]), warnings };

  const cel = celErrors(value, oldValue, schema);
  return { errors: plain([...errors, ...cel.errors]), warnings: [...warnings, ...cel.warnings] };
}
