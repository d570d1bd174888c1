/**
 * Browser entry for Vite apps (`@rnn/browser-conformance/browser`): importing it registers every
 * browser backend with locally served WebAssembly binaries (see setup.ts).
 */
import './setup.js';

export { BROWSER_BACKENDS, browserReportName } from '../backends.js';
export type { BrowserBackend } from '../backends.js';
export { FIXTURES_ROUTE } from '../fixture-index.js';
export type { FixtureIndex, FixtureIndexEntry } from '../fixture-index.js';
export { fetchFixtureIndex, fetchServedFixture, fetchServedFixtures } from './fixtures.js';
export { fetchModelFile } from './model-files.js';
