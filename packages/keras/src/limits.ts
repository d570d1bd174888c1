import { ConfigError, FormatError, WeightError, formatShape, sizeOf } from '@rnn/core';
import type { ModelSpec, WeightSlot } from '@rnn/core';

/**
 * Upper bounds on what a model file may declare. Each is checked against the declared size
 * (zip central directory, HDF5 metadata, config) before anything that size is allocated, so a
 * hostile file fails with a typed error instead of exhausting memory.
 */
export interface LoadLimits {
  /** Size of the file itself. */
  readonly maxFileBytes: number;
  /** Sum of the uncompressed sizes of the zip entries a `.keras` load reads. */
  readonly maxDecompressedBytes: number;
  /** `config.json`, `metadata.json`, or the HDF5 `model_config` attribute. */
  readonly maxConfigBytes: number;
  /** Float32 bytes of all weights the config asks for (and of the datasets read for them). */
  readonly maxWeightBytes: number;
  /** Units of any layer (recurrent, Dense, Embedding output). */
  readonly maxUnits: number;
  /** Input features of any layer. */
  readonly maxInputDim: number;
  /** Embedding vocabulary size. */
  readonly maxVocabulary: number;
  /** Layers of the model. */
  readonly maxLayers: number;
  /** Entries in a `.keras` zip. */
  readonly maxZipEntries: number;
  /** Groups and datasets walked in an HDF5 file. */
  readonly maxHdf5Objects: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const DEFAULT_LIMITS: LoadLimits = Object.freeze({
  maxFileBytes: GiB,
  maxDecompressedBytes: GiB,
  maxConfigBytes: 16 * MiB,
  maxWeightBytes: GiB,
  maxUnits: 16_384,
  maxInputDim: 1_048_576,
  maxVocabulary: 4_194_304,
  maxLayers: 1_000,
  maxZipEntries: 10_000,
  maxHdf5Objects: 100_000,
});

export function resolveLimits(overrides: Partial<LoadLimits> | undefined): LoadLimits {
  const limits = { ...DEFAULT_LIMITS, ...overrides };
  for (const [key, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !(value > 0)) {
      throw new ConfigError(`limits.${key} must be a positive number, got ${String(value)}`, { field: `limits.${key}`, actual: value });
    }
  }
  return limits;
}

export function checkSize(what: string, bytes: number, limit: number, limitName: keyof LoadLimits): void {
  if (bytes > limit) {
    throw new FormatError(`${what} is ${bytes} bytes, over the limit of ${limit} (raise limits.${limitName} if the file is trusted)`, {
      field: limitName,
      expected: `<= ${limit}`,
      actual: bytes,
    });
  }
}

/** Checks a parsed config's declared sizes, and the weight bytes it implies, before any weight is read. */
export function checkSpecLimits(spec: ModelSpec, slots: readonly WeightSlot[], limits: LoadLimits): void {
  if (spec.layers.length > limits.maxLayers) {
    throw new ConfigError(`the model has ${spec.layers.length} layers, over the limit of ${limits.maxLayers}`, {
      field: 'layers',
      expected: `<= ${limits.maxLayers}`,
      actual: spec.layers.length,
    });
  }
  const check = (layer: string, field: string, value: number, limit: number, limitName: keyof LoadLimits) => {
    if (value > limit) {
      throw new ConfigError(`layer "${layer}": ${field} ${value} is over the limit of ${limit} (raise limits.${limitName} if the file is trusted)`, {
        layer,
        field,
        expected: `<= ${limit}`,
        actual: value,
      });
    }
  };
  for (const layer of spec.layers) {
    switch (layer.kind) {
      case 'rnn':
      case 'dense':
        check(layer.name, 'units', layer.units, limits.maxUnits, 'maxUnits');
        check(layer.name, 'input features', layer.inputDim, limits.maxInputDim, 'maxInputDim');
        break;
      case 'bidirectional':
        check(layer.name, 'forward units', layer.forward.units, limits.maxUnits, 'maxUnits');
        check(layer.name, 'backward units', layer.backward.units, limits.maxUnits, 'maxUnits');
        check(layer.name, 'input features', layer.inputDim, limits.maxInputDim, 'maxInputDim');
        break;
      case 'embedding':
        check(layer.name, 'output_dim', layer.outputDim, limits.maxUnits, 'maxUnits');
        check(layer.name, 'input_dim (vocabulary)', layer.vocabulary, limits.maxVocabulary, 'maxVocabulary');
        break;
      case 'conv1d':
        check(layer.name, 'filters', layer.filters, limits.maxUnits, 'maxUnits');
        check(layer.name, 'input features', layer.inputDim, limits.maxInputDim, 'maxInputDim');
        break;
      case 'batch-normalization':
      case 'layer-normalization':
        check(layer.name, 'features', layer.features, limits.maxInputDim, 'maxInputDim');
        break;
      case 'masking':
      case 'repeat-vector':
      case 'activation':
      case 'flatten':
      case 'reshape':
      case 'global-pooling':
      case 'pooling1d':
        break;
    }
  }
  let bytes = 0;
  for (const slot of slots) {
    bytes += sizeOf(slot.shape) * Float32Array.BYTES_PER_ELEMENT;
    if (bytes > limits.maxWeightBytes) {
      throw new WeightError(
        `the config asks for more than ${limits.maxWeightBytes} bytes of weights (reached at ${slot.name} ${formatShape(slot.shape)}); ` +
          'raise limits.maxWeightBytes if the file is trusted',
        { layer: slot.layer, field: 'maxWeightBytes', expected: `<= ${limits.maxWeightBytes}`, actual: bytes },
      );
    }
  }
}
