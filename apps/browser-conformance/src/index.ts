/**
 * Node API: runs the conformance suite in headless Chromium. The page side lives in
 * `src/browser/` (served by Vite; `@rnn/browser-conformance/browser` for other Vite apps).
 */
export { BROWSER_BACKENDS, BROWSER_PREFIX, BROWSER_REPORT_NAMES, browserReportName, toBrowserBackend } from './backends.js';
export type { BrowserBackend } from './backends.js';
export { CHROMIUM_ARGS, DEFAULT_CHROMIUM, chromiumAvailability, launchChromium } from './chromium.js';
export { FIXTURES_ROUTE } from './fixture-index.js';
export type { FixtureIndex, FixtureIndexEntry } from './fixture-index.js';
export { fixturesPlugin } from './fixtures-plugin.js';
export { runBrowserConformance } from './run.js';
export type { BrowserConformanceOptions } from './run.js';
export { browserDependencies, startConformanceServer } from './server.js';
export type { ConformanceServer } from './server.js';
