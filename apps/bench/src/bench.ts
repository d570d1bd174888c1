import type { Isolation, RunnerHost } from './host.js';
import { createHost, describeError } from './host.js';
import type { MachineInfo } from './machine.js';
import { machineInfo } from './machine.js';
import type { Prepared, WarmupPlan } from './pool.js';
import { median } from './pool.js';
import type { Cell, Problem, Shape } from './problem.js';
import { flopsPerCall, problemKey } from './problem.js';
import type { RunnerDefinition } from './runners/types.js';

export const REPORT_FORMAT = 'rnn-bench/1';

export interface BenchOptions {
  readonly shapes: readonly Shape[];
  readonly cells: readonly Cell[];
  readonly runners: readonly RunnerDefinition[];
  /** Outputs are compared with this runner's (the `cpu` backend by default). */
  readonly reference: RunnerDefinition;
  /** Ratios are paired with this runner's time in the same round; `null` = no ratios. */
  readonly baseline: string | null;
  readonly rounds: number;
  /** Timed calls per round, at least. */
  readonly minCalls: number;
  /** Fast runners get more calls: as many as fit in this many ms per round (up to `maxCalls`). */
  readonly roundMs: number;
  readonly maxCalls: number;
  /**
   * A runner whose `minCalls` would take longer than this per round gets fewer and is flagged in the
   * report (`calls`); one whose single call takes longer is timed once, in the first round only, its
   * cross-check call serving as warm-up. `Infinity` always gives `minCalls` in every round.
   */
  readonly maxRoundMs: number;
  /**
   * A runner whose cross-check call took longer than this is not called again: that one cold call is
   * its time (flagged). Keeps a full run bounded when a peer needs minutes per call.
   */
  readonly maxCallMs: number;
  readonly warmup: Omit<WarmupPlan, 'slowCallMs'>;
  /** Cross-check rule: `|a-b| / max(1, |b|)` at most this, else the result is void. */
  readonly tolerance: number;
  readonly seed: number;
  readonly isolation: Isolation;
  readonly onProgress?: (progress: Progress) => void;
}

export interface Progress {
  readonly done: number;
  readonly total: number;
  readonly label: string;
}

export type ResultStatus = 'ok' | 'void' | 'failed' | 'unavailable';

export interface BenchResult {
  readonly shape: string;
  readonly cell: Cell;
  readonly runner: string;
  /** `null` unless `status` is `ok`. */
  readonly medianMs: number | null;
  readonly gflops: number | null;
  /** Largest `|a-b| / max(1, |b|)` against the reference; `null` when not compared. */
  readonly maxError: number | null;
  readonly status: ResultStatus;
  /** Median over rounds of (this runner's round median ÷ the baseline's round median): < 1 is faster. */
  readonly ratio: number | null;
  /** What really ran (e.g. `auto` → `onnx:cpu`). */
  readonly backend: string | null;
  readonly kind: 'rnn' | 'peer';
  /** GRU variant this runner ran (tf.layers: false). */
  readonly resetAfter?: boolean;
  readonly flopsPerCall: number;
  /** Timed calls per round. */
  readonly calls: number | null;
  /** Median ms of each round it was timed in (a runner slower than `maxRoundMs` per call: the first only). */
  readonly roundMs: readonly number[];
  /** The time is the cross-check's single cold call (slower than `maxCallMs`), not a timed round. */
  readonly cold?: boolean;
  /** Why it is void, failed or unavailable. */
  readonly reason?: string;
}

export interface BenchReport {
  readonly format: typeof REPORT_FORMAT;
  readonly machine: MachineInfo;
  readonly settings: {
    readonly shapes: readonly string[];
    readonly cells: readonly Cell[];
    readonly runners: readonly string[];
    readonly reference: string;
    readonly baseline: string | null;
    readonly rounds: number;
    readonly minCalls: number;
    readonly roundMs: number;
    readonly maxRoundMs: number | null;
    readonly maxCallMs: number | null;
    readonly tolerance: number;
    readonly seed: number;
    readonly isolation: Isolation;
    readonly startedAt: string;
    readonly durationS: number;
  };
  readonly results: readonly BenchResult[];
}

/** Largest `|a-b| / max(1, |b|)`, or Infinity on a size mismatch or a non-finite value. */
export function maxRelativeError(got: Float32Array, want: Float32Array): number {
  if (got.length !== want.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const error = Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i]));
    if (!(error <= worst)) worst = Number.isNaN(error) ? Infinity : error;
  }
  return worst;
}

interface Entry {
  readonly runner: RunnerDefinition;
  readonly problem: Problem;
  status: ResultStatus;
  reason?: string;
  backend: string | null;
  maxError: number | null;
  calls: number | null;
  callMs: number | null;
  /** Timed by its cross-check call alone (see `maxCallMs`). */
  coldOnly: boolean;
  readonly rounds: number[];
  readonly ratios: number[];
}

