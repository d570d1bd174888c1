import type { ConformanceReport, LoadedFixture } from '@rnn/conformance';
import { runConformance } from '@rnn/conformance';
import type { PageApi, PageRunRequest, ProgressBinding } from '../page-api.js';
import { PAGE_API, PROGRESS_BINDING } from '../page-api.js';
import { fetchServedFixtures } from './fixtures.js';
import { fetchModelFile } from './model-files.js';
import './setup.js';

/**
 * The conformance page's script: exposes `window.rnnBrowserConformance` for the Node API. Fixtures with
 * a model file also run from that file (`<id>#file`), as in Node.
 */

let fixtures: Promise<LoadedFixture[]> | null = null;

async function run(request: PageRunRequest): Promise<ConformanceReport[]> {
  fixtures ??= fetchServedFixtures();
  const loaded = await fixtures;
  const progress = (window as unknown as Record<string, ProgressBinding | undefined>)[PROGRESS_BINDING];
  const reports: ConformanceReport[] = [];
  for (const backend of request.backends) {
    reports.push(
      await runConformance({
        backend,
        fixtures: loaded,
        filter: request.filter,
        modelFileLoader: fetchModelFile,
        // The binding returns a promise (a round trip to Node); progress is best effort, so no await.
        onProgress: progress ? (p) => void progress(p) : undefined,
      }),
    );
  }
  return reports;
}

const api: PageApi = { run };
(window as unknown as Record<string, PageApi>)[PAGE_API] = api;
document.body.dataset.ready = 'true';
