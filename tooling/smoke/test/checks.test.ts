import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { bundleForBrowser } from '../src/browser-bundle.js';
import { readmeExamples } from '../src/examples.js';
import { importedSpecifiers, publishingProblems, type PackedPackage } from '../src/packed.js';
import type { PackageJson } from '../src/workspace.js';

/** The checks the smoke test relies on, proven to catch what they are for on made-up packages. */

const scratch = mkdtempSync(join(tmpdir(), 'rnn-smoke-checks-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function writeFiles(root: string, files: Readonly<Record<string, string>>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

const REPOSITORY = 'git+https://example.invalid/rnn.git';

const goodManifest: PackageJson = {
  name: '@rnn/example',
  version: '1.2.3',
  license: 'Apache-2.0',
  repository: { type: 'git', url: REPOSITORY, directory: 'packages/example' },
  type: 'module',
  sideEffects: ['./dist/index.js', './dist/register.js'],
  exports: {
    '.': { '@rnn/source': './src/index.ts', types: './dist/index.d.ts', import: './dist/index.js' },
    './package.json': './package.json',
  },
  files: ['dist', 'src', 'README.md'],
  engines: { node: '>=20' },
  publishConfig: { access: 'public' },
  dependencies: { '@rnn/core': '1.2.3', fflate: '~0.8.3' },
  peerDependencies: { 'onnxruntime-node': '^1.30.0' },
};

const goodFiles: Record<string, string> = {
  LICENSE: 'Apache License 2.0',
  'README.md': '# @rnn/example\n\n```sh\nnpm install @rnn/example\n```\n\n```ts\nimport \'@rnn/example\';\n```\n',
  'src/index.ts': "import './register.js';\n",
  'dist/index.js': "import './register.js';\nimport { strFromU8 } from 'fflate';\nimport { readFile } from 'node:fs';\nexport const load = () => import('onnxruntime-node');\n",
  'dist/index.d.ts': "import type { Tensor } from '@rnn/core';\nexport declare const load: () => Promise<unknown>;\n",
  'dist/register.js': 'export {};\n',
};

function packedPackage(name: string, manifest: PackageJson, files: Readonly<Record<string, string>>): PackedPackage {
  const root = join(scratch, name, 'package');
  writeFiles(root, { ...files, 'package.json': JSON.stringify(manifest) });
  return { source: { dir: root, relativeDir: 'packages/example', manifest }, tarball: `${root}.tgz`, root, manifest };
}

describe('publishingProblems', () => {
  test('a complete package has none', () => {
    expect(publishingProblems(packedPackage('good', goodManifest, goodFiles), REPOSITORY)).toEqual([]);
  });

  test('names each defect of a broken package', () => {
    const { LICENSE: _license, 'dist/index.d.ts': _types, ...files } = goodFiles;
    const manifest: PackageJson = {
      ...goodManifest,
      repository: { type: 'git', url: REPOSITORY },
      sideEffects: false,
      exports: { '.': { import: './dist/index.js', types: './dist/index.d.ts' }, './web': { types: './dist/web.d.ts', import: './dist/web.js' } },
      publishConfig: undefined,
      dependencies: { '@rnn/core': 'workspace:*', '@tensorflow/tfjs-core': '^4.22.0' },
      peerDependencies: {},
    };
    const problems = publishingProblems(
      packedPackage('broken', manifest, { ...files, 'dist/index.js': `${files['dist/index.js']}import 'h5wasm';\n` }),
      REPOSITORY,
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'the tarball has no LICENSE file',
        '"repository.directory" is undefined, expected "packages/example"',
        '"publishConfig.access" must be "public" (scoped packages are private by default on npm)',
        'dependencies.@rnn/core is still "workspace:*" in the packed manifest',
        '@tensorflow/tfjs-core is a dependency; engine libraries must be peer dependencies (the user picks the version)',
        'exports["."]["types"] → ./dist/index.d.ts, which is not in the tarball',
        'exports["."]: "types" must come before "import" (TypeScript takes the first match)',
        'exports["./web"]["import"] → ./dist/web.js, which is not in the tarball',
        'dist/index.js imports fflate, but fflate is not a dependency or peer dependency (it only resolves inside the workspace)',
        'dist/index.js imports h5wasm, but h5wasm is not a dependency or peer dependency (it only resolves inside the workspace)',
        'dist/index.js imports onnxruntime-node, but onnxruntime-node is not a dependency or peer dependency (it only resolves inside the workspace)',
        'dist/index.js imports ./register.js for its side effects, but "sideEffects" does not list ./dist/register.js: bundlers would drop it',
      ]),
    );
  });

  test('a README without install command or example, and a bin without its shebang', () => {
    const manifest: PackageJson = { ...goodManifest, bin: { example: './dist/bin.js' } };
    const problems = publishingProblems(
      packedPackage('readme', manifest, { ...goodFiles, 'README.md': '# @rnn/example\n\nIt is good.\n', 'dist/bin.js': 'console.log(1);\n' }),
      REPOSITORY,
    );
    expect(problems).toEqual([
      'README.md shows no install command (`npm install` / `pnpm add`) naming the package',
      'README.md has no code example',
      'bin.example (./dist/bin.js) lacks a "#!/usr/bin/env node" line',
    ]);
  });
});

