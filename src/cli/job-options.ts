// The options every command that reads job files shares: `-f` and kubectl's `--validate`.
import { VALIDATE_CHOICES } from './field-validation.ts';

// Not `array: true`: yargs would then refuse `-f -`; a repeated -f still collects into a list.
export const FILE_OPTION = {
  alias: 'f',
  type: 'string',
  coerce: (value: string | string[]) => [value].flat(),
  describe: 'YAML or JSON file with one or more jobs; - reads standard input; repeatable',
} as const;

// kubectl's --validate: what the API server does with unknown and repeated fields (it prunes them anyway).
export const VALIDATE_OPTION = {
  type: 'string',
  choices: VALIDATE_CHOICES,
  default: 'strict',
  coerce: (value: string) => (value === '' ? 'strict' : value) as (typeof VALIDATE_CHOICES)[number],
  describe:
    'unknown and repeated fields: strict refuses them, warn reports them on stderr, ignore drops them',
} as const;
