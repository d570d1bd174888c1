import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { format, parseArgs } from 'node:util';
import type { CaseResult, ConformanceCase, ConformanceProgress, ModelFileLoader } from '@rnn/conformance';
import { listCases, loadFixtures, runConformance } from '@rnn/conformance/node';
import { getRegisteredBackend, listBackends } from '@rnn/core';
import { BACKEND_PACKAGES, KNOWN_BACKENDS, backendStatuses, loadBackendPackages, packagesFor, sortBackends } from '../backends.js';
import type { CliIO, Command } from '../command.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../command.js';
import { isBrowserBackendName, loadBrowserRunner, type BrowserRunner } from '../browser.js';
import { renderMatrix } from '../matrix.js';
import { loadModelFileLoader } from '../model-files.js';

export const REPORT_FORMAT = 'rnn-conformance-report/1';

const usage = `Usage: rnn conformance [--backend NAME[,NAME...]|all] [--fixtures DIR] [--filter TEXT] [--report FILE]

Runs the Keras golden fixtures on each backend and prints a case-by-backend matrix (✓ pass, ✗ fail),
the failures with their max error, and "N passed, M failed" as the last line (case × backend).
A case passes iff every output element has |got - want| / max(1, |want|) <= 1e-5.

Options:
  --backend NAMES  comma-separated backend names (${KNOWN_BACKENDS.join(', ')}),
                   or "all" (default): every registered backend available on this machine,
                   plus the browser backends in headless Chromium when it is installed
                   (browser:cpu, browser:tfjs:wasm, tfjs:webgl, tfjs:webgpu, browser:onnx-web:wasm,
                   onnx-web:webgpu); the unavailable ones are listed with their reason, not
                   counted as failures
  --fixtures DIR   a folder in the golden layout (cases/*.json, models/*.json, real-world/);
                   default: the fixtures bundled with @rnn/conformance
  --filter TEXT    only cases whose id contains TEXT (model files run as "<id>#file")
  --report FILE    also write the results as JSON (format "${REPORT_FORMAT}")
  -h, --help       show this help

Exit code: 0 if nothing failed, 1 if a case failed (or nothing could run), 2 on a usage error.
`;

export const conformanceCommand: Command = {
  name: 'conformance',
  summary: 'run the Keras golden fixtures on backends; print the pass/fail matrix',
  usage,
  run: runCommand,
};

interface NotRun {
  readonly name: string;
  readonly reason: string;
}

interface Outcome {
  readonly backends: readonly string[];
  readonly cases: readonly ConformanceCase[];
  readonly results: ReadonlyMap<string, ReadonlyMap<string, CaseResult>>;
  readonly notRun: readonly NotRun[];
}

async function runCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      backend: { type: 'string', default: 'all' },
      fixtures: { type: 'string' },
      filter: { type: 'string' },
      report: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const requested = parseBackendList(values.backend);
  const fixtures = loadFixtures(values.fixtures);

  const outcome = await withConsoleOnStderr(io, async (): Promise<Outcome | string> => {
    const packageFailures = await loadBackendPackages(requested[0] === 'all' ? BACKEND_PACKAGES : packagesFor(requested));
    const modelFiles = fixtures.some((f) => f.modelFile) ? await loadModelFileLoader() : null;
    const modelFileLoader: ModelFileLoader | undefined = modelFiles && 'loader' in modelFiles ? modelFiles.loader : undefined;
    const cases = listCases(fixtures, { filter: values.filter, modelFileLoader });
    if (cases.length === 0) return `no case id contains "${values.filter}"`;

    const browser = await selectBrowserBackends(requested);
    const selection = await selectBackends(requested.filter((n) => !isBrowserBackendName(n) || n === 'all'));
    const notRun: NotRun[] = [
      // In Node, browser-only backends report themselves unavailable; the browser runs them instead.
      ...selection.unavailable.filter((n) => !browser.run.includes(n.name)),
      ...browser.unavailable,
      ...packageFailures.map((f) => ({ name: f.name, reason: `failed to import: ${f.reason}` })),
      ...(modelFiles && 'reason' in modelFiles ? [{ name: 'model files (#file cases)', reason: modelFiles.reason }] : []),
    ];
    if (selection.run.length === 0 && browser.run.length === 0) {
      return ['no backend is available here', ...notRun.map((n) => `  ${n.name}: ${n.reason}`)].join('\n');
    }

    const progress = progressReporter(io, cases.length, selection.run.length + browser.run.length);
    const results = new Map<string, Map<string, CaseResult>>();
    for (const [index, backend] of selection.run.entries()) {
      progress.start(backend, index);
      const report = await runConformance({
        backend,
        fixtures,
        filter: values.filter,
        modelFileLoader,
        onProgress: (p) => progress.update(p),
      });
      results.set(backend, new Map(report.results.map((r) => [r.case, r])));
    }
    if (browser.runner && browser.run.length > 0) {
      progress.start(`chromium (${browser.run.join(', ')})`, selection.run.length);
      const reports = await browser.runner.run({
        backends: browser.run,
        fixturesDir: values.fixtures,
        filter: values.filter,
        onProgress: (p) => progress.update(p),
      });
      for (const report of reports) results.set(report.backend, new Map(report.results.map((r) => [r.case, r])));
    }
    progress.done();
    return { backends: [...selection.run, ...browser.run], cases, results, notRun };
  });

  if (typeof outcome === 'string') {
    io.stderr(`rnn conformance: ${outcome}\n`);
    return EXIT_FAILURE;
  }
  if (values.report) writeReport(resolve(values.report), outcome);
  const failed = printOutcome(io, outcome);
  return failed === 0 ? EXIT_OK : EXIT_FAILURE;
}

