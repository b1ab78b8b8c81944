// The runtime as shipped: bin/training-operator.js runs the compiled dist/ (never a stale one), and the
// operator (`run`) loads only the packages it needs, each of which costs resident memory in every pod.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'runtime-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('bin/training-operator.js', () => {
  /** A checkout with the real bin/ and a stand-in for the compiled entry. */
  const checkout = join(scratch, 'checkout');
  mkdirSync(join(checkout, 'bin'), { recursive: true });
  for (const file of ['training-operator.js', 'compiled.js']) {
    copyFileSync(join(root, 'bin', file), join(checkout, 'bin', file));
  }
  writeFileSync(join(checkout, 'package.json'), JSON.stringify({ type: 'module' }));
  const bin = () =>
    spawnSync(process.execPath, [join(checkout, 'bin/training-operator.js'), '--version'], {
      encoding: 'utf8',
    });
  const write = (file: string, text: string, secondsAgo: number) => {
    mkdirSync(join(checkout, file, '..'), { recursive: true });
    writeFileSync(join(checkout, file), text);
    const time = new Date(Date.now() - secondsAgo * 1000);
    utimesSync(join(checkout, file), time, time);
  };

  test('refuses a missing dist/ or one older than a source; runs an up-to-date one', () => {
    write('src/cli/main.ts', '', 60);
    let result = bin();
    assert.equal(result.status, 2);
    assert.match(result.stderr, /the compiled dist\/ is missing; run `npm run build`/);

    write('dist/src/cli/main.js', 'console.log("compiled", process.argv.slice(2).join(" "));', 30);
    result = bin();
    assert.equal(result.stderr, '');
    assert.equal(result.stdout, 'compiled --version\n');

    write('src/api/kinds.ts', '', 0);
    result = bin();
    assert.equal(result.status, 2);
    assert.match(result.stderr, /dist\/ is older than src\/api\/kinds.ts; run `npm run build`/);
  });

  test('without sources (the image) there is nothing to compare: dist/ runs', () => {
    rmSync(join(checkout, 'src'), { recursive: true, force: true });
    write('dist/src/cli/main.js', 'console.log("compiled");', 3600);
    assert.equal(bin().stdout, 'compiled\n');
  });
});

describe('node options', () => {
  test('the bin, run as a command, and the image pass node the same options', () => {
    const script = readFileSync(join(root, 'bin/training-operator.js'), 'utf8');
    const shebang = /^#!\/usr\/bin\/env -S node((?: --\S+)*)\n/.exec(script);
    assert.ok(shebang, 'the first line is #!/usr/bin/env -S node [--option...]');
    const options = shebang[1].trim().split(' ').filter(Boolean);
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    assert.deepEqual(entrypoint, ['node', ...options, 'bin/training-operator.js']);

    // Executed directly (as npx does), the kernel runs env, which passes them on to node.
    const checkout = join(scratch, 'direct');
    mkdirSync(join(checkout, 'bin'), { recursive: true });
    mkdirSync(join(checkout, 'dist/src/cli'), { recursive: true });
    for (const file of ['training-operator.js', 'compiled.js']) {
      copyFileSync(join(root, 'bin', file), join(checkout, 'bin', file));
    }
    writeFileSync(join(checkout, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(join(checkout, 'dist/src/cli/main.js'), 'console.log(JSON.stringify(process.execArgv));');
    const result = spawnSync(join(checkout, 'bin/training-operator.js'), [], { encoding: 'utf8' });
    assert.equal(result.stderr, '');
    assert.deepEqual(JSON.parse(result.stdout), options);
  });
});

describe('training-operator run', () => {
  test('loads no package beyond the few it needs', () => {
    // A resolve hook that prints every module URL; the sources run through tsx, as the compiled
    // output has the same imports.
    const hook = join(scratch, 'print-modules.mjs');
    writeFileSync(
      hook,
      `export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  process.stderr.write('module ' + result.url + '\\n');
  return result;
}`,
    );
    const register = `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(hook).href)});`;
    const result = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        `data:text/javascript,${encodeURIComponent(register)}`,
        '--input-type=module',
        '-e',
        `await import(${JSON.stringify(pathToFileURL(join(root, 'src/cli/run.ts')).href)});`,
      ],
      { cwd: root, encoding: 'utf8' },
    );
    assert.equal(result.status, 0, result.stderr);
    const packages = new Set(
      [...result.stderr.matchAll(/^module file:.*?\/node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)].map(
        (m) => m[1],
      ),
    );
    // Each costs resident memory in every operator pod (docs/performance.md, "Memory"): client-node
    // alone was 60 MiB, cdk8s-plus 30. Render needs cdk8s; the rest is logging, metrics, the kubeconfig.
    assert.deepEqual([...packages].sort(), ['cdk8s', 'constructs', 'pino', 'prom-client', 'yaml']);
  });
});
