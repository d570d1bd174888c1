import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { BenchOptions, BenchReport } from '../src/bench.js';
import { REPORT_FORMAT, callsPerRound, maxRelativeError, runBenchmark } from '../src/bench.js';
import { parseCli } from '../src/main.js';
import { shapeByName } from '../src/problem.js';
import { formatTable } from '../src/report.js';
import { runnerByName } from '../src/runners/index.js';
import type { RunnerDefinition } from '../src/runners/types.js';
import { renderSvg } from '../src/svg.js';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** The cpu backend with one output value shifted by 0.01 (2% of a typical value): a wrong runner. */
const WRONG_BY = 0.01;
const wrongRunner: RunnerDefinition = {
  ...runnerByName('cpu'),
  name: 'wrong-cpu',
  async load() {
    const inner = await runnerByName('cpu').load();
    return {
      async create(problem, data) {
        const session = await inner.create(problem, data);
        return {
          backend: 'cpu, one output off by 0.01',
          call: () => session.call(),
          dispose: () => session.dispose(),
          async check() {
            const output = Float32Array.from(await session.check());
            output[7] += WRONG_BY;
            return output;
          },
        };
      },
    };
  },
};

function quickOptions(overrides: Partial<BenchOptions>): BenchOptions {
  const cli = parseCli(['--quick']);
  if (cli === 'help') throw new Error('unreachable');
  return { ...cli.bench, ...overrides };
}

function expectReportShape(report: BenchReport): void {
  const json = JSON.parse(JSON.stringify(report)) as BenchReport;
  expect(json.format).toBe('rnn-bench/1');
  expect(json.machine.cpu).toEqual(expect.any(String));
  expect(json.machine.cores).toBeGreaterThan(0);
  expect(json.machine.node).toBe(process.version);
  expect(json.machine.os).toEqual(expect.any(String));
  for (const result of json.results) {
    expect(Object.keys(result)).toEqual(expect.arrayContaining(['shape', 'cell', 'runner', 'medianMs', 'gflops', 'maxError']));
  }
}

describe('runBenchmark (inline)', () => {
  it('cross-checks every runner against cpu, times the right ones and voids the wrong one', async () => {
    const report = await runBenchmark(
      quickOptions({
        shapes: [shapeByName('S2')],
        cells: ['lstm'],
        runners: [runnerByName('cpu'), runnerByName('ort-raw'), wrongRunner],
        rounds: 2,
        isolation: 'inline',
      }),
    );
    expectReportShape(report);
    expect(report.format).toBe(REPORT_FORMAT);
    const byRunner = Object.fromEntries(report.results.map((r) => [r.runner, r]));
    expect(Object.keys(byRunner)).toEqual(['cpu', 'ort-raw', 'wrong-cpu']);

    expect(byRunner.cpu).toMatchObject({ shape: 'S2', cell: 'lstm', status: 'ok', maxError: 0, ratio: 1 });
    // 2·G·H·(I+H)·B·T for LSTM (G=4), H=64, I=32, B=1, T=50.
    expect(byRunner.cpu.flopsPerCall).toBe(2 * 4 * 64 * 96 * 50);
    expect(byRunner.cpu.medianMs).toBeGreaterThan(0);
    expect(byRunner.cpu.gflops).toBeCloseTo(byRunner.cpu.flopsPerCall / (byRunner.cpu.medianMs! * 1e6), 10);
    expect(byRunner.cpu.roundMs).toHaveLength(2);

    // An independent ONNX graph (gates reordered i,o,f,c) agrees with the cpu backend.
    expect(byRunner['ort-raw'].status).toBe('ok');
    expect(byRunner['ort-raw'].maxError).toBeLessThan(1e-5);
    expect(byRunner['ort-raw'].ratio).toBeGreaterThan(0);

    const wrong = byRunner['wrong-cpu'];
    expect(wrong.status).toBe('void');
    expect(wrong.maxError).toBeGreaterThan(WRONG_BY / 2);
    expect(wrong.maxError).toBeLessThan(WRONG_BY * 2);
    expect(wrong.medianMs).toBeNull();
    expect(wrong.gflops).toBeNull();
    expect(wrong.reason).toMatch(/max error 1\.0e-2/);

    const table = formatTable(report);
    expect(table).toMatch(/wrong-cpu\s+VOID\s+-\s+-\s+1\.0e-2\s+wrong result, not timed/);
    const svg = renderSvg(report);
    expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(2);
    expect(svg).toContain('wrong-cpu: void');
  });

  it('reports a runner whose engine cannot load as unavailable instead of failing', async () => {
    const missing: RunnerDefinition = {
      ...runnerByName('cpu'),
      name: 'missing',
      async load() {
        const specifier: string = '@rnn/backend-does-not-exist';
        await import(specifier);
        throw new Error('unreachable');
      },
    };
    const report = await runBenchmark(
      quickOptions({ shapes: [shapeByName('S1')], cells: ['simple_rnn'], runners: [runnerByName('cpu'), missing], rounds: 1, isolation: 'inline' }),
    );
    const [cpu, unavailable] = report.results;
    expect(cpu.status).toBe('ok');
    expect(unavailable).toMatchObject({ runner: 'missing', status: 'unavailable', medianMs: null, maxError: null });
    expect(unavailable.reason).toMatch(/backend-does-not-exist/);
  });

  it('times a runner slower than --max-call-ms by its single cold cross-check call', async () => {
    const report = await runBenchmark(
      quickOptions({ shapes: [shapeByName('S2')], cells: ['gru'], runners: [runnerByName('cpu')], rounds: 3, maxRoundMs: 0, maxCallMs: 0, isolation: 'inline' }),
    );
    const [cpu] = report.results;
    expect(cpu).toMatchObject({ status: 'ok', cold: true, calls: 1, maxError: 0 });
    expect(cpu.roundMs).toHaveLength(1);
    expect(cpu.medianMs).toBe(cpu.roundMs[0]);
    expect(formatTable(report)).toContain('very slow: one cold call, not warmed up');
  });
});

