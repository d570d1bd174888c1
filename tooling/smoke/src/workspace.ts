import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this package lives in tooling/smoke). */
export const WORKSPACE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The packages published to npm. Every other workspace package must be `private` so that
 * `pnpm publish -r` cannot publish it by accident (checked by the smoke test).
 */
export const PUBLIC_PACKAGES = [
  '@rnn/core',
  '@rnn/backend-cpu',
  '@rnn/backend-tfjs',
  '@rnn/backend-onnx',
  '@rnn/conformance',
  '@rnn/keras',
  '@rnn/cli',
] as const;
export type PublicPackage = (typeof PUBLIC_PACKAGES)[number];

/**
 * Engine libraries: the user brings (and chooses the version of) these, so they are peer
 * dependencies of the packages that use them, never plain dependencies.
 */
export const ENGINE_LIBRARIES = ['@tensorflow/tfjs-core', 'onnxruntime-node', 'onnxruntime-web'] as const;

export interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly license?: string;
  readonly type?: string;
  readonly main?: string;
  readonly types?: string;
  readonly bin?: string | Readonly<Record<string, string>>;
  readonly exports?: unknown;
  readonly files?: readonly string[];
  readonly sideEffects?: boolean | readonly string[];
  readonly engines?: Readonly<Record<string, string>>;
  readonly repository?: { readonly type?: string; readonly url?: string; readonly directory?: string };
  readonly publishConfig?: Readonly<Record<string, unknown>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { optional?: boolean }>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
}

export interface WorkspacePackage {
  /** Absolute folder. */
  readonly dir: string;
  /** Folder relative to the repository root, with `/` separators (`packages/core`). */
  readonly relativeDir: string;
  readonly manifest: PackageJson;
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Every package matched by pnpm-workspace.yaml's `packages/*`, `apps/*` and `tooling/*` globs. */
export function workspacePackages(): WorkspacePackage[] {
  const globs = readFileSync(join(WORKSPACE_ROOT, 'pnpm-workspace.yaml'), 'utf8')
    .split('\n')
    .map((line) => /^\s+-\s+['"]?([\w-]+)\/\*['"]?\s*$/.exec(line)?.[1])
    .filter((folder): folder is string => folder !== undefined);
  const packages: WorkspacePackage[] = [];
  for (const folder of globs) {
    const parent = join(WORKSPACE_ROOT, folder);
    if (!existsSync(parent)) continue;
    for (const entry of readdirSync(parent, { withFileTypes: true })) {
      const dir = join(parent, entry.name);
      if (!entry.isDirectory() || !existsSync(join(dir, 'package.json'))) continue;
      packages.push({ dir, relativeDir: relative(WORKSPACE_ROOT, dir).split('\\').join('/'), manifest: readJson<PackageJson>(join(dir, 'package.json')) });
    }
  }
  return packages;
}

export function publicPackages(): WorkspacePackage[] {
  const all = workspacePackages();
  return PUBLIC_PACKAGES.map((name) => {
    const found = all.find((p) => p.manifest.name === name);
    if (!found) throw new Error(`public package ${name} is not in the workspace`);
    return found;
  });
}

/**
 * The version of a third-party package the workspace tests with: the one installed for the
 * workspace package that depends on it (pnpm links it into that package's node_modules).
 */
export function testedVersion(library: string, usedBy: WorkspacePackage): string {
  const file = join(usedBy.dir, 'node_modules', library, 'package.json');
  if (!existsSync(file)) throw new Error(`${library} is not installed for ${usedBy.manifest.name} (${file})`);
  return readJson<PackageJson>(file).version;
}
