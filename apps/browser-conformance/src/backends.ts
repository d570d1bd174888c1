/**
 * The backends the browser suites run, by conformance name. Browser-safe: the page and the Node API
 * both use these names.
 */
export const BROWSER_BACKENDS = ['cpu', 'tfjs:wasm', 'tfjs:webgl', 'tfjs:webgpu', 'onnx-web:wasm', 'onnx-web:webgpu'] as const;

export type BrowserBackend = (typeof BROWSER_BACKENDS)[number];

/** Prefix of a browser run's report name when Node runs a backend of the same name. */
export const BROWSER_PREFIX = 'browser:';

/** These also run in Node, so a matrix holding both needs a distinct column for the browser run. */
const ALSO_IN_NODE: ReadonlySet<BrowserBackend> = new Set(['cpu', 'tfjs:wasm', 'onnx-web:wasm']);

/**
 * The name a browser run's report carries: the conformance name for browser-only backends
 * (`tfjs:webgl`), `browser:<name>` for names Node also runs (`browser:cpu`), so one matrix can show
 * Node and browser results side by side.
 */
export function browserReportName(backend: BrowserBackend): string {
  return ALSO_IN_NODE.has(backend) ? `${BROWSER_PREFIX}${backend}` : backend;
}

/** The report names of every browser backend, in display order. */
export const BROWSER_REPORT_NAMES: readonly string[] = BROWSER_BACKENDS.map(browserReportName);

/** Accepts a conformance name (`cpu`) or a report name (`browser:cpu`); `null` when it is not a browser backend. */
export function toBrowserBackend(name: string): BrowserBackend | null {
  const bare = name.startsWith(BROWSER_PREFIX) ? name.slice(BROWSER_PREFIX.length) : name;
  return (BROWSER_BACKENDS as readonly string[]).includes(bare) ? (bare as BrowserBackend) : null;
}
