import { ConfigError, FormatError, createModel, parseConfig, sizeOf, structureWeights, weightSlots } from '@rnn/core';
import type { CreateModelOptions, KerasConfig, Model, ModelSpec, Tensor } from '@rnn/core';
import type { Hdf5File, Hdf5Reader } from './hdf5-reader.js';
import type { AttributeValue, Hdf5Group, Hdf5WalkOptions } from './hdf5-session.js';
import { keras3WeightPaths, legacyWeightPaths, childAt } from './layout.js';
import { checkSize, checkSpecLimits, resolveLimits, type LoadLimits } from './limits.js';
import { isZip, readZipEntries } from './zip.js';

export type KerasFileFormat = 'keras' | 'h5';

/** A saved Keras model, read and checked: what `createModel` needs, plus where it came from. */
export interface LoadedKerasModel {
  /** The model config as the file stores it (`model_config` / `config.json`), Keras 2 spellings included. */
  readonly config: KerasConfig;
  /** Every weight in `model.get_weights()` order, checked against the config (shapes, finite values). */
  readonly weights: Tensor[];
  /** Keras major version whose semantics apply (Keras 2 `hard_sigmoid`, GRU `reset_after` default). */
  readonly kerasVersion: 2 | 3;
  /** The version string the file records, e.g. `3.15.1` or `2.0.4`. */
  readonly kerasVersionString: string;
  /** `keras`: a Keras 3 zip (`config.json`, `metadata.json`, `model.weights.h5`); `h5`: legacy HDF5. */
  readonly format: KerasFileFormat;
  /** `parseConfig(config, { kerasVersion })`. */
  readonly spec: ModelSpec;
  /** Where each weight was read in the HDF5 file, in `weights` order. */
  readonly weightPaths: string[];
  /** The Keras backend that wrote the file (`tensorflow`, `jax`, ...), when recorded. */
  readonly writtenBy: string | null;
}

export interface LoadOptions {
  /** Bounds on what the file may declare; see `DEFAULT_LIMITS`. */
  readonly limits?: Partial<LoadLimits>;
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** Keras attributes read from HDF5; everything else in the file is ignored. */
const KERAS_ATTRIBUTES = '^(keras_version|backend|model_config|layer_names\\d*|weight_names\\d*)$';

function hasSignatureAt(bytes: Uint8Array, at: number): boolean {
  return at + HDF5_SIGNATURE.length <= bytes.length && HDF5_SIGNATURE.every((b, i) => bytes[at + i] === b);
}

/** HDF5 files start with their signature at 0, or after a user block of 512, 1024, 2048, ... bytes. */
export function isHdf5(bytes: Uint8Array): boolean {
  for (let at = 0; at + HDF5_SIGNATURE.length <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (hasSignatureAt(bytes, at)) return true;
  }
  return false;
}

export function detectFormat(bytes: Uint8Array): KerasFileFormat {
  if (isZip(bytes)) return 'keras';
  if (isHdf5(bytes)) return 'h5';
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 64)).trimStart();
  const hint = head.startsWith('{')
    ? '; it looks like JSON: a config or fixture is passed to createModel(config, { weights }), not loaded as a model file'
    : '';
  throw new FormatError(`not a Keras model file: neither a .keras zip nor an HDF5 (.h5) file${hint}`, {
    field: 'format',
    expected: '.keras (zip) or .h5 (HDF5)',
    actual: bytes.length === 0 ? 'an empty file' : `starts with bytes ${[...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`,
  });
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FormatError(`${what} is not valid JSON (${error instanceof Error ? error.message : String(error)})`, { field: what });
  }
}

function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FormatError(`${what} is not UTF-8 text`, { field: what });
  }
}

function asModelConfig(value: unknown, what: string): KerasConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as { class_name?: unknown }).class_name !== 'string') {
    throw new FormatError(`${what} is not a Keras {class_name, config} object`, { field: what, expected: '{class_name, config}' });
  }
  return value as KerasConfig;
}

/** `3.15.1` → 3; `2.0.4` → 2. Keras 1 files (no version recorded) store weights another way. */
function kerasMajor(version: string, where: string): 2 | 3 {
  const major = Number(/^\s*(\d+)(\.|$)/.exec(version)?.[1]);
  if (major === 2 || major === 3) return major;
  throw new ConfigError(`${where} was written by Keras ${version || '1.x (no keras_version recorded)'}; only Keras 2 and 3 files are supported`, {
    field: 'keras_version',
    expected: '2.x or 3.x',
    actual: version,
  });
}

function attributeString(group: Hdf5Group | undefined, name: string): string | null {
  const value: AttributeValue | undefined = group && Object.hasOwn(group.attrs, name) ? group.attrs[name] : undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
  return null;
}

function walkOptions(limits: LoadLimits): Hdf5WalkOptions {
  return {
    maxObjects: limits.maxHdf5Objects,
    maxAttributeBytes: limits.maxConfigBytes,
    skipRootGroups: ['optimizer', 'optimizer_weights'],
    attributePattern: KERAS_ATTRIBUTES,
  };
}

interface ParsedModel {
  readonly config: KerasConfig;
  readonly kerasVersion: 2 | 3;
  readonly spec: ModelSpec;
}