describe('pnpm bench (worker processes)', () => {
  it('runs --quick from the CLI and writes the JSON report and the chart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnn-bench-'));
    const args = [
      '--conditions=@rnn/source',
      '--import',
      './test/support/register-ts.mjs',
      'src/cli.ts',
      '--quick',
      '--shapes',
      'S1',
      '--cells',
      'gru',
      '--runners',
      'cpu,tfjs-layers:cpu',
      '--rounds',
      '1',
      '--json',
      join(dir, 'report.json'),
      '--svg',
      join(dir, 'chart.svg'),
    ];
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: packageRoot });
    expect(stdout).toMatch(/S1\s+gru\s+tfjs-layers:cpu\s+[\d.]+\s+[\d.e-]+\s+[\d.e-]+x\s+[\d.e-]+\s+reset_after=false/);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as BenchReport;
    expectReportShape(report);
    expect(report.settings.isolation).toBe('process');
    const [cpu, layers] = report.results;
    expect(cpu).toMatchObject({ runner: 'cpu', status: 'ok', resetAfter: true, maxError: 0 });
    // tf.layers' GRU only has reset_after=false: it is checked against a reset_after=false cpu model.
    expect(layers).toMatchObject({ runner: 'tfjs-layers:cpu', status: 'ok', resetAfter: false, backend: 'tf.layers on tfjs-cpu' });
    expect(layers.maxError).toBeLessThan(1e-5);
    expect(readFileSync(join(dir, 'chart.svg'), 'utf8')).toMatch(/^<svg [^]*<\/svg>\n$/);
  }, 240_000);
});

describe('measurement rules', () => {
  it('compares with |a-b| / max(1, |b|) and treats NaN or a size mismatch as infinitely wrong', () => {
    // |0.75-0.5| / 1 = 0.25 (absolute below 1); |10.5-10| / 10 = 0.05 (relative above).
    expect(maxRelativeError(Float32Array.of(0.75, 10.5), Float32Array.of(0.5, 10))).toBeCloseTo(0.25, 6);
    expect(maxRelativeError(Float32Array.of(NaN), Float32Array.of(0))).toBe(Infinity);
    expect(maxRelativeError(Float32Array.of(1), Float32Array.of(1, 2))).toBe(Infinity);
  });

  it('gives fast runners more calls per round and slow ones fewer, at least one', () => {
    const options = quickOptions({ minCalls: 10, roundMs: 200, maxCalls: 1000, maxRoundMs: 2000 });
    expect(callsPerRound(0.01, options)).toBe(1000);
    expect(callsPerRound(5, options)).toBe(40);
    expect(callsPerRound(100, options)).toBe(10);
    expect(callsPerRound(500, options)).toBe(4);
    expect(callsPerRound(5000, options)).toBe(1);
    expect(callsPerRound(5000, { ...options, maxRoundMs: Infinity })).toBe(10);
  });

  it('parses the CLI contract', () => {
    const quick = parseCli(['--quick', '--runners', 'ort-raw,tfjs-layers:wasm']);
    if (quick === 'help') throw new Error('expected options');
    expect(quick.bench.shapes.map((s) => s.name)).toEqual(['S1', 'S2']);
    expect(quick.bench.cells).toEqual(['lstm', 'gru', 'simple_rnn']);
    expect(quick.bench.baseline).toBe('ort-raw');
    expect(() => parseCli(['--runners', 'nope'])).toThrow(/unknown runner "nope"/);
    expect(() => parseCli(['--cells', 'rnn'])).toThrow(/unknown cell "rnn"/);
    expect(() => parseCli(['--rounds', 'x'])).toThrow(/--rounds must be a number/);
  });
});
