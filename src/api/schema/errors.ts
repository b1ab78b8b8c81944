// Field errors rendered the way apimachinery's field.Error renders them (`<path>: <body>`), so that offline
// validation prints what the API server prints.
import type { FieldError } from '../errors.ts';

/** apimachinery's field.ErrorType values that occur here, by the label that starts the error body. */
export type ErrorType =
  'Required' | 'Forbidden' | 'Invalid' | 'TypeInvalid' | 'NotSupported' | 'TooMany' | 'TooLong' | 'Duplicate';

const LABELS: Record<ErrorType, string> = {
  Required: 'Required value',
  Forbidden: 'Forbidden',
  Invalid: 'Invalid value',
  TypeInvalid: 'Invalid value',
  NotSupported: 'Unsupported value',
  TooMany: 'Too many',
  TooLong: 'Too long',
  Duplicate: 'Duplicate value',
};

/** Types whose body never shows the value. */
const VALUELESS = new Set<ErrorType>(['Required', 'Forbidden', 'TooLong']);

/** A field error with its type kept, because some types stop the CEL rules from running. */
export interface TypedError extends FieldError {
  type: ErrorType;
}

/** Stands for field.OmitValueType: the body then shows no value. */
export const OMIT = Symbol('omit value');

export function fieldError(type: ErrorType, path: string, value: unknown, detail = ''): TypedError {
  const label = LABELS[type];
  const body = VALUELESS.has(type) || value === OMIT ? label : `${label}: ${goValue(value)}`;
  return { type, path, message: detail ? `${body}: ${detail}` : body };
}

/** Values as Go prints them in an error body: numbers and booleans bare, strings quoted, the rest as JSON. */
export function goValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return goJson(value);
}

/** JSON as encoding/json writes a map[string]interface{}: keys sorted. */
export function goJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort();
    const record = value as Record<string, unknown>;
    return `{${keys.map((k) => `${JSON.stringify(k)}:${goJson(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