function parseBackendList(value: string): string[] {
  const names = [...new Set(value.split(',').map((n) => n.trim()))];
  if (names.some((n) => n === '')) throw new UsageError(`--backend: empty backend name in "${value}"`);
  if (names.includes('all') && names.length > 1) throw new UsageError('--backend: "all" cannot be combined with other names');
  return names;
}

/**
 * `all`: every registered backend that is available here; the others are reported, not run.
 * Named backends run whatever their state (an unavailable one fails its cases with the reason);
 * a name that is neither registered nor one of the project's backends is a usage error.
 */
async function selectBackends(requested: readonly string[]): Promise<{ run: string[]; unavailable: NotRun[] }> {
  if (requested[0] === 'all') {
    const statuses = await backendStatuses();
    return {
      run: statuses.filter((s) => s.availability.ok).map((s) => s.name),
      unavailable: statuses.flatMap((s) => (s.availability.ok ? [] : [{ name: s.name, reason: s.availability.reason }])),
    };
  }
  const known: readonly string[] = KNOWN_BACKENDS;
  const unknown = requested.filter((n) => !getRegisteredBackend(n) && !known.includes(n));
  if (unknown.length > 0) {
    const registered = sortBackends(listBackends()).join(', ') || 'none';
    throw new UsageError(`--backend: unknown backend ${unknown.map((n) => `"${n}"`).join(', ')} (registered here: ${registered})`);
  }
  return { run: [...requested], unavailable: [] };
}

/**
 * Browser backends: with `all`, every one of them when Chromium and the browser runner are here
 * (otherwise one line says why not); named ones (`tfjs:webgl`, `browser:cpu`) run or fail with the reason.
 */
async function selectBrowserBackends(
  requested: readonly string[],
): Promise<{ run: string[]; unavailable: NotRun[]; runner: BrowserRunner | null }> {
  const all = requested[0] === 'all';
  const named = requested.filter(isBrowserBackendName);
  if (!all && named.length === 0) return { run: [], unavailable: [], runner: null };
  const runner = await loadBrowserRunner();
  if ('reason' in runner) {
    if (all) return { run: [], unavailable: [{ name: 'browser backends', reason: runner.reason }], runner: null };
    throw new UsageError(`--backend: ${named.join(', ')} run in Chromium, which is not usable here: ${runner.reason}`);
  }
  return { run: all ? [...runner.names] : named, unavailable: [], runner };
}

/** Progress on stderr: a self-updating line on a terminal, one line per backend otherwise. */
function progressReporter(io: CliIO, total: number, backends: number) {
  const live = process.stderr.isTTY === true;
  let prefix = '';
  return {
    start(backend: string, index: number) {
      prefix = backends > 1 ? `[${index + 1}/${backends}] ${backend}` : backend;
      if (!live) io.stderr(`conformance: ${prefix}: running ${total} cases\n`);
    },
    update(p: ConformanceProgress) {
      if (live) io.stderr(`\r\x1b[Kconformance: ${prefix}: ${p.done}/${p.total} ${p.result.case}`);
    },
    done() {
      if (live) io.stderr('\r\x1b[K');
    },
  };
}

/** Prints matrix, not-run backends, failures and the summary line; returns the failure count. */
function printOutcome(io: CliIO, outcome: Outcome): number {
  const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
  const lines = renderMatrix({
    backends: outcome.backends,
    cases: outcome.cases,
    results: outcome.results,
    width: process.stdout.isTTY ? (process.stdout.columns ?? 120) : 120,
    color,
  });

  if (outcome.notRun.length > 0) {
    const width = Math.max(...outcome.notRun.map((n) => n.name.length));
    lines.push('', 'Not run here:', ...outcome.notRun.map((n) => `  ${n.name.padEnd(width)}  ${n.reason}`));
  }

  let passed = 0;
  const failures: string[] = [];
  for (const backend of outcome.backends) {
    for (const c of outcome.cases) {
      const result = outcome.results.get(backend)!.get(c.id)!;
      if (result.status === 'pass') {
        passed++;
        continue;
      }
      const maxError = result.maxError === null ? 'n/a' : result.maxError.toExponential(2);
      failures.push(`  ${backend}  ${c.id}  (max error ${maxError})`);
      failures.push(...result.message.split('\n').map((line) => `      ${line}`));
    }
  }
  const failed = outcome.backends.length * outcome.cases.length - passed;
  if (failed > 0) lines.push('', `Failures (${failed}):`, ...failures);
  lines.push('', `${passed} passed, ${failed} failed`);
  io.stdout(`${lines.join('\n')}\n`);
  return failed;
}

function writeReport(file: string, outcome: Outcome): void {
  const results = outcome.backends.flatMap((backend) =>
    outcome.cases.map((c) => {
      const r = outcome.results.get(backend)!.get(c.id)!;
      return { backend, case: r.case, status: r.status, maxError: r.maxError, message: r.message };
    }),
  );
  const report = { format: REPORT_FORMAT, backends: outcome.backends, results };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}

/**
 * Backend libraries may log while loading or running (tfjs greets, wasm loaders report); stdout carries
 * only the matrix, so their console output goes to stderr while the command runs.
 */
async function withConsoleOnStderr<T>(io: CliIO, task: () => Promise<T>): Promise<T> {
  const saved = { log: console.log, info: console.info, debug: console.debug };
  const toStderr = (...args: unknown[]) => io.stderr(`${format(...args)}\n`);
  console.log = console.info = console.debug = toStderr;
  try {
    return await task();
  } finally {
    Object.assign(console, saved);
  }
}