function parseModel(config: KerasConfig, kerasVersion: 2 | 3, limits: LoadLimits): ParsedModel & { slots: ReturnType<typeof weightSlots> } {
  const spec = parseConfig(config, { kerasVersion });
  const slots = weightSlots(spec);
  checkSpecLimits(spec, slots, limits);
  return { config, kerasVersion, spec, slots };
}

async function readWeights(file: Hdf5File, paths: string[], spec: ModelSpec, slots: ReturnType<typeof weightSlots>): Promise<Tensor[]> {
  // Datasets may be float64 (then converted): the byte budget is the config's weights at 8 bytes each.
  const arrays = await file.read(paths, slots.reduce((total, slot) => total + sizeOf(slot.shape) * 8, 0));
  const weights = arrays.map((data, i): Tensor => ({ shape: [...slots[i].shape], data }));
  // Shapes were matched to the config already; this also refuses NaN/Inf with the layer and index.
  structureWeights(spec, weights);
  return weights;
}

async function loadKerasZip(bytes: Uint8Array, reader: Hdf5Reader, limits: LoadLimits): Promise<LoadedKerasModel> {
  const entries = readZipEntries(
    bytes,
    [
      { name: 'config.json', maxBytes: limits.maxConfigBytes, limitName: 'maxConfigBytes' },
      { name: 'metadata.json', maxBytes: limits.maxConfigBytes, limitName: 'maxConfigBytes', optional: true },
      { name: 'model.weights.h5', maxBytes: limits.maxDecompressedBytes, limitName: 'maxDecompressedBytes' },
    ],
    limits,
  );
  const metadataBytes = entries.get('metadata.json');
  let kerasVersionString = '3';
  if (metadataBytes) {
    const metadata = parseJson(decodeUtf8(metadataBytes, 'metadata.json'), 'metadata.json');
    const recorded = typeof metadata === 'object' && metadata !== null ? (metadata as { keras_version?: unknown }).keras_version : undefined;
    if (typeof recorded !== 'string') throw new FormatError('metadata.json records no keras_version string', { field: 'metadata.json' });
    kerasVersionString = recorded;
  }
  const config = asModelConfig(parseJson(decodeUtf8(entries.get('config.json')!, 'config.json'), 'config.json'), 'config.json');
  const { spec, slots, kerasVersion } = parseModel(config, kerasMajor(kerasVersionString, 'this .keras file'), limits);

  const file = await reader.open(entries.get('model.weights.h5')!, walkOptions(limits));
  try {
    const paths = keras3WeightPaths(file.root, config, slots);
    const weights = await readWeights(file, paths, spec, slots);
    return { config, weights, kerasVersion, kerasVersionString, format: 'keras', spec, weightPaths: paths, writtenBy: null };
  } finally {
    await file.close();
  }
}

async function loadLegacyH5(bytes: Uint8Array, reader: Hdf5Reader, limits: LoadLimits): Promise<LoadedKerasModel> {
  const file = await reader.open(bytes, walkOptions(limits));
  try {
    const root = file.root;
    const weightsGroup = childAt(root, 'model_weights');
    const group = weightsGroup?.kind === 'group' ? weightsGroup : undefined;
    const modelConfig = attributeString(root, 'model_config');
    if (modelConfig === null) {
      throw new FormatError(
        'this HDF5 file has no model_config attribute: it holds weights only (save_weights), or is not a Keras model; ' +
          'save the whole model with model.save()',
        { field: 'model_config' },
      );
    }
    checkSize('the model_config attribute', modelConfig.length, limits.maxConfigBytes, 'maxConfigBytes');
    const kerasVersionString = attributeString(root, 'keras_version') ?? attributeString(group, 'keras_version') ?? '';
    const config = asModelConfig(parseJson(modelConfig, 'model_config'), 'model_config');
    const { spec, slots, kerasVersion } = parseModel(config, kerasMajor(kerasVersionString, 'this HDF5 file'), limits);
    const paths = legacyWeightPaths(root, config, slots);
    const weights = await readWeights(file, paths, spec, slots);
    const writtenBy = attributeString(root, 'backend') ?? attributeString(group, 'backend');
    return { config, weights, kerasVersion, kerasVersionString, format: 'h5', spec, weightPaths: paths, writtenBy };
  } finally {
    await file.close();
  }
}

/** Reads a `.keras` or legacy `.h5` model file from its bytes. */
export async function loadFromBytes(input: Uint8Array | ArrayBuffer, reader: Hdf5Reader, options: LoadOptions = {}): Promise<LoadedKerasModel> {
  const limits = resolveLimits(options.limits);
  const bytes = input instanceof Uint8Array ? input : input instanceof ArrayBuffer ? new Uint8Array(input) : undefined;
  if (!bytes) {
    throw new FormatError(`expected the model file's bytes (Uint8Array or ArrayBuffer), got ${input === null ? 'null' : typeof input}`, { field: 'source' });
  }
  checkSize('the model file', bytes.length, limits.maxFileBytes, 'maxFileBytes');
  return detectFormat(bytes) === 'keras' ? loadKerasZip(bytes, reader, limits) : loadLegacyH5(bytes, reader, limits);
}

/** `createModel` on a loaded file: the file's config, weights and Keras version, on the chosen backend. */
export function modelFromLoaded(loaded: LoadedKerasModel, options: Omit<CreateModelOptions, 'weights' | 'kerasVersion'> = {}): Promise<Model> {
  return createModel(loaded.config, { ...options, weights: loaded.weights, kerasVersion: loaded.kerasVersion });
}
