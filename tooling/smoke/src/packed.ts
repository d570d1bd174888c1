import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, posix } from 'node:path';
import { exec, describeRun } from './exec.js';
import { ENGINE_LIBRARIES, readJson, type PackageJson, type WorkspacePackage } from './workspace.js';

/** One public package as `pnpm pack` produced it. */
export interface PackedPackage {
  readonly source: WorkspacePackage;
  readonly tarball: string;
  /** The tarball's `package/` folder, unpacked. */
  readonly root: string;
  /** The manifest as published (after pnpm replaced `workspace:` ranges). */
  readonly manifest: PackageJson;
}

/** `pnpm pack`s a workspace package into `destination` and unpacks the tarball next to it. */
export async function pack(source: WorkspacePackage, destination: string): Promise<PackedPackage> {
  const packed = await exec('pnpm', ['pack', '--pack-destination', destination, '--json'], { cwd: source.dir, timeoutMs: 120_000 });
  if (packed.code !== 0) throw new Error(`pnpm pack failed for ${source.manifest.name}\n${describeRun(packed)}`);
  const { filename } = JSON.parse(packed.stdout) as { filename: string };
  const unpackInto = join(destination, 'unpacked', source.manifest.name.replace('/', '__'));
  mkdirSync(unpackInto, { recursive: true });
  const untar = await exec('tar', ['-xzf', filename, '-C', unpackInto], { cwd: destination, timeoutMs: 60_000 });
  if (untar.code !== 0) throw new Error(`cannot unpack ${filename}\n${describeRun(untar)}`);
  const root = join(unpackInto, 'package');
  return { source, tarball: filename, root, manifest: readJson<PackageJson>(join(root, 'package.json')) };
}

/** Every file in the tarball, as `dist/index.js` paths. */
export function tarballFiles(packed: PackedPackage): string[] {
  const files: string[] = [];
  const walk = (dir: string, prefix: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(join(dir, entry.name), path);
      else files.push(path);
    }
  };
  walk(packed.root, '');
  return files.sort();
}

/** Leaf targets of an `exports` value with the condition path that leads to each. */
function exportTargets(value: unknown, conditions: readonly string[] = []): { target: string; conditions: readonly string[] }[] {
  if (typeof value === 'string') return [{ target: value, conditions }];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => exportTargets(inner, [...conditions, key]));
}

/** Every condition object inside an export entry (the entry itself included). */
function conditionObjects(value: unknown): Record<string, unknown>[] {
  if (value === null || typeof value !== 'object') return [];
  const object = value as Record<string, unknown>;
  return [object, ...Object.values(object).flatMap(conditionObjects)];
}

/** The `exports` subpaths that load code (not `./package.json`, not data folders such as `./fixtures/*`). */
export function codeEntries(manifest: PackageJson): string[] {
  const exportsMap = (manifest.exports ?? {}) as Record<string, unknown>;
  return Object.entries(exportsMap)
    .filter(([, value]) => exportTargets(value).some(({ target }) => target.endsWith('.js')))
    .map(([subpath]) => subpath);
}

/** The specifier a user imports for an `exports` subpath (`.` → `@rnn/core`, `./node` → `@rnn/core/node`). */
export function importSpecifier(name: string, subpath: string): string {
  return subpath === '.' ? name : `${name}/${subpath.slice(2)}`;
}

