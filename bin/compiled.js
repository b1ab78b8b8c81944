// Where the compiled command line is, and whether it is older than the sources it was built from.
// Shared by bin/training-operator.js and the test runner (scripts/test.mjs), which rebuilds a stale one.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { URL, fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** `npm run build` (tsconfig.build.json) writes it, and every other file of dist/, on each build. */
export const COMPILED_ENTRY = join(root, 'dist/src/cli/main.js');

/**
 * Why dist/ cannot be run as it is: it is missing, or a source is newer than it (named relative to
 * the root). Undefined when it is up to date, or when there are no sources to compare (the image).
 */
export function staleReason() {
  if (!existsSync(COMPILED_ENTRY)) return 'the compiled dist/ is missing';
  if (!existsSync(join(root, 'src'))) return undefined;
  const builtAt = statSync(COMPILED_ENTRY).mtimeMs;
  const sources = ['src', 'generated'].flatMap((dir) =>
    existsSync(join(root, dir))
      ? readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
      : [],
  );
  sources.push(join(root, 'tsconfig.json'), join(root, 'tsconfig.build.json'));
  const newer = sources.find((file) => existsSync(file) && statSync(file).mtimeMs > builtAt);
  return newer && `dist/ is older than ${relative(root, newer)}`;
}
