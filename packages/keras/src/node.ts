import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { FormatError } from '@rnn/core';
import type { Model } from '@rnn/core';
import type { Hdf5Reader } from './hdf5-reader.js';
import { workerHdf5Reader } from './hdf5-worker.js';
import { resolveLimits, checkSize } from './limits.js';
import { loadFromBytes, modelFromLoaded, type LoadedKerasModel } from './loader.js';
import type { BytesLoadOptions, LoadModelOptions } from './index.js';

export * from './index.js';
export { workerHdf5Reader, type WorkerReaderOptions } from './hdf5-worker.js';

export type ModelFileSource = string | URL | Uint8Array | ArrayBuffer;

export interface NodeLoadOptions extends BytesLoadOptions {
  /** Time one HDF5 step may take before the file is declared corrupt (default 15 s plus 1 s per 50 MB). */
  readonly hdf5TimeoutMs?: number;
}

/** One worker reader per timeout setting, shared by every load. */
const readers = new Map<number | undefined, Hdf5Reader>();

function sharedReader(timeoutMs: number | undefined): Hdf5Reader {
  let reader = readers.get(timeoutMs);
  if (!reader) readers.set(timeoutMs, (reader = workerHdf5Reader({ timeoutMs })));
  return reader;
}

async function readSource(source: string | URL, maxBytes: number): Promise<Uint8Array> {
  const path = source instanceof URL ? fileURLToPath(source) : source;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new FormatError(`${path} is not a file`, { field: 'path', actual: path });
    checkSize(path, info.size, maxBytes, 'maxFileBytes');
    return new Uint8Array(await readFile(path));
  } catch (error) {
    if (error instanceof FormatError) throw error;
    const code = (error as { code?: string }).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : error instanceof Error ? error.message : String(error);
    throw new FormatError(`cannot read ${path}: ${reason}`, { field: 'path', actual: path });
  }
}

/**
 * Reads a Keras model file (path, file URL, or bytes): a Keras 3 `.keras` zip or a legacy `.h5`
 * written by Keras 3 or tf.keras 2.x. HDF5 parsing runs in a worker thread with a time limit, so a
 * corrupt file ends in a FormatError, never a hang.
 */
export async function loadKerasModel(source: ModelFileSource, options: NodeLoadOptions = {}): Promise<LoadedKerasModel> {
  const limits = resolveLimits(options.limits);
  const bytes = typeof source === 'string' || source instanceof URL ? await readSource(source, limits.maxFileBytes) : source;
  return loadFromBytes(bytes, options.hdf5Reader ?? sharedReader(options.hdf5TimeoutMs), options);
}

/** `loadKerasModel` then `createModel` on the chosen backend: a ready-to-run model. */
export async function loadModel(source: ModelFileSource, options: LoadModelOptions & NodeLoadOptions = {}): Promise<Model> {
  return modelFromLoaded(await loadKerasModel(source, options), options);
}