test('importedSpecifiers finds static, re-exported, side-effect, type and dynamic imports', () => {
  const source = [
    "import { a } from 'alpha';",
    "import type { B } from '@scope/beta/deep';",
    "export * from './local.js';",
    "export { c } from 'gamma';",
    "import 'delta';",
    "const e = await import('epsilon');",
    'const f = await import(variable);',
    "// the word import('zeta') in a comment is matched too: harmless, it must then be declared",
  ].join('\n');
  expect(importedSpecifiers(source).sort()).toEqual(['./local.js', '@scope/beta/deep', 'alpha', 'delta', 'epsilon', 'gamma', 'zeta']);
});

describe('readmeExamples', () => {
  const readme = [
    '# pkg',
    '```sh',
    'npm install @rnn/x',
    '```',
    '```ts',
    "import { a } from '@rnn/x';",
    '```',
    '<!-- example not run: needs a browser (WebGL) -->',
    '',
    '```js',
    'console.log(1);',
    '```',
    '<!-- example file: a.h5 = @rnn/conformance/fixtures/models/m.h5 -->',
    '<!-- example file: b.keras = @rnn/conformance/fixtures/models/m.keras -->',
    '```sh',
    'pnpm add -g @rnn/cli   # once',
    'rnn --help   # usage',
    'rnn tutorial',
    '```',
    '```',
    'rnn conformance [--backend NAME]',
    '```',
  ].join('\n');

  test('takes ts/js blocks, the rnn lines of shell blocks, and the markers before them', () => {
    expect(readmeExamples(readme, 'pkg', 'README.md')).toEqual([
      { id: 'pkg#1', readme: 'README.md', line: 5, language: 'ts', code: "import { a } from '@rnn/x';" },
      { id: 'pkg#2', readme: 'README.md', line: 10, language: 'js', code: 'console.log(1);', notRun: 'needs a browser (WebGL)' },
      {
        id: 'pkg#3',
        readme: 'README.md',
        line: 15,
        language: 'sh',
        code: 'rnn --help\nrnn tutorial',
        files: [
          { name: 'a.h5', from: '@rnn/conformance/fixtures/models/m.h5' },
          { name: 'b.keras', from: '@rnn/conformance/fixtures/models/m.keras' },
        ],
      },
    ]);
  });

  test('refuses a not-run marker without a reason, a malformed file marker and an unclosed fence', () => {
    expect(() => readmeExamples('<!-- example not run: -->\n```ts\nx\n```\n', 'pkg', 'R.md')).toThrow('R.md:1: "example not run" needs a reason');
    expect(() => readmeExamples('<!-- example file: a.h5 -->\n```ts\nx\n```\n', 'pkg', 'R.md')).toThrow('R.md:1: expected "example file: NAME = PATH", got "a.h5"');
    expect(() => readmeExamples('text\n```ts\nx\n', 'pkg', 'R.md')).toThrow('R.md:2: code fence never closed');
  });
});

describe('bundleForBrowser', () => {
  test('reports a Node built-in a browser entry imports, and not one its package maps away for browsers', async () => {
    const app = join(scratch, 'app');
    writeFiles(app, {
      'node_modules/leaky/package.json': JSON.stringify({ name: 'leaky', type: 'module', exports: './index.js' }),
      'node_modules/leaky/index.js': "import { readFileSync } from 'node:fs';\nexport const read = (p) => readFileSync(p);\n",
      'node_modules/careful/package.json': JSON.stringify({ name: 'careful', type: 'module', exports: './index.js', browser: { crypto: false } }),
      'node_modules/careful/index.js': "import * as crypto from 'crypto';\nexport const random = () => crypto?.randomBytes?.(4);\n",
    });
    const bundle = await bundleForBrowser(app, ['leaky', 'careful']);
    expect(bundle.builtins).toEqual([{ specifier: 'node:fs', importer: join(app, 'node_modules/leaky/index.js') }]);
    expect(bundle.moduleIds).toEqual(expect.arrayContaining([join(app, 'node_modules/leaky/index.js'), join(app, 'node_modules/careful/index.js')]));
  }, 60_000);
});
