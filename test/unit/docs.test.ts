// The documentation names every flag the command line has, so neither drifts from the other.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { RUN_OPTIONS } from '../../src/cli/run-options.ts';

const root = join(import.meta.dirname, '..', '..');

test('docs/operator.md documents every flag of `training-operator run`', () => {
  const doc = readFileSync(join(root, 'docs', 'operator.md'), 'utf8');
  for (const flag of Object.keys(RUN_OPTIONS)) assert.ok(doc.includes(`\`--${flag}\``), `--${flag}`);
});