/** `@scope/name/deep/path` → `@scope/name`; `name/deep` → `name`. */
export function packageOfSpecifier(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const IMPORT_PATTERNS = [
  /\bimport\s+(?:type\s+)?[\w*{}\s,$]*?\s*from\s*['"]([^'"]+)['"]/g,
  /\bexport\s+(?:type\s+)?[\w*{}\s,$]*?\s*from\s*['"]([^'"]+)['"]/g,
  /^\s*import\s*['"]([^'"]+)['"]/gm,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** Module specifiers written literally in a JS or .d.ts file. */
export function importedSpecifiers(source: string): string[] {
  const found = new Set<string>();
  for (const pattern of IMPORT_PATTERNS) for (const match of source.matchAll(pattern)) found.add(match[1]);
  return [...found];
}

/** Relative modules imported only for their side effects (`import './register.js'`). */
function sideEffectImports(source: string): string[] {
  return [...source.matchAll(/^\s*import\s*['"](\.{1,2}\/[^'"]+)['"]/gm)].map((match) => match[1]);
}

function sideEffectsCovers(sideEffects: PackageJson['sideEffects'], file: string): boolean {
  if (sideEffects === undefined || sideEffects === true) return true;
  if (sideEffects === false) return false;
  return sideEffects.some((pattern) => posix.normalize(pattern) === posix.normalize(file));
}

/**
 * What is wrong with a packed package as a published npm package; empty when nothing is.
 * `repositoryUrl` is the root package.json's, which every package must share.
 */
export function publishingProblems(packed: PackedPackage, repositoryUrl: string): string[] {
  const m = packed.manifest;
  const files = new Set(tarballFiles(packed));
  const has = (path: string): boolean => files.has(posix.normalize(path));
  const problems: string[] = [];
  const problem = (text: string): number => problems.push(text);

  if (m.type !== 'module') problem(`"type" is ${JSON.stringify(m.type)}, expected "module" (ESM only)`);
  if (m.license !== 'Apache-2.0') problem(`"license" is ${JSON.stringify(m.license)}, expected "Apache-2.0"`);
  if (!has('LICENSE')) problem('the tarball has no LICENSE file');
  if (m.repository?.url !== repositoryUrl) problem(`"repository.url" is ${JSON.stringify(m.repository?.url)}, expected ${repositoryUrl}`);
  if (m.repository?.directory !== packed.source.relativeDir) {
    problem(`"repository.directory" is ${JSON.stringify(m.repository?.directory)}, expected "${packed.source.relativeDir}"`);
  }
  if (m.publishConfig?.access !== 'public') problem('"publishConfig.access" must be "public" (scoped packages are private by default on npm)');
  if (!m.engines?.node) problem('no "engines.node"');
  if (!Array.isArray(m.files)) problem('no "files" list');
  if (m.sideEffects === undefined) problem('no "sideEffects" (bundlers then keep every module)');
  if (Array.isArray(m.sideEffects)) {
    for (const file of m.sideEffects) if (!has(file)) problem(`"sideEffects" names ${file}, which is not in the tarball`);
  }

  const readme = has('README.md') ? readFileSync(join(packed.root, 'README.md'), 'utf8') : '';
  if (!readme) problem('the tarball has no README.md');
  else {
    if (!new RegExp(`(npm (i|install)|pnpm add)( -\\S+)* [^\\n]*${m.name.replace('/', '\\/')}`).test(readme)) {
      problem('README.md shows no install command (`npm install` / `pnpm add`) naming the package');
    }
    if (!/^```(ts|typescript|js|javascript|sh|bash)\b/m.test(readme)) problem('README.md has no code example');
  }

  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'] as const) {
    for (const [name, range] of Object.entries(m[field] ?? {})) {
      if (range.startsWith('workspace:')) problem(`${field}.${name} is still "${range}" in the packed manifest`);
    }
  }
  for (const engine of ENGINE_LIBRARIES) {
    if (m.dependencies?.[engine]) problem(`${engine} is a dependency; engine libraries must be peer dependencies (the user picks the version)`);
  }

  if (m.exports === undefined || typeof m.exports !== 'object') problem('no "exports" map');
  for (const [subpath, value] of Object.entries((m.exports ?? {}) as Record<string, unknown>)) {
    for (const { target, conditions } of exportTargets(value)) {
      const where = `exports["${subpath}"]${conditions.map((c) => `["${c}"]`).join('')}`;
      const exists = target.includes('*') ? existsSync(join(packed.root, posix.dirname(target))) : has(target);
      if (!exists) problem(`${where} → ${target}, which is not in the tarball`);
    }
    if (!codeEntries(m).includes(subpath)) continue;
    for (const conditions of conditionObjects(value)) {
      const keys = Object.keys(conditions);
      if (!keys.includes('import')) continue;
      const typesTarget = conditions.types;
      if (typeof typesTarget !== 'string' || !typesTarget.endsWith('.d.ts')) problem(`exports["${subpath}"] has an "import" without a .d.ts "types" beside it`);
      else if (keys.indexOf('types') > keys.indexOf('import')) problem(`exports["${subpath}"]: "types" must come before "import" (TypeScript takes the first match)`);
    }
  }
  for (const [command, target] of Object.entries(typeof m.bin === 'string' ? { [m.name]: m.bin } : (m.bin ?? {}))) {
    if (!has(target)) problem(`bin.${command} → ${target}, which is not in the tarball`);
    else if (!readFileSync(join(packed.root, target), 'utf8').startsWith('#!/usr/bin/env node')) problem(`bin.${command} (${target}) lacks a "#!/usr/bin/env node" line`);
  }

  const declared = new Set([m.name, ...Object.keys(m.dependencies ?? {}), ...Object.keys(m.peerDependencies ?? {}), ...Object.keys(m.optionalDependencies ?? {})]);
  for (const file of files) {
    if (!file.startsWith('dist/') || !/\.(js|d\.ts)$/.test(file)) continue;
    const source = readFileSync(join(packed.root, file), 'utf8');
    for (const specifier of importedSpecifiers(source)) {
      if (specifier.startsWith('.') || isBuiltin(specifier)) continue;
      const dependency = packageOfSpecifier(specifier);
      if (!declared.has(dependency)) problem(`${file} imports ${specifier}, but ${dependency} is not a dependency or peer dependency (it only resolves inside the workspace)`);
    }
    if (file.endsWith('.js')) {
      for (const relative of sideEffectImports(source)) {
        const target = posix.normalize(posix.join(posix.dirname(file), relative));
        if (!sideEffectsCovers(m.sideEffects, target)) {
          problem(`${file} imports ${relative} for its side effects, but "sideEffects" does not list ./${target}: bundlers would drop it`);
        }
      }
    }
  }
  return problems;
}
