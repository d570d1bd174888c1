import { FormatError } from '@rnn/core';
import { createHdf5Session, type Hdf5Group, type Hdf5Session, type Hdf5WalkOptions } from './hdf5-session.js';

/** An open HDF5 file: its walked structure, and datasets read on demand. Always `close()` it. */
export interface Hdf5File {
  readonly root: Hdf5Group;
  read(paths: readonly string[], maxBytes: number): Promise<Float32Array[]>;
  close(): Promise<void>;
}

/** Where HDF5 parsing runs: in this thread (browsers), or in a worker that can be stopped (Node). */
export interface Hdf5Reader {
  open(bytes: Uint8Array, options: Hdf5WalkOptions): Promise<Hdf5File>;
}

/** Maps whatever h5wasm threw (an HDF5 failure, a wasm trap) to a FormatError. */
export function hdf5Error(error: unknown): FormatError {
  if (error instanceof FormatError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new FormatError(`HDF5: ${message}; the file is truncated, corrupt or not a Keras model file`, { field: 'hdf5' });
}

/** Runs one file at a time: a second `open` waits until the first file is closed. */
export class FileLock {
  private tail: Promise<void> = Promise.resolve();

  async acquire(): Promise<() => void> {
    let release!: () => void;
    const previous = this.tail;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    return release;
  }
}

/**
 * Parses in the calling thread. A corrupt file that sends HDF5 into an endless loop blocks this
 * thread: in browsers, call the loader from a Web Worker when files may be hostile.
 */
export function inThreadHdf5Reader(): Hdf5Reader {
  let session: Promise<Hdf5Session> | undefined;
  const lock = new FileLock();
  const start = async (): Promise<Hdf5Session> => {
    const h5wasm = await import('h5wasm');
    const module = await h5wasm.ready;
    return createHdf5Session(h5wasm, module);
  };
  return {
    async open(bytes, options) {
      const release = await lock.acquire();
      try {
        session ??= start();
        const current = await session;
        const root = current.open(bytes, options);
        let closed = false;
        return {
          root,
          read: async (paths, maxBytes) => {
            try {
              return current.read(paths, maxBytes);
            } catch (error) {
              throw hdf5Error(error);
            }
          },
          close: async () => {
            if (closed) return;
            closed = true;
            try {
              current.close();
            } catch {
              // A file HDF5 cannot close cleanly is dropped all the same; the load already has its result or error.
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
