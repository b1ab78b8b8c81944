// The OpenAPI part of the API server's validation (kube-openapi), done with ajv on the CRD schema as it
// is, and each ajv error turned into the field error kube-openapi would report at that place.
import { createHash } from 'node:crypto';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { fieldError, type TypedError } from './errors.ts';
import { dottedPath, type Step, trailOf } from './paths.ts';
import type { SchemaNode } from './node.ts';

const KUBERNETES_KEYWORDS = [
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
];

// kube-openapi's date-time check (strfmt.IsDateTime): a date, `T`, a time, and a zone.
const TIME = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/;

function isDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function isDateTime(text: string): boolean {
  const parts = text.toLowerCase().split('t');
  const time = parts.length >= 2 && isDate(parts[0]) ? TIME.exec(parts[1]) : null;
  return !!time && time[1] <= '23' && time[2] <= '59' && time[3] <= '59';
}

function newAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    allowUnionTypes: true,
    strictTypes: false,
    inlineRefs: false,
    // The optimisation pass takes a third of compiling a job schema (about 0.3 s, paid by every CLI
    // run) and makes no measurable difference to validating.
    code: { optimize: false },
  });
  ajv.addVocabulary(KUBERNETES_KEYWORDS);
  // The API server strips number formats from CRD schemas (they are not among its supported formats).
  ajv.addFormat('int32', { type: 'number', validate: () => true });
  ajv.addFormat('int64', { type: 'number', validate: () => true });
  ajv.addFormat('date-time', isDateTime);
  return ajv;
}

let shared: Ajv | undefined;

/** Subschemas at least this large (in JSON, without descriptions) are compiled once for all kinds. */
const SHARED_SIZE = 16_000;

/**
 * The schema ajv compiles: without descriptions and CEL rules (not ajv's business), and with every large
 * subschema (the pod spec, containers, volumes...) registered once and referenced, so that the six CRDs,
 * which embed the same Kubernetes schemas, do not each pay for compiling them.
 */
function forAjv(ajv: Ajv, node: SchemaNode): SchemaNode {
  const out: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(node)) {
    if (keyword === 'description' || keyword === 'x-kubernetes-validations') continue;
    if (keyword === 'properties') {
      const properties = Object.entries(value as Record<string, SchemaNode>);
      out.properties = Object.fromEntries(properties.map(([name, child]) => [name, forAjv(ajv, child)]));
    } else if ((keyword === 'items' || keyword === 'additionalProperties') && typeof value === 'object') {
      out[keyword] = forAjv(ajv, value as SchemaNode);
    } else {
      out[keyword] = value;
    }
  }
  const json = JSON.stringify(out);
  if (json.length < SHARED_SIZE) return out;
  const id = `urn:training-operator:schema:${createHash('sha256').update(json).digest('hex')}`;
  if (!ajv.getSchema(id)) ajv.addSchema({ ...out, $id: id });
  return { $ref: id } as SchemaNode;
}

export function compileStructural(schema: SchemaNode): ValidateFunction {
  const ajv = (shared ??= newAjv());
  return ajv.compile(forAjv(ajv, schema));
}

/** kube-openapi's name for the JSON type of a decoded value. */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function stepsOf(root: unknown, pointer: string): Step[] {
  const steps: Step[] = [];
  let value = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    steps.push(Array.isArray(value) ? { index: Number(key) } : { key });
    value = (value as Record<string, unknown>)[key];
  }
  return steps;
}

function typeError(path: string, expected: string, value: unknown): TypedError {
  const actual = jsonType(value);
  return fieldError('TypeInvalid', path, actual, `${path} in body must be of type ${expected}: "${actual}"`);
}

/** An int-or-string value of another type: kube-openapi reports the union, the anyOf and its first branch. */
function intOrStringErrors(path: string, value: unknown): TypedError[] {
  return [
    typeError(path, 'integer,string', value),
    fieldError('Invalid', '<nil>', '', `"${path}" must validate at least one schema (anyOf)`),
    typeError(path, 'integer', value),
  ];
}

function maxQuantity(max: number): string {
  return `must have at most ${max} ${max === 1 ? 'item' : 'items'}`;
}

function toFieldErrors(error: ErrorObject, root: unknown): TypedError[] {
  const path = dottedPath(trailOf(stepsOf(root, error.instancePath)));
  const schema = error.parentSchema as SchemaNode & Record<string, unknown>;
  const { data, params } = error as ErrorObject & { params: Record<string, unknown> };
  switch (error.keyword) {
    case 'required':
      return [
        fieldError(
          'Required',
          path ? `${path}.${String(params.missingProperty)}` : String(params.missingProperty),
          '',
        ),
      ];
    case 'type':
      return [typeError(path, String(schema.type), data)];
    case 'anyOf':
      return schema['x-kubernetes-int-or-string'] ? intOrStringErrors(path, data) : [];
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(String(v))).join(', ');
      return [fieldError('NotSupported', path, data, `supported values: ${allowed}`)];
    }
    case 'pattern':
      return [fieldError('Invalid', path, data, `${path} in body should match '${String(params.pattern)}'`)];
    case 'format':
      return [
        fieldError(
          'TypeInvalid',
          path,
          data,
          `${path} in body must be of type ${String(params.format)}: "${String(data)}"`,
        ),
      ];
    case 'maxItems':
    case 'maxProperties': {
      const actual = Array.isArray(data) ? data.length : Object.keys(data as object).length;
      return [fieldError('TooMany', path, actual, maxQuantity(Number(params.limit)))];
    }
    case 'minimum':
      return [
        fieldError(
          'Invalid',
          path,
          data,
          `${path} in body should be greater than or equal to ${Number(params.limit)}`,
        ),
      ];
    case 'maxLength':
      return [fieldError('TooLong', path, data, `may not be more than ${Number(params.limit)} bytes`)];
    default:
      return [fieldError('Invalid', path, data, `${path} in body ${error.message ?? 'is invalid'}`)];
  }
}

/** Errors inside the branches of an int-or-string anyOf are reported once, by the anyOf. */
function isBranchError(error: ErrorObject): boolean {
  return /\/anyOf\/\d+\//.test(error.schemaPath);
}

export function structuralErrors(validate: ValidateFunction, value: unknown): TypedError[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).filter((e) => !isBranchError(e)).flatMap((e) => toFieldErrors(e, value));
}
