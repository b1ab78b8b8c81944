// The API server's checks of a custom resource's labels and annotations (apimachinery's
// ValidateObjectMetaAccessor: pkg/api/validation/objectmeta.go, pkg/apis/meta/v1/validation, and the
// messages of pkg/api/validate/content). Lengths are in bytes, as Go's len() counts them.
import { fieldError, type TypedError } from './errors.ts';
import { isObject } from './node.ts';

/** Total size of all annotation keys and values (TotalAnnotationSizeLimitB). */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
const LABEL_MAX_LENGTH = 63;
const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;

const LABEL_KEY_FORMAT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_KEY = new RegExp(`^${LABEL_KEY_FORMAT}$`);
const LABEL_VALUE_FORMAT = `(${LABEL_KEY_FORMAT})?`;
const LABEL_VALUE = new RegExp(`^${LABEL_VALUE_FORMAT}$`);
const DNS1123_LABEL_FORMAT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FORMAT = `${DNS1123_LABEL_FORMAT}(\\.${DNS1123_LABEL_FORMAT})*`;
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_SUBDOMAIN_FORMAT}$`);

const LABEL_KEY_MESSAGE =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_MESSAGE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
const maxLength = (limit: number) => `must be no more than ${limit} bytes`;

function regexError(message: string, format: string, ...examples: string[]): string {
  // Go's RegexError: each example followed by ", ", joined by " or " (hence the double space).
  const shown = examples.map((example) => `'${example}', `).join(' or ');
  return `${message} (e.g. ${shown}regex used for validation is '${format}')`;
}

function dns1123SubdomainErrors(value: string): string[] {
  const errors: string[] = [];
  if (bytes(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errors.push(maxLength(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!DNS1123_SUBDOMAIN.test(value)) {
    errors.push(regexError(DNS1123_SUBDOMAIN_MESSAGE, DNS1123_SUBDOMAIN_FORMAT, 'example.com'));
  }
  return errors;
}

/** content.IsLabelKey: an optional DNS subdomain prefix and `/`, then a name of at most 63 bytes. */
export function labelKeyErrors(key: string): string[] {
  const parts = key.split('/');
  const keyMessage = () => regexError(LABEL_KEY_MESSAGE, LABEL_KEY_FORMAT, 'MyName', 'my.name', '123-abc');
  if (parts.length > 2) {
    return [
      `a valid label key ${keyMessage()} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  const errors: string[] = [];
  const name = parts.at(-1)!;
  if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix === '') errors.push('prefix part must be non-empty');
    else errors.push(...dns1123SubdomainErrors(prefix).map((message) => `prefix part ${message}`));
  }
  if (name === '') errors.push('name part must be non-empty');
  else if (bytes(name) > LABEL_MAX_LENGTH) errors.push(`name part ${maxLength(LABEL_MAX_LENGTH)}`);
  if (!LABEL_KEY.test(name)) errors.push(`name part ${keyMessage()}`);
  return errors;
}

/** content.IsLabelValue. */
export function labelValueErrors(value: string): string[] {
  const errors: string[] = [];
  if (bytes(value) > LABEL_MAX_LENGTH) errors.push(maxLength(LABEL_MAX_LENGTH));
  if (!LABEL_VALUE.test(value)) {
    errors.push(regexError(LABEL_VALUE_MESSAGE, LABEL_VALUE_FORMAT, 'MyValue', 'my_value', '12345'));
  }
  return errors;
}

function stringMap(value: unknown): [string, string][] {
  if (!isObject(value)) return [];
  return Object.entries(value).map(([key, v]) => [key, typeof v === 'string' ? v : String(v)]);
}

/** ValidateLabels: every key and value, each error at `metadata.labels`. */
function labelErrors(labels: [string, string][]): TypedError[] {
  return labels.flatMap(([key, value]) => [
    ...labelKeyErrors(key).map((message) => fieldError('Invalid', 'metadata.labels', key, message)),
    ...labelValueErrors(value).map((message) => fieldError('Invalid', 'metadata.labels', value, message)),
  ]);
}

/** ValidateAnnotations: keys are label keys in any case; keys and values together at most 256 KiB. */
function annotationErrors(annotations: [string, string][]): TypedError[] {
  const errors = annotations.flatMap(([key]) =>
    labelKeyErrors(key.toLowerCase()).map((message) =>
      fieldError('Invalid', 'metadata.annotations', key, message),
    ),
  );
  const size = annotations.reduce((total, [key, value]) => total + bytes(key) + bytes(value), 0);
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) {
    errors.push(
      fieldError(
        'TooLong',
        'metadata.annotations',
        '',
        `may not be more than ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes`,
      ),
    );
  }
  return errors;
}

/** The label and annotation errors of an object, in the API server's order. */
export function labelAndAnnotationErrors(obj: Record<string, unknown>): TypedError[] {
  const metadata = isObject(obj.metadata) ? obj.metadata : {};
  return [...labelErrors(stringMap(metadata.labels)), ...annotationErrors(stringMap(metadata.annotations))];
}
