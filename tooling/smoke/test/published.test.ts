import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bundleForBrowser } from '../src/browser-bundle.js';
import { describeRun, exec } from '../src/exec.js';
import { exampleFileStem, exampleToJavaScript, readmeExamples, typeCheck, type ReadmeExample } from '../src/examples.js';
import { freshFolder, installEnvironment, npmInstall } from '../src/install.js';
import { codeEntries, importSpecifier, pack, publishingProblems, type PackedPackage } from '../src/packed.js';
import {
  ENGINE_LIBRARIES,
  PUBLIC_PACKAGES,
  WORKSPACE_ROOT,
  publicPackages,
  readJson,
  testedVersion,
  workspacePackages,
  type PackageJson,
} from '../src/workspace.js';

/**
 * The packages as users get them: `pnpm pack` every public package, install the tarballs with
 * plain npm in a new folder outside the workspace (third-party dependencies from the registry),
 * then use them there from Node, from a Vite browser build and through the `rnn` binary, and run
 * every README example (from the READMEs the tarballs carry). Nothing that runs here can see the
 * workspace's sources or node_modules.
 */

/** Export subpaths that use Node APIs; every other code entry must bundle for browsers. */
const NODE_ONLY_ENTRIES: Readonly<Record<string, string>> = {
  '@rnn/backend-onnx': 'onnxruntime-node (the browser entry is @rnn/backend-onnx/web)',
  '@rnn/conformance/node': 'reads fixture folders with node:fs',
  '@rnn/conformance/vitest': 'a vitest helper (Node test runner)',
  '@rnn/keras/node': 'reads files and parses HDF5 in worker_threads',
};

/** Backends the Node script must run the fixture models on (no GPU, no browser). */
const NODE_BACKENDS = ['cpu', 'tfjs:wasm', 'onnx:cpu'];

const rootManifest = readJson<PackageJson>(join(WORKSPACE_ROOT, 'package.json'));
const sources = publicPackages();
const readmes = [
  { owner: 'README', path: join(WORKSPACE_ROOT, 'README.md') },
  ...sources.map((p) => ({ owner: p.manifest.name, path: join(p.dir, 'README.md') })),
];
const examples: ReadmeExample[] = readmes.flatMap(({ owner, path }) => readmeExamples(readFileSync(path, 'utf8'), owner, path));

let workFolder = '';
let appFolder = '';
const packed: PackedPackage[] = [];

beforeAll(async () => {
  workFolder = freshFolder('rnn-smoke-pack-');
  for (const source of sources) packed.push(await pack(source, workFolder));
  appFolder = freshFolder('rnn-smoke-app-');
  const byName = (name: string) => sources.find((p) => p.manifest.name === name)!;
  await npmInstall(appFolder, packed, {
    // What users bring: the engine libraries at the versions the workspace tests with (npm refuses
    // them if a peer range excludes them), and Node's types for the type-checked examples.
    '@tensorflow/tfjs-core': testedVersion('@tensorflow/tfjs-core', byName('@rnn/backend-tfjs')),
    'onnxruntime-node': testedVersion('onnxruntime-node', byName('@rnn/backend-onnx')),
    'onnxruntime-web': testedVersion('onnxruntime-web', byName('@rnn/backend-onnx')),
    '@types/node': readJson<PackageJson>(join(WORKSPACE_ROOT, 'node_modules/@types/node/package.json')).version,
  });
}, 900_000);

afterAll(() => {
  // RNN_SMOKE_KEEP=1 keeps the folders for a look after a failure.
  if (process.env.RNN_SMOKE_KEEP) return console.log(`kept ${workFolder} and ${appFolder}`);
  for (const folder of [workFolder, appFolder]) if (folder) rmSync(folder, { recursive: true, force: true });
});

