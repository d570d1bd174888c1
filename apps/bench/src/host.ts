import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Prepared, WarmupPlan } from './pool.js';
import { SessionPool } from './pool.js';
import type { Problem } from './problem.js';
import type { RunnerDefinition } from './runners/types.js';

/**
 * Where a runner's sessions live. `ProcessHost` (the default) gives each runner × shape a fresh
 * Node process, so one engine's JIT state, heap and thread pools never touch another's timings;
 * `InlineHost` runs in the harness's own process (tests, debugging, runners defined in code).
 */
export interface RunnerHost {
  readonly runner: RunnerDefinition;
  /** Loads the engine; resolves to `null`, or to why the runner is unavailable here. Never throws. */
  start(): Promise<string | null>;
  prepare(problem: Problem, warmup: WarmupPlan): Promise<Prepared>;
  time(key: string, calls: number): Promise<number[]>;
  close(): Promise<void>;
}

export type Isolation = 'process' | 'inline';

export function createHost(runner: RunnerDefinition, isolation: Isolation): RunnerHost {
  return isolation === 'inline' ? new InlineHost(runner) : new ProcessHost(runner);
}

export class InlineHost implements RunnerHost {
  private pool: SessionPool | null = null;

  constructor(readonly runner: RunnerDefinition) {}

  async start(): Promise<string | null> {
    try {
      this.pool = new SessionPool(await this.runner.load());
      return null;
    } catch (error) {
      return describeError(error);
    }
  }

  prepare(problem: Problem, warmup: WarmupPlan): Promise<Prepared> {
    return this.requirePool().prepare(problem, warmup);
  }

  time(key: string, calls: number): Promise<number[]> {
    return this.requirePool().time(key, calls);
  }

  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = null;
  }

  private requirePool(): SessionPool {
    if (!this.pool) throw new Error(`runner ${this.runner.name} is not started`);
    return this.pool;
  }
}

/** Requests to a worker (see worker.ts) and its replies, matched by `id`. */
export type WorkerRequest =
  | { readonly id: number; readonly op: 'start'; readonly runner: string }
  | { readonly id: number; readonly op: 'prepare'; readonly problem: Problem; readonly warmup: WarmupPlan }
  | { readonly id: number; readonly op: 'time'; readonly key: string; readonly calls: number }
  | { readonly id: number; readonly op: 'close' };

export type WorkerReply = { readonly id: number; readonly ok: true; readonly value: unknown } | { readonly id: number; readonly ok: false; readonly error: string };

/** The worker entry next to this module: `worker.js` when built, `worker.ts` when run from source through a TS loader. */
const WORKER_PATH = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url));

const CLOSE_TIMEOUT_MS = 5000;

/** Last characters of a worker's stderr kept for error messages. */
const STDERR_TAIL = 2000;

export class ProcessHost implements RunnerHost {
  private child: ChildProcess | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private stderr = '';
  private exited: string | null = null;

  constructor(readonly runner: RunnerDefinition) {}

  async start(): Promise<string | null> {
    const child = fork(WORKER_PATH, [], {
      // Inherits the harness's flags (e.g. a source loader).
      execArgv: process.execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child = child;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      this.stderr = (this.stderr + text).slice(-STDERR_TAIL);
    });
    child.on('message', (reply: WorkerReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.value);
      else waiter.reject(new Error(reply.error));
    });
    child.on('exit', (code, signal) => {
      const tail = this.stderr.trim().split('\n').slice(-3).join(' | ');
      this.exited = `worker for ${this.runner.name} exited (${signal ?? `code ${code}`})${tail ? `: ${tail}` : ''}`;
      for (const waiter of this.pending.values()) waiter.reject(new Error(this.exited));
      this.pending.clear();
    });
    try {
      await this.request({ op: 'start', runner: this.runner.name });
      return null;
    } catch (error) {
      return describeError(error);
    }
  }

  async prepare(problem: Problem, warmup: WarmupPlan): Promise<Prepared> {
    return (await this.request({ op: 'prepare', problem, warmup })) as Prepared;
  }

  async time(key: string, calls: number): Promise<number[]> {
    return (await this.request({ op: 'time', key, calls })) as number[];
  }

  async close(): Promise<void> {
    const child = this.child;
    if (!child || this.exited) return;
    const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await this.request({ op: 'close' }).catch(() => undefined);
    // The worker exits after replying; one stuck in native code is killed.
    const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_TIMEOUT_MS);
    await exit;
    clearTimeout(timer);
  }

  private request(message: DistributiveOmit<WorkerRequest, 'id'>): Promise<unknown> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child!.send({ ...message, id });
    });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export function describeError(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
