import type { Problem } from './problem.js';
import { STREAM_CHECK_STEPS, problemData, problemKey } from './problem.js';
import type { Runner, RunnerSession } from './runners/types.js';

/** How long a freshly built session runs untimed before its first timed round (JIT, caches, allocators). */
export interface WarmupPlan {
  readonly minCalls: number;
  readonly minMs: number;
  readonly maxCalls: number;
  /** A runner whose cross-check call took this long is already warm enough: it gets no further calls. */
  readonly slowCallMs: number;
}

export interface Prepared {
  readonly backend: string;
  /** The cross-check output (see `RunnerSession.check`). */
  readonly output: Float32Array;
  /** Median warm-up call time (for a slow runner, the cross-check's time per call): it sizes the timed rounds. */
  readonly callMs: number;
  /** No warm-up ran: `callMs` comes from the (cold) cross-check. */
  readonly cold: boolean;
}

/** The sessions of one runner in one process (a worker, or the harness itself with `--inline`). */
export class SessionPool {
  private readonly sessions = new Map<string, RunnerSession>();

  constructor(private readonly runner: Runner) {}

  async prepare(problem: Problem, warmup: WarmupPlan): Promise<Prepared> {
    const key = problemKey(problem);
    if (this.sessions.has(key)) throw new Error(`${key} is already prepared`);
    const session = await this.runner.create(problem, problemData(problem));
    this.sessions.set(key, session);
    const checkStart = performance.now();
    const output = await session.check();
    // A streaming check is STREAM_CHECK_STEPS calls.
    const checkMs = (performance.now() - checkStart) / (problem.shape.streaming ? STREAM_CHECK_STEPS : 1);
    if (checkMs >= warmup.slowCallMs) return { backend: session.backend, output, callMs: checkMs, cold: true };
    const times: number[] = [];
    const start = performance.now();
    while (times.length < warmup.minCalls || (performance.now() - start < warmup.minMs && times.length < warmup.maxCalls)) {
      const t0 = performance.now();
      await session.call();
      times.push(performance.now() - t0);
    }
    return times.length
      ? { backend: session.backend, output, callMs: median(times), cold: false }
      : { backend: session.backend, output, callMs: checkMs, cold: true };
  }

  /**
   * `calls` back-to-back calls, each timed on its own. No forced `gc()` first: after one, V8 shrinks
   * the young generation and the round that follows ran 5–8% slower for every runner (ort-raw S2 LSTM
   * 99 → 106 µs), more in processes with larger heaps; the round's median already leaves out the few
   * calls a collection lands in.
   */
  async time(key: string, calls: number): Promise<number[]> {
    const session = this.sessions.get(key);
    if (!session) throw new Error(`${key} was not prepared`);
    const times = new Array<number>(calls);
    for (let i = 0; i < calls; i++) {
      const t0 = performance.now();
      await session.call();
      times[i] = performance.now() - t0;
    }
    return times;
  }

  /** Disposes every session, even when one fails; then reports the first failure. */
  async close(): Promise<void> {
    const results = await Promise.allSettled([...this.sessions.values()].map((session) => session.dispose()));
    this.sessions.clear();
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
  }
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
