import type { ConformanceProgress, ConformanceReport } from '@rnn/conformance';
import { BackendError } from '@rnn/core';
import type { Browser } from 'playwright-core';
import type { BrowserBackend } from './backends.js';
import { BROWSER_BACKENDS, BROWSER_REPORT_NAMES, browserReportName, toBrowserBackend } from './backends.js';
import { launchChromium } from './chromium.js';
import type { PageApi, PageRunRequest, ProgressBinding } from './page-api.js';
import { PAGE_API, PROGRESS_BINDING } from './page-api.js';
import { startConformanceServer } from './server.js';

export interface BrowserConformanceOptions {
  /**
   * Backends to run, as conformance names (`cpu`, `tfjs:webgl`) or report names (`browser:cpu`);
   * default: all of `BROWSER_BACKENDS`.
   */
  readonly backends?: readonly string[];
  /** A folder in the golden layout (default: the fixtures bundled with @rnn/conformance). */
  readonly fixturesDir?: string;
  /** A substring of the case ids to run. */
  readonly filter?: string;
  /** Called after each case; `backend` is the report name. */
  readonly onProgress?: (progress: ConformanceProgress) => void;
  /** Chromium binary (default `/usr/bin/chromium`). */
  readonly executablePath?: string;
}

/**
 * Runs the conformance suite inside headless Chromium: starts a Vite server on 127.0.0.1, opens the
 * conformance page and runs every case on each backend in that one page. Returns one report per
 * backend, in the shape of `runConformance`'s, named by `browserReportName` (`browser:cpu`,
 * `tfjs:webgl`, ...). A backend that cannot run in this browser fails every case with its reason.
 */
export async function runBrowserConformance(options: BrowserConformanceOptions = {}): Promise<ConformanceReport[]> {
  const backends = (options.backends ?? BROWSER_BACKENDS).map(checkBackend);
  if (backends.length === 0) return [];
  const browser = await launchChromium(options.executablePath);
  try {
    const server = await startConformanceServer(options.fixturesDir);
    try {
      return await runInPage(browser, server.url, { backends, filter: options.filter }, options.onProgress);
    } finally {
      await server.close();
    }
  } finally {
    await browser.close();
  }
}

async function runInPage(
  browser: Browser,
  url: string,
  request: PageRunRequest,
  onProgress: ((progress: ConformanceProgress) => void) | undefined,
): Promise<ConformanceReport[]> {
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  if (onProgress) {
    const binding: ProgressBinding = (p) => onProgress({ ...p, backend: relabel(p.backend) });
    await page.exposeFunction(PROGRESS_BINDING, binding);
  }
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 120_000 }).catch((error: unknown) => {
    const detail = pageErrors.length ? pageErrors.join('; ') : error instanceof Error ? error.message : String(error);
    throw new BackendError(`the browser conformance page did not load: ${detail}`);
  });
  const reports = await page.evaluate(({ api, request }) => (window as unknown as Record<string, PageApi>)[api].run(request), {
    api: PAGE_API,
    request,
  });
  return reports.map((report) => ({ ...report, backend: relabel(report.backend) }));
}

function checkBackend(name: string): BrowserBackend {
  const backend = toBrowserBackend(name);
  if (!backend) {
    throw new BackendError(`"${name}" is not a browser backend (browser backends: ${BROWSER_REPORT_NAMES.join(', ')})`, {
      field: 'backends',
      expected: BROWSER_REPORT_NAMES,
      actual: name,
    });
  }
  return backend;
}

function relabel(registered: string): string {
  const backend = toBrowserBackend(registered);
  return backend ? browserReportName(backend) : registered;
}
