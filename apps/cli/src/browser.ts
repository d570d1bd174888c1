import type { ConformanceProgress, ConformanceReport } from '@rnn/conformance';

/**
 * Browser backends run inside headless Chromium through `@rnn/browser-conformance`, a workspace tool
 * that is not published: where it (or Chromium) is missing, browser columns are reported as not run.
 */

/** Names that only a browser runs; `browser:NAME` is the browser run of a backend Node also runs. */
const BROWSER_ONLY = ['tfjs:webgl', 'tfjs:webgpu', 'onnx-web:webgpu'];

export function isBrowserBackendName(name: string): boolean {
  return name.startsWith('browser:') || BROWSER_ONLY.includes(name);
}

export interface BrowserRunner {
  /** Every browser backend's report name (`browser:cpu`, `tfjs:webgl`, ...). */
  readonly names: readonly string[];
  run(options: {
    backends: readonly string[];
    fixturesDir: string | undefined;
    filter: string | undefined;
    onProgress: (progress: ConformanceProgress) => void;
  }): Promise<ConformanceReport[]>;
}

/** The browser runner, or why there is none here. */
export async function loadBrowserRunner(): Promise<BrowserRunner | { readonly reason: string }> {
  let module: typeof import('@rnn/browser-conformance');
  try {
    module = await import('@rnn/browser-conformance');
  } catch (error) {
    return { reason: `@rnn/browser-conformance is not installed (${error instanceof Error ? error.message.split('\n')[0] : String(error)})` };
  }
  const chromium = module.chromiumAvailability();
  if (!chromium.ok) return { reason: chromium.reason };
  return {
    names: module.BROWSER_REPORT_NAMES,
    run: ({ backends, fixturesDir, filter, onProgress }) =>
      module.runBrowserConformance({ backends: [...backends], fixturesDir, filter, onProgress }),
  };
}
