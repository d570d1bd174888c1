import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';
import { build, type Plugin, type Rolldown } from 'vite';

/** A Node built-in that a module of the browser bundle imports. */
export interface BuiltinImport {
  readonly specifier: string;
  readonly importer: string;
}

export interface BrowserBundle {
  /** Built-ins imported without the importing package's `browser` field replacing them. */
  readonly builtins: readonly BuiltinImport[];
  /** Every module id that went into the bundle's chunks. */
  readonly moduleIds: readonly string[];
}

/** The package.json that owns a file: the nearest one above it. */
function owningManifest(file: string): { browser?: unknown } | null {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')) as { browser?: unknown };
  }
  return null;
}

/**
 * True when the importer's package maps the built-in away for browsers (`"browser": {"fs": false}`),
 * the documented way for a package to say it does not need it there; bundlers substitute an empty module.
 */
function replacedForBrowsers(specifier: string, importer: string): boolean {
  const browser = owningManifest(importer)?.browser;
  if (browser === null || typeof browser !== 'object') return false;
  const map = browser as Record<string, unknown>;
  return map[specifier] === false || map[specifier.replace(/^node:/, '')] === false;
}

/** Records every Node built-in import of the bundle that no `browser` field accounts for. */
function builtinRecorder(found: BuiltinImport[]): Plugin {
  return {
    name: 'rnn-smoke:node-builtins',
    enforce: 'pre',
    resolveId(specifier, importer) {
      if (importer && isBuiltin(specifier) && !replacedForBrowsers(specifier, importer)) found.push({ specifier, importer });
      return null;
    },
  };
}

/**
 * Bundles `imports` (module specifiers, resolved from `folder`'s node_modules) for browsers with
 * Vite, the way an application would, and reports the Node built-ins pulled in. The entry re-exports
 * every module so that nothing is tree-shaken away before it is looked at.
 */
export async function bundleForBrowser(folder: string, imports: readonly string[]): Promise<BrowserBundle> {
  const entry = join(folder, 'browser-entry.js');
  writeFileSync(entry, imports.map((specifier, i) => `export * as entry${i} from '${specifier}';\n`).join(''));
  const builtins: BuiltinImport[] = [];
  const result = await build({
    root: folder,
    configFile: false,
    logLevel: 'error',
    mode: 'production',
    plugins: [builtinRecorder(builtins)],
    build: {
      write: false,
      minify: false,
      reportCompressedSize: false,
      lib: { entry, formats: ['es'], fileName: 'app' },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  const moduleIds = outputs.flatMap((output) => output.output.flatMap((chunk) => (chunk.type === 'chunk' ? chunk.moduleIds : [])));
  return { builtins, moduleIds };
}