/**
 * Runs every shape: per shape, one host per runner (a fresh process by default); every runner is
 * prepared and cross-checked, then timed in `rounds` rounds whose runner order rotates, each round a
 * median of back-to-back calls; ratios pair a runner with the baseline inside the same round.
 */
export async function runBenchmark(options: BenchOptions): Promise<BenchReport> {
  const startedAt = new Date();
  const progress = new ProgressCounter(options);
  const results: BenchResult[] = [];
  for (const shape of options.shapes) results.push(...(await benchShape(shape, options, progress)));
  return {
    format: REPORT_FORMAT,
    machine: machineInfo(),
    settings: {
      shapes: options.shapes.map((s) => s.name),
      cells: options.cells,
      runners: options.runners.map((r) => r.name),
      reference: options.reference.name,
      baseline: options.baseline,
      rounds: options.rounds,
      minCalls: options.minCalls,
      roundMs: options.roundMs,
      maxRoundMs: Number.isFinite(options.maxRoundMs) ? options.maxRoundMs : null,
      maxCallMs: Number.isFinite(options.maxCallMs) ? options.maxCallMs : null,
      tolerance: options.tolerance,
      seed: options.seed,
      isolation: options.isolation,
      startedAt: startedAt.toISOString(),
      durationS: Math.round((Date.now() - startedAt.getTime()) / 100) / 10,
    },
    results,
  };
}

class ProgressCounter {
  private done = 0;
  private readonly total: number;

  constructor(private readonly options: BenchOptions) {
    // Per runner and case: one preparation and `rounds` timed batches.
    this.total = options.shapes.length * options.cells.length * options.runners.length * (1 + options.rounds);
  }

  advance(units: number, label: string): void {
    this.done += units;
    this.options.onProgress?.({ done: this.done, total: this.total, label });
  }
}

async function benchShape(shape: Shape, options: BenchOptions, progress: ProgressCounter): Promise<BenchResult[]> {
  const hosts = options.runners.map((runner) => createHost(runner, options.isolation));
  const referenceHost = hosts.find((h) => h.runner.name === options.reference.name) ?? createHost(options.reference, options.isolation);
  const allHosts = hosts.includes(referenceHost) ? hosts : [...hosts, referenceHost];
  progress.advance(0, `${shape.name}: starting ${allHosts.length} runners`);
  const unavailable = new Map<RunnerHost, string | null>();
  await Promise.all(allHosts.map(async (host) => unavailable.set(host, await host.start())));
  try {
    const entries: Entry[] = [];
    for (const cell of options.cells) {
      entries.push(...(await prepareCell(shape, cell, hosts, referenceHost, unavailable, options, progress)));
    }
    await timeRounds(shape, entries, hosts, options, progress);
    return entries.map((entry) => toResult(entry, shape));
  } finally {
    await Promise.all(allHosts.map((host) => host.close().catch(() => undefined)));
  }
}

async function prepareCell(
  shape: Shape,
  cell: Cell,
  hosts: readonly RunnerHost[],
  referenceHost: RunnerHost,
  unavailable: ReadonlyMap<RunnerHost, string | null>,
  options: BenchOptions,
  progress: ProgressCounter,
): Promise<Entry[]> {
  const problemFor = (runner: RunnerDefinition): Problem => ({
    shape,
    cell,
    resetAfter: cell === 'gru' ? runner.gruResetAfter : false,
    seed: options.seed,
  });
  const prepared = new Map<string, Prepared | string>();
  const prepare = async (host: RunnerHost, problem: Problem, warmup: WarmupPlan): Promise<Prepared | string> => {
    const id = `${host.runner.name}|${problemKey(problem)}`;
    if (!prepared.has(id)) {
      const reason = unavailable.get(host);
      prepared.set(id, reason ?? (await host.prepare(problem, warmup).catch(describeError)));
    }
    return prepared.get(id)!;
  };

  // Reference outputs, one per GRU variant in use. A benchmarked reference runner reuses its session
  // (warmed up); a variant only needed for comparison is built without warm-up.
  const noWarmup: WarmupPlan = { minCalls: 0, minMs: 0, maxCalls: 0, slowCallMs: 0 };
  const ownProblemKey = problemKey(problemFor(referenceHost.runner));
  const references = new Map<string, Float32Array | string>();
  for (const problem of hosts.map((h) => problemFor(h.runner))) {
    const key = problemKey(problem);
    if (references.has(key)) continue;
    const benchmarked = hosts.includes(referenceHost) && key === ownProblemKey;
    const reference = await prepare(referenceHost, problem, benchmarked ? { ...options.warmup, slowCallMs: options.maxRoundMs } : noWarmup);
    references.set(key, typeof reference === 'string' ? `reference ${referenceHost.runner.name} failed: ${reference}` : reference.output);
  }

  const entries: Entry[] = [];
  for (const host of hosts) {
    const problem = problemFor(host.runner);
    progress.advance(0, `${shape.name} ${cell} ${host.runner.name}: preparing`);
    const outcome = await prepare(host, problem, { ...options.warmup, slowCallMs: options.maxRoundMs });
    const entry: Entry = { runner: host.runner, problem, status: 'ok', backend: null, maxError: null, calls: null, callMs: null, coldOnly: false, rounds: [], ratios: [] };
    if (typeof outcome === 'string') {
      entry.status = unavailable.get(host) ? 'unavailable' : 'failed';
      entry.reason = outcome;
    } else {
      entry.backend = outcome.backend;
      entry.callMs = outcome.callMs;
      entry.coldOnly = outcome.cold && outcome.callMs > options.maxCallMs;
      entry.calls = entry.coldOnly ? 1 : callsPerRound(outcome.callMs, options);
      const reference = references.get(problemKey(problem))!;
      if (typeof reference === 'string') {
        entry.reason = reference;
      } else {
        entry.maxError = maxRelativeError(outcome.output, reference);
        if (!(entry.maxError <= options.tolerance)) {
          entry.status = 'void';
          entry.reason = `output differs from ${referenceHost.runner.name}: max error ${formatError(entry.maxError)} > ${options.tolerance}`;
        }
      }
    }
    entries.push(entry);
    progress.advance(1, `${shape.name} ${cell} ${host.runner.name}: ${entry.status}`);
  }
  return entries;
}

