import { Worker } from 'node:worker_threads';
import { FormatError } from '@rnn/core';
import { FileLock, hdf5Error, type Hdf5File, type Hdf5Reader } from './hdf5-reader.js';
import { createHdf5Session, type Hdf5Group } from './hdf5-session.js';

/**
 * Node: HDF5 parsing runs in a worker thread. A corrupt file can send HDF5 into an endless loop
 * (seen with a damaged global heap) or trap inside wasm; the worker is then terminated and a fresh
 * one, with a fresh h5wasm module, serves the next file.
 */

export interface WorkerReaderOptions {
  /** Time one step (open+walk, or reading weights) may take before the file is declared corrupt: `base + bytes / bytesPerMs`. */
  readonly timeoutMs?: number;
}

/** Generous for a healthy file: HDF5 reads hundreds of MB/s; a hung parse is stopped after this. */
const DEFAULT_TIMEOUT_MS = 15_000;
/** Starting a worker (compiling h5wasm) reads no file, so it cannot hang on one: only a broken install stops it. */
const STARTUP_TIMEOUT_MS = 120_000;
const BYTES_PER_MS = 50_000;

type Request = { op: 'open'; bytes: Uint8Array; options: unknown } | { op: 'read'; paths: readonly string[]; maxBytes: number } | { op: 'close' };
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; message: string; fatal: boolean };

/** The worker's program: h5wasm plus the session, whose source text is inlined (see createHdf5Session). */
function workerSource(): string {
  // Only dynamic imports: eval'd code runs as CommonJS or, under --input-type=module, as ESM.
  return `
import('node:worker_threads').then(async ({ parentPort, workerData }) => {
  try {
    const h5wasm = await import(workerData.h5wasmUrl);
    const module = await h5wasm.ready;
    const session = (${createHdf5Session.toString()})(h5wasm, module);
    parentPort.on('message', ({ id, request }) => {
      try {
        let result;
        let transfer = [];
        if (request.op === 'open') result = session.open(request.bytes, request.options);
        else if (request.op === 'read') {
          result = session.read(request.paths, request.maxBytes);
          transfer = result.map((array) => array.buffer);
        } else result = session.close();
        parentPort.postMessage({ id, ok: true, result }, transfer);
      } catch (error) {
        const name = error && error.name ? String(error.name) : '';
        const message = error && error.message ? String(error.message) : String(error);
        parentPort.postMessage({ id, ok: false, message, fatal: name === 'RuntimeError' || message.includes('Aborted(') });
      }
    });
    parentPort.postMessage({ id: 0, ok: true, result: 'ready' });
  } catch (error) {
    parentPort.postMessage({ id: 0, ok: false, message: String((error && error.message) || error), fatal: true });
  }
});
`;
}

class IsolatedSession {
  private readonly worker: Worker;
  private nextId = 1;
  private pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private dead: Error | null = null;
  readonly ready: Promise<unknown>;

  constructor(h5wasmUrl: string) {
    // No piped stdio: piped streams would keep the process alive after the last load (HDF5's own
    // diagnostics are captured inside the worker, see createHdf5Session).
    this.worker = new Worker(workerSource(), { eval: true, workerData: { h5wasmUrl } });
    this.worker.unref();
    this.ready = new Promise((resolve, reject) => this.pending.set(0, { resolve, reject }));
    this.worker.on('message', (reply: Reply) => this.settle(reply));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`the HDF5 worker exited (code ${code})`)));
  }

  get alive(): boolean {
    return this.dead === null;
  }

  private settle(reply: Reply): void {
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if (reply.ok) {
      waiter.resolve(reply.result);
    } else {
      if (reply.fatal) this.terminate(new Error(reply.message));
      waiter.reject(new Error(reply.message));
    }
    if (this.pending.size === 0) this.worker.unref();
  }

  private fail(error: Error): void {
    this.dead ??= error;
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }

  terminate(reason: Error): void {
    this.fail(reason);
    void this.worker.terminate();
  }

  async call(request: Request, timeoutMs: number): Promise<unknown> {
    if (this.dead) throw this.dead;
    const id = this.nextId++;
    this.worker.ref();
    const reply = new Promise<unknown>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.worker.postMessage({ id, request });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new FormatError(
          `HDF5 parsing did not finish within ${timeoutMs} ms; the file is corrupt (or raise the HDF5 timeout if it is a healthy, very large file)`,
          { field: 'hdf5', expected: `<= ${timeoutMs} ms` },
        );
        this.terminate(error);
        reject(error);
      }, timeoutMs);
    });
    try {
      return await Promise.race([reply, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** An HDF5 reader whose parsing runs in a worker thread with a time limit per step. */
export function workerHdf5Reader(options: WorkerReaderOptions = {}): Hdf5Reader {
  const base = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const lock = new FileLock();
  let session: IsolatedSession | undefined;

  const liveSession = async (): Promise<IsolatedSession> => {
    if (!session || !session.alive) {
      session = new IsolatedSession(import.meta.resolve('h5wasm'));
      try {
        await withTimeout(session.ready, STARTUP_TIMEOUT_MS, 'the HDF5 worker did not start');
      } catch (error) {
        session.terminate(error instanceof Error ? error : new Error(String(error)));
        throw new FormatError(`cannot start the HDF5 reader: ${error instanceof Error ? error.message : String(error)}`, { field: 'hdf5' });
      }
    }
    return session;
  };

  return {
    async open(bytes, walkOptions): Promise<Hdf5File> {
      const release = await lock.acquire();
      try {
        const current = await liveSession();
        const root = (await current.call({ op: 'open', bytes, options: walkOptions }, stepTimeout(base, bytes.length))) as Hdf5Group;
        let closed = false;
        return {
          root,
          async read(paths, maxBytes) {
            try {
              return (await current.call({ op: 'read', paths, maxBytes }, stepTimeout(base, maxBytes))) as Float32Array[];
            } catch (error) {
              throw hdf5Error(error);
            }
          },
          async close() {
            if (closed) return;
            closed = true;
            try {
              if (current.alive) await current.call({ op: 'close' }, base);
            } catch {
              // A file that cannot be closed cleanly is dropped with its worker below.
              current.terminate(new Error('the HDF5 worker was reset'));
            } finally {
              release();
            }
          },
        };
      } catch (error) {
        release();
        throw hdf5Error(error);
      }
    },
  };
}

function stepTimeout(base: number, bytes: number): number {
  return Math.ceil(base + bytes / BYTES_PER_MS);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
