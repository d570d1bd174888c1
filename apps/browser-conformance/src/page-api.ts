import type { ConformanceProgress, ConformanceReport } from '@rnn/conformance';
import type { BrowserBackend } from './backends.js';

/** What the conformance page (index.html) exposes on `window`, for the Node API to drive. Browser-safe. */
export interface PageApi {
  /** Runs the served fixtures on each backend in turn; reports carry the registered names (`cpu`, ...). */
  run(request: PageRunRequest): Promise<ConformanceReport[]>;
}

export interface PageRunRequest {
  readonly backends: readonly BrowserBackend[];
  /** A substring of the case ids to run. */
  readonly filter?: string;
}

/** `window[PAGE_API]` holds the page's API once the page has loaded. */
export const PAGE_API = 'rnnBrowserConformance';
/** A function the Node side may expose on `window`; the page calls it after each case. */
export const PROGRESS_BINDING = 'rnnBrowserConformanceProgress';

export type ProgressBinding = (progress: ConformanceProgress) => Promise<void> | void;
