// Checks the API server makes on every custom resource besides its schema: apiVersion/kind, the object
// name (a DNS-1123 subdomain, or immutable on update), and the replica count the scale subresource reads.
import { fieldError, goJson, type TypedError } from './errors.ts';
import { isObject } from './node.ts';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must " +
  "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is " +
  "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const MAX_INT32 = 2 ** 31 - 1;

export function typeMetaErrors(obj: Record<string, unknown>, kind: string, apiVersion: string): TypedError[] {
  const errors: TypedError[] = [];
  if (obj.kind !== kind) errors.push(fieldError('Invalid', 'kind', obj.kind ?? '', `must be ${kind}`));
  if (obj.apiVersion !== apiVersion) {
    errors.push(fieldError('Invalid', 'apiVersion', obj.apiVersion ?? '', `must be ${apiVersion}`));
  }
  return errors;
}

function nameOf(obj: Record<string, unknown>): unknown {
  return isObject(obj.metadata) ? obj.metadata.name : undefined;
}

export function nameErrors(
  obj: Record<string, unknown>,
  old: Record<string, unknown> | undefined,
): TypedError[] {
  const name = nameOf(obj);
  if (old) {
    return name === nameOf(old)
      ? []
      : [fieldError('Invalid', 'metadata.name', name ?? '', 'field is immutable')];
  }
  const generateName = isObject(obj.metadata) ? obj.metadata.generateName : undefined;
  // apimachinery's ValidateObjectMeta: generateName as a prefix (a trailing '-' is fine), then the name,
  // which the API server has generated from it by then.
  const errors =
    typeof generateName === 'string' && generateName !== ''
      ? subdomainMessages(maskTrailingDash(generateName)).map((message) =>
          fieldError('Invalid', 'metadata.generateName', generateName, message),
        )
      : [];
  if (typeof name !== 'string' || name === '') {
    return [...errors, fieldError('Required', 'metadata.name', '', 'name or generateName is required')];
  }
  return [
    ...errors,
    ...subdomainMessages(name).map((message) => fieldError('Invalid', 'metadata.name', name, message)),
  ];
}

/** apimachinery's maskTrailingDash, quirk included: the last two characters become one `a`. */
function maskTrailingDash(prefix: string): string {
  return prefix.length > 1 && prefix.endsWith('-') ? `${prefix.slice(0, -2)}a` : prefix;
}

function subdomainMessages(name: string): string[] {
  const messages: string[] = [];
  if (name.length > 253) messages.push('must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN.test(name)) messages.push(DNS1123_SUBDOMAIN_MESSAGE);
  return messages;
}

/** Go's %T of a decoded JSON value. */
function goTypeName(value: unknown): string {
  if (value === null) return '<nil>';
  if (Array.isArray(value)) return '[]interface {}';
  if (typeof value === 'object') return 'map[string]interface {}';
  return { number: 'float64', boolean: 'bool' }[typeof value as string] ?? typeof value;
}

/** What the API server checks at the scale subresource's specReplicasPath, on every write. */
export function scaleErrors(obj: unknown, specReplicasPath: string | undefined): TypedError[] {
  if (!specReplicasPath) return [];
  const fields = specReplicasPath.replace(/^\./, '').split('.');
  let value: unknown = obj;
  for (const field of fields) {
    if (!isObject(value) || !(field in value)) return [];
    value = value[field];
  }
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    const shown = value !== null && typeof value === 'object' ? goJson(value) : String(value);
    const detail = `${specReplicasPath} accessor error: ${shown} is of the type ${goTypeName(value)}, expected int64`;
    return [fieldError('Invalid', specReplicasPath, 0, detail)];
  }
  if (value < 0) return [fieldError('Invalid', specReplicasPath, value, 'should be a non-negative integer')];
  if (value > MAX_INT32) {
    return [fieldError('Invalid', specReplicasPath, value, `should be less than or equal to ${MAX_INT32}`)];
  }
  return [];
}
