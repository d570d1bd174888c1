import type { CreateModelOptions, Model } from '@rnn/core';
import { inThreadHdf5Reader, type Hdf5Reader } from './hdf5-reader.js';
import { loadFromBytes, modelFromLoaded, type LoadOptions, type LoadedKerasModel } from './loader.js';

export { DEFAULT_LIMITS, type LoadLimits } from './limits.js';
export { detectFormat, isHdf5, type KerasFileFormat, type LoadOptions, type LoadedKerasModel } from './loader.js';
export { inThreadHdf5Reader, type Hdf5File, type Hdf5Reader } from './hdf5-reader.js';
export { createHdf5Session, type Hdf5Session, type Hdf5Group, type Hdf5Dataset, type Hdf5Node, type Hdf5WalkOptions } from './hdf5-session.js';

export interface BytesLoadOptions extends LoadOptions {
  /** Where HDF5 is parsed; default: in this thread (see `inThreadHdf5Reader`). */
  readonly hdf5Reader?: Hdf5Reader;
}

let defaultReader: Hdf5Reader | undefined;

/**
 * Reads a Keras model file from its bytes: a Keras 3 `.keras` zip or a legacy `.h5` written by
 * Keras 3 or tf.keras 2.x. Throws FormatError (unreadable file), ConfigError (unsupported or invalid
 * config) or WeightError (weights that disagree with the config). Browsers: run it in a Web Worker
 * when files may be hostile (see README). In Node, `@rnn/keras/node` also takes a path.
 */
export function loadKerasModel(bytes: Uint8Array | ArrayBuffer, options: BytesLoadOptions = {}): Promise<LoadedKerasModel> {
  return loadFromBytes(bytes, options.hdf5Reader ?? (defaultReader ??= inThreadHdf5Reader()), options);
}

export type LoadModelOptions = BytesLoadOptions & Omit<CreateModelOptions, 'weights' | 'kerasVersion'>;

/** `loadKerasModel` then `createModel` on the chosen backend: a ready-to-run model. */
export async function loadModel(bytes: Uint8Array | ArrayBuffer, options: LoadModelOptions = {}): Promise<Model> {
  return modelFromLoaded(await loadKerasModel(bytes, options), options);
}
