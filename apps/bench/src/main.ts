import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchOptions, BenchReport, Progress } from './bench.js';
import { runBenchmark } from './bench.js';
import type { Cell } from './problem.js';
import { CELLS, SHAPES, shapeByName } from './problem.js';
import { formatMarkdown, formatPivotMarkdown, formatTable } from './report.js';
import { RUNNERS, runnerByName } from './runners/index.js';
import { renderSvg } from './svg.js';

const USAGE = `Usage: pnpm bench [options]

  --shapes S1,..      shapes (default all: ${SHAPES.map((s) => `${s.name} B${s.batch} T${s.steps} I${s.inputs} H${s.units}`).join(', ')})
  --cells C,..        ${CELLS.join(', ')} (default all)
  --runners R,..      ${RUNNERS.map((r) => r.name).join(', ')} (default all)
  --rounds N          timed rounds, runner order rotating each round (default 3; --quick 2)
  --calls N           timed calls per round at least; the round's median counts (default 10; --quick 3)
  --round-ms MS       fast runners get as many calls as fit in this (default 200; --quick 20)
  --max-round-ms MS   slower runners get fewer calls (at least 1, flagged) so a round fits in this (default 2000; --quick 100)
  --max-call-ms MS    a runner whose cross-check call took longer is timed by that one cold call (default 10000; --quick 500)
  --strict            always warm up and time --calls calls in every round, however slow (far longer)
  --warmup-ms MS      untimed calls after the cross-check, at least 1 (default 300; --quick 10)
  --baseline NAME     ratios are this runner's time in the same round (default cpu, else ort-raw)
  --reference NAME    outputs are compared with this runner's (default cpu)
  --tolerance X       max |a-b|/max(1,|b|) before a result is void (default 1e-4)
  --seed N            weights and inputs (default 1)
  --inline            run every runner in this process (default: a fresh process per runner and shape)
  --quick             CI smoke mode: S1 and S2, few calls (about 30 s with every runner on 2 cores)
  --json FILE         write the report (format rnn-bench/1)
  --svg FILE          write a GFLOP/s chart
  --markdown FILE     write a GFLOP/s summary (runner columns) and the table as Markdown
  -h, --help`;

interface CliOptions {
  readonly bench: BenchOptions;
  readonly json?: string;
  readonly svg?: string;
  readonly markdown?: string;
}

export function parseCli(argv: readonly string[]): CliOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      shapes: { type: 'string' },
      cells: { type: 'string' },
      runners: { type: 'string' },
      rounds: { type: 'string' },
      calls: { type: 'string' },
      'round-ms': { type: 'string' },
      'max-round-ms': { type: 'string' },
      'max-call-ms': { type: 'string' },
      strict: { type: 'boolean' },
      'warmup-ms': { type: 'string' },
      baseline: { type: 'string' },
      reference: { type: 'string' },
      tolerance: { type: 'string' },
      seed: { type: 'string' },
      inline: { type: 'boolean' },
      quick: { type: 'boolean' },
      json: { type: 'string' },
      svg: { type: 'string' },
      markdown: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const quick = values.quick ?? false;
  const list = (text: string | undefined) => text?.split(',').map((s) => s.trim()).filter(Boolean);
  const shapes = (list(values.shapes) ?? (quick ? ['S1', 'S2'] : SHAPES.map((s) => s.name))).map(shapeByName);
  const cells = (list(values.cells) ?? CELLS).map((c) => {
    if (!(CELLS as readonly string[]).includes(c)) throw new Error(`unknown cell "${c}" (have ${CELLS.join(', ')})`);
    return c as Cell;
  });
  const runners = (list(values.runners) ?? RUNNERS.map((r) => r.name)).map(runnerByName);
  const names = runners.map((r) => r.name);
  const baseline = values.baseline ?? (names.includes('cpu') ? 'cpu' : names.includes('ort-raw') ? 'ort-raw' : null);
  if (baseline !== null && !names.includes(baseline)) throw new Error(`--baseline ${baseline} is not among --runners (${names.join(', ')})`);
  const number = (text: string | undefined, fallback: number, what: string, min = 0) => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < min) throw new Error(`--${what} must be a number >= ${min}, got "${text}"`);
    return value;
  };
  const minCalls = Math.round(number(values.calls, quick ? 3 : 10, 'calls', 1));
  return {
    bench: {
      shapes,
      cells,
      runners,
      reference: runnerByName(values.reference ?? 'cpu'),
      baseline,
      rounds: Math.round(number(values.rounds, quick ? 2 : 3, 'rounds', 1)),
      minCalls,
      roundMs: number(values['round-ms'], quick ? 20 : 200, 'round-ms'),
      maxCalls: Math.max(minCalls, 1000),
      maxRoundMs: values.strict ? Infinity : number(values['max-round-ms'], quick ? 100 : 2000, 'max-round-ms'),
      maxCallMs: values.strict ? Infinity : number(values['max-call-ms'], quick ? 500 : 10_000, 'max-call-ms'),
      warmup: { minCalls: 1, minMs: number(values['warmup-ms'], quick ? 10 : 300, 'warmup-ms'), maxCalls: 10_000 },
      tolerance: number(values.tolerance, 1e-4, 'tolerance'),
      seed: Math.round(number(values.seed, 1, 'seed')),
      isolation: values.inline ? 'inline' : 'process',
    },
    json: values.json,
    svg: values.svg,
    markdown: values.markdown,
  };
}

/** A one-line bar on a terminal; on a pipe, a line every 10%. */
function progressBar(): (progress: Progress) => void {
  const started = Date.now();
  const tty = process.stderr.isTTY;
  let lastDecile = -1;
  return ({ done, total, label }) => {
    const fraction = total ? done / total : 1;
    const elapsed = `${Math.round((Date.now() - started) / 1000)}s`;
    if (tty) {
      const width = 24;
      const filled = Math.round(fraction * width);
      const text = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.round(fraction * 100)}% ${elapsed} ${label}`;
      process.stderr.write(`\r\x1b[K${text.slice(0, (process.stderr.columns || 100) - 1)}`);
      if (done >= total) process.stderr.write('\r\x1b[K');
    } else if (Math.floor(fraction * 10) > lastDecile) {
      lastDecile = Math.floor(fraction * 10);
      process.stderr.write(`${Math.round(fraction * 100)}% ${elapsed} ${label}\n`);
    }
  };
}

function write(file: string, text: string): void {
  const path = resolve(process.env.INIT_CWD || process.cwd(), file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  process.stderr.write(`wrote ${path}\n`);
}

export async function main(argv: readonly string[]): Promise<BenchReport | null> {
  const parsed = parseCli(argv);
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return null;
  }
  const report = await runBenchmark({ ...parsed.bench, onProgress: progressBar() });
  const { machine } = report;
  process.stdout.write(
    `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.os}; ${report.settings.rounds} rounds, ` +
      `single-threaded engines, ${report.settings.durationS}s\n\n${formatTable(report)}\n`,
  );
  if (parsed.json) write(parsed.json, `${JSON.stringify(report, null, 2)}\n`);
  if (parsed.svg) write(parsed.svg, renderSvg(report));
  if (parsed.markdown) write(parsed.markdown, `GFLOP/s:\n\n${formatPivotMarkdown(report)}\n\n${formatMarkdown(report)}\n`);
  return report;
}
