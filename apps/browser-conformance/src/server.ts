import { fileURLToPath } from 'node:url';
import type { ViteDevServer } from 'vite';
import { createServer, defaultClientConditions } from 'vite';
import { fixturesPlugin } from './fixtures-plugin.js';

/** This package's folder: it holds index.html and the page sources (the same from src/ and dist/). */
const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Pre-bundled up front: a dependency found only while the page runs would make Vite reload the
 * page in the middle of a run.
 */
const BROWSER_DEPENDENCIES = [
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgl',
  '@tensorflow/tfjs-backend-webgpu',
  'onnxruntime-web',
  '@rnn/conformance > ajv',
  '@rnn/keras > h5wasm',
  '@rnn/keras > fflate',
];

/**
 * `optimizeDeps.include` for a Vite server of the browser backends. A Vite app that imports
 * `@rnn/browser-conformance/browser` passes `via: '@rnn/browser-conformance'` (the packages are
 * this package's dependencies, not the app's).
 */
export function browserDependencies(via?: string): string[] {
  return via ? BROWSER_DEPENDENCIES.map((d) => `${via} > ${d}`) : [...BROWSER_DEPENDENCIES];
}

export interface ConformanceServer {
  /** The page's URL, on 127.0.0.1. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts a Vite dev server on 127.0.0.1 (a free port) serving the conformance page and a fixtures
 * folder. Workspace packages resolve to their TypeScript sources (shipped in every package).
 */
export async function startConformanceServer(fixturesDir?: string): Promise<ConformanceServer> {
  const server: ViteDevServer = await createServer({
    configFile: false,
    root: packageRoot,
    logLevel: 'error',
    clearScreen: false,
    server: { host: '127.0.0.1', port: 0, hmr: false, watch: null },
    resolve: { conditions: ['@rnn/source', ...defaultClientConditions] },
    optimizeDeps: { entries: ['index.html'], include: browserDependencies() },
    plugins: [fixturesPlugin(fixturesDir)],
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) {
    await server.close();
    throw new Error('the Vite server started without a local URL');
  }
  return { url, close: () => server.close() };
}