describe('what gets published', () => {
  test('exactly the public packages are publishable; every other workspace package is private', () => {
    const publishable = workspacePackages()
      .filter((p) => !p.manifest.private)
      .map((p) => p.manifest.name)
      .sort();
    expect(publishable).toEqual([...PUBLIC_PACKAGES].sort());
  });

  test.each(PUBLIC_PACKAGES)('%s: the packed manifest and files are complete', (name) => {
    const p = packed.find((x) => x.manifest.name === name)!;
    expect(publishingProblems(p, rootManifest.repository!.url!)).toEqual([]);
  });

  test('all packages are released at one version and depend on each other at exactly that version', () => {
    const versions = new Set(packed.map((p) => p.manifest.version));
    expect([...versions]).toHaveLength(1);
    for (const p of packed) {
      for (const [dependency, range] of Object.entries(p.manifest.dependencies ?? {})) {
        if (dependency.startsWith('@rnn/')) expect(`${p.manifest.name} → ${dependency}@${range}`).toBe(`${p.manifest.name} → ${dependency}@${p.manifest.version}`);
      }
    }
  });

  test('engine libraries are peer dependencies of the packages that use them', () => {
    const peersOf = (name: string) => Object.keys(packed.find((p) => p.manifest.name === name)!.manifest.peerDependencies ?? {});
    expect(peersOf('@rnn/backend-tfjs')).toContain('@tensorflow/tfjs-core');
    expect(peersOf('@rnn/backend-onnx')).toEqual(expect.arrayContaining(['onnxruntime-node', 'onnxruntime-web']));
    for (const p of packed) for (const engine of ENGINE_LIBRARIES) expect(p.manifest.dependencies?.[engine]).toBeUndefined();
  });

  test('npm sees a consistent tree: every dependency and peer range satisfied', async () => {
    const listed = await exec('npm', ['ls', '--all'], { cwd: appFolder, env: installEnvironment(), timeoutMs: 120_000 });
    expect(listed.code, describeRun(listed)).toBe(0);
  });
});

describe('Node: the installed packages load a Keras model fixture and match Keras', () => {
  test(`on ${NODE_BACKENDS.join(', ')}`, async () => {
    copyFileSync(join(import.meta.dirname, '../scripts/node-backends.mjs'), join(appFolder, 'node-backends.mjs'));
    const run = await exec('node', ['node-backends.mjs', ...NODE_BACKENDS], { cwd: appFolder, env: installEnvironment(), timeoutMs: 180_000 });
    expect(run.code, describeRun(run)).toBe(0);
    const results = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { backend: string; ranOn: string; case: string; modelFile: string; ok: boolean; maxError: number; message: string });
    expect(results.map((r) => `${r.backend} ${r.modelFile}`)).toEqual(NODE_BACKENDS.flatMap((b) => [`${b} keras`, `${b} h5`]));
    for (const r of results) {
      // `model.backend` may add what runs inside the backend (`cpu:wasm`: its WebAssembly kernels).
      expect(r.ranOn === r.backend || r.ranOn.startsWith(`${r.backend}:`), `${r.case} ran on ${r.ranOn}, asked for ${r.backend}`).toBe(true);
      expect({ case: r.case, backend: r.backend, ok: r.ok, message: r.message }).toEqual({ case: r.case, backend: r.backend, ok: true, message: '' });
      expect(r.maxError).toBeLessThanOrEqual(1e-5);
    }
  }, 240_000);
});

describe('browsers: a Vite build of every browser entry', () => {
  const codeEntryList = () => packed.flatMap((p) => codeEntries(p.manifest).map((subpath) => importSpecifier(p.manifest.name, subpath)));

  test('the Node-only entries listed above exist (every other code entry is bundled below)', () => {
    const entries = codeEntryList();
    for (const nodeOnly of Object.keys(NODE_ONLY_ENTRIES)) expect(entries).toContain(nodeOnly);
  });

  test('pulls in no Node built-in, and bundles the published dist files', async () => {
    const browserEntries = codeEntryList().filter((entry) => !(entry in NODE_ONLY_ENTRIES));
    expect(browserEntries).toEqual(expect.arrayContaining(['@rnn/core', '@rnn/backend-cpu', '@rnn/backend-tfjs', '@rnn/backend-onnx/web', '@rnn/keras', '@rnn/conformance']));
    const bundle = await bundleForBrowser(appFolder, browserEntries);
    expect(bundle.builtins.map((b) => `${b.specifier} imported by ${b.importer}`)).toEqual([]);
    for (const name of new Set(browserEntries.map((entry) => entry.split('/').slice(0, 2).join('/')))) {
      const fromPackage = bundle.moduleIds.filter((id) => id.includes(`/node_modules/${name}/`));
      expect(fromPackage.length, `${name} is in the bundle`).toBeGreaterThan(0);
      expect(fromPackage.filter((id) => !id.includes(`/node_modules/${name}/dist/`)), `${name} bundles from dist/`).toEqual([]);
    }
  }, 300_000);
});