export function callsPerRound(callMs: number, options: BenchOptions): number {
  const ms = Math.max(callMs, 1e-3);
  const wanted = Math.min(options.maxCalls, Math.max(options.minCalls, Math.floor(options.roundMs / ms)));
  if (wanted * ms <= options.maxRoundMs) return wanted;
  return Math.max(1, Math.floor(options.maxRoundMs / ms));
}

async function timeRounds(shape: Shape, entries: Entry[], hosts: readonly RunnerHost[], options: BenchOptions, progress: ProgressCounter): Promise<void> {
  const hostOf = new Map(hosts.map((h) => [h.runner, h]));
  for (let round = 0; round < options.rounds; round++) {
    for (const cell of options.cells) {
      const inCell = entries.filter((e) => e.problem.cell === cell);
      const shift = round % Math.max(1, inCell.length);
      const order = [...inCell.slice(shift), ...inCell.slice(0, shift)];
      const roundMedian = new Map<Entry, number>();
      for (const entry of order) {
        const slow = entry.callMs! > options.maxRoundMs;
        if (entry.status === 'ok' && entry.coldOnly && round === 0) {
          entry.rounds.push(entry.callMs!);
          roundMedian.set(entry, entry.callMs!);
        } else if (entry.status === 'ok' && !entry.coldOnly && (round === 0 || !slow)) {
          progress.advance(0, `${shape.name} ${cell} ${entry.runner.name}: round ${round + 1}/${options.rounds}`);
          try {
            const times = await hostOf.get(entry.runner)!.time(problemKey(entry.problem), entry.calls!);
            const value = median(times);
            entry.rounds.push(value);
            roundMedian.set(entry, value);
          } catch (error) {
            entry.status = 'failed';
            entry.reason = describeError(error);
          }
        }
        progress.advance(1, `${shape.name} ${cell} ${entry.runner.name}: round ${round + 1}/${options.rounds}`);
      }
      const baseline = inCell.find((e) => e.runner.name === options.baseline);
      const baselineMs = baseline ? roundMedian.get(baseline) : undefined;
      if (baselineMs !== undefined) {
        for (const [entry, ms] of roundMedian) entry.ratios.push(ms / baselineMs);
      }
    }
  }
}

function toResult(entry: Entry, shape: Shape): BenchResult {
  const ok = entry.status === 'ok' && entry.rounds.length > 0;
  const flops = flopsPerCall(shape, entry.problem.cell);
  const medianMs = ok ? median(entry.rounds) : null;
  return {
    shape: shape.name,
    cell: entry.problem.cell,
    runner: entry.runner.name,
    medianMs,
    gflops: medianMs === null ? null : flops / (medianMs * 1e6),
    maxError: entry.maxError,
    status: entry.status,
    ratio: ok && entry.ratios.length ? median(entry.ratios) : null,
    backend: entry.backend,
    kind: entry.runner.kind,
    ...(entry.problem.cell === 'gru' ? { resetAfter: entry.problem.resetAfter } : {}),
    flopsPerCall: flops,
    calls: entry.calls,
    roundMs: entry.rounds,
    ...(entry.coldOnly ? { cold: true } : {}),
    ...(entry.reason ? { reason: entry.reason } : {}),
  };
}

export function formatError(error: number): string {
  return Number.isFinite(error) ? error.toExponential(1) : String(error);
}
