import { createReadStream, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { relative, resolve, sep } from 'node:path';
import { bundledFixturesDir, loadFixtures } from '@rnn/conformance/node';
import type { Plugin } from 'vite';
import type { FixtureIndex } from './fixture-index.js';
import { FIXTURES_ROUTE } from './fixture-index.js';

/**
 * Serves a fixtures folder (golden layout) to the page at `/rnn-fixtures/`: `index.json` lists the
 * fixtures, and only the files it lists are served. `vite build` writes the same files into its
 * output, so a static server serves them as well. The folder is loaded (and validated) in Node with
 * `loadFixtures`, so the page runs exactly the set `runConformance` would in Node.
 */
export function fixturesPlugin(dir: string = bundledFixturesDir): Plugin {
  const root = resolve(dir);
  let served: ServedFixtures | null = null;
  const load = () => (served ??= indexFixtures(root));
  const route = FIXTURES_ROUTE.slice(1);

  return {
    name: 'rnn-fixtures',
    configureServer(server) {
      server.middlewares.use(FIXTURES_ROUTE, (request, response, next) => {
        const path = decodeURIComponent((request.url ?? '/').split('?')[0]).replace(/^\/+/, '');
        try {
          const { index, files } = load();
          if (path === 'index.json') return send(response, 'application/json', JSON.stringify(index));
          if (!files.includes(path)) return next();
          response.setHeader('Content-Type', contentType(path));
          createReadStream(resolve(root, path)).pipe(response);
        } catch (error) {
          response.statusCode = 500;
          send(response, 'text/plain', error instanceof Error ? error.message : String(error));
        }
      });
    },
    generateBundle() {
      const { index, files } = load();
      this.emitFile({ type: 'asset', fileName: `${route}/index.json`, source: JSON.stringify(index) });
      for (const file of files) this.emitFile({ type: 'asset', fileName: `${route}/${file}`, source: readFileSync(resolve(root, file)) });
    },
  };
}

interface ServedFixtures {
  readonly index: FixtureIndex;
  /** Every file the index names, relative to the folder, `/`-separated. */
  readonly files: readonly string[];
}

function indexFixtures(root: string): ServedFixtures {
  const toRoute = (file: string) => relative(root, file).split(sep).join('/');
  const fixtures = loadFixtures(root).map((f) => ({
    id: f.id,
    file: toRoute(f.source),
    ...(f.modelFile ? { modelFile: toRoute(f.modelFile) } : {}),
  }));
  const files = fixtures.flatMap((f) => (f.modelFile ? [f.file, f.modelFile] : [f.file]));
  return { index: { format: 'rnn-fixture-index/1', fixtures }, files };
}

function contentType(path: string): string {
  return path.endsWith('.json') ? 'application/json' : 'application/octet-stream';
}

function send(response: ServerResponse, type: string, body: string): void {
  response.setHeader('Content-Type', type);
  response.end(body);
}