describe('the rnn binary of the installed @rnn/cli', () => {
  const rnn = (args: readonly string[]) => exec(join(appFolder, 'node_modules/.bin/rnn'), args, { cwd: appFolder, env: installEnvironment(), timeoutMs: 180_000 });

  test('rnn --version prints the package version', async () => {
    const run = await rnn(['--version']);
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout.trim()).toBe(packed.find((p) => p.manifest.name === '@rnn/cli')!.manifest.version);
  });

  test('rnn conformance runs the bundled model fixtures on cpu, tfjs:wasm and onnx:cpu, all passing', async () => {
    const run = await rnn(['conformance', '--backend', NODE_BACKENDS.join(','), '--filter', 'model-']);
    expect(run.code, describeRun(run)).toBe(0);
    const summary = run.stdout.trim().split('\n').at(-1) ?? '';
    const [, passed, failed] = /^(\d+) passed, (\d+) failed$/.exec(summary) ?? [];
    expect({ summary, failed }).toEqual({ summary, failed: '0' });
    expect(Number(passed)).toBeGreaterThanOrEqual(NODE_BACKENDS.length * 2);
  }, 240_000);

  test('rnn tutorial reproduces the seed example', async () => {
    const run = await rnn(['tutorial']);
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toMatch(/forward_h 0\.630313/);
    expect(run.stdout).toMatch(/backward_h 0\.703873/);
  }, 120_000);
});

describe('README examples, type-checked and run against the installed packages', () => {
  const runnable = examples.filter((e) => e.notRun === undefined);
  /** Each example runs in its own folder inside the install folder, with the files it names. */
  const folderOf = (e: ReadmeExample) => join(appFolder, 'examples', exampleFileStem(e));
  const prepare = (e: ReadmeExample): string => {
    const folder = folderOf(e);
    mkdirSync(folder, { recursive: true });
    for (const { name, from } of e.files ?? []) copyFileSync(join(appFolder, 'node_modules', from), join(folder, name));
    return folder;
  };

  test('every public package README has an example that runs', () => {
    for (const p of sources) expect(runnable.filter((e) => e.id.startsWith(`${p.manifest.name}#`)).length, p.manifest.name).toBeGreaterThan(0);
  });

  test('they type-check under strict TypeScript with NodeNext resolution', () => {
    const files = runnable
      .filter((e) => e.language === 'ts')
      .map((e) => {
        const file = join(prepare(e), 'example.ts');
        writeFileSync(file, e.code);
        return file;
      });
    expect(typeCheck(files, appFolder)).toEqual([]);
  }, 120_000);

  test.each(runnable.map((e) => [`${e.id} (${e.readme.slice(WORKSPACE_ROOT.length + 1)}:${e.line})`, e] as const))('%s runs', async (_, example) => {
    const cwd = prepare(example);
    const env = installEnvironment();
    let run;
    if (example.language === 'sh') {
      // `rnn` as a user has it after installing @rnn/cli: on the PATH.
      env.PATH = `${join(appFolder, 'node_modules/.bin')}:${env.PATH}`;
      run = await exec('bash', ['-e', '-c', example.code], { cwd, env, timeoutMs: 240_000 });
    } else {
      writeFileSync(join(cwd, 'example.mjs'), exampleToJavaScript(example));
      run = await exec('node', ['example.mjs'], { cwd, env, timeoutMs: 240_000 });
    }
    expect(run.code, describeRun(run)).toBe(0);
  }, 300_000);

  // Listed as skipped, with the README's reason, so the report shows what is not executed.
  for (const e of examples.filter((x) => x.notRun !== undefined)) test.skip(`${e.id} (${e.readme.slice(WORKSPACE_ROOT.length + 1)}:${e.line}): not run, ${e.notRun}`, () => {});
});
