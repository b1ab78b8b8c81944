// kubectl's `--validate` flag, shared by `validate` and `synth`; only a type import, as main.ts loads it eagerly.
import type { FieldValidation } from '../api/schema.ts';

/** Its values; `true` and `false` are kubectl's older spellings of strict and ignore. */
export const VALIDATE_CHOICES = ['strict', 'warn', 'ignore', 'true', 'false'] as const;

/** The API server's fieldValidation parameter that kubectl sends for a `--validate` value. */
export function fieldValidationOf(flag: (typeof VALIDATE_CHOICES)[number]): FieldValidation {
  if (flag === 'warn') return 'Warn';
  return flag === 'ignore' || flag === 'false' ? 'Ignore' : 'Strict';
}
