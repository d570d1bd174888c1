import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { describeRun, exec } from '../src/exec.js';
import { freshFolder } from '../src/install.js';
import { codeEntries, importSpecifier } from '../src/packed.js';
import { WORKSPACE_ROOT, publicPackages } from '../src/workspace.js';

/**
 * The API reference (`pnpm run docs`, typedoc, written to docs/api/ and never committed) builds,
 * and documents every code entry of every public library package.
 */

const out = freshFolder('rnn-smoke-docs-');
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface Reflection {
  readonly name: string;
  readonly kind: number;
  readonly children?: readonly Reflection[];
}
const MODULE = 2;

test('typedoc documents every export entry of the public library packages', async () => {
  const json = join(out, 'api.json');
  const run = await exec(join(WORKSPACE_ROOT, 'node_modules/.bin/typedoc'), ['--out', join(out, 'html'), '--json', json, '--logLevel', 'Error'], {
    cwd: WORKSPACE_ROOT,
    timeoutMs: 600_000,
  });
  expect(run.code, describeRun(run)).toBe(0);
  expect(existsSync(join(out, 'html/index.html'))).toBe(true);

  const project = JSON.parse(readFileSync(json, 'utf8')) as Reflection;
  const documented = new Set<string>();
  for (const pkg of project.children ?? []) {
    const entries = (pkg.children ?? []).filter((child) => child.kind === MODULE);
    // A package with one entry is one module; with several, typedoc names each by its subpath ('' for '.').
    if (entries.length === 0) documented.add(pkg.name);
    for (const entry of entries) documented.add(entry.name === '' ? pkg.name : `${pkg.name}/${entry.name}`);
  }
  const expected = publicPackages().flatMap((p) => codeEntries(p.manifest).map((subpath) => importSpecifier(p.manifest.name, subpath)));
  expect([...documented].sort()).toEqual(expected.sort());
}, 660_000);
