import type {
  ActivationLayerSpec,
  BatchNormalizationLayerSpec,
  LayerInitializers,
  NormalizationOptions,
  LayerNormalizationLayerSpec,
  BidirectionalLayerSpec,
  CellType,
  Conv1DLayerSpec,
  DenseLayerSpec,
  EmbeddingLayerSpec,
  FlattenLayerSpec,
  ReshapeLayerSpec,
  GlobalPoolingLayerSpec,
  MaskedOutput,
  MaskingLayerSpec,
  MergeMode,
  Pooling1DLayerSpec,
  RecurrentLayerSpec,
  RepeatVectorLayerSpec,
} from '../spec.js';
import type { Activation, ParametricActivation } from '../activations.js';
import { ConfigError, formatShape } from '../errors.js';
import { readActivation } from './activation.js';
import { DEFAULT_INITIALIZERS, readInitializer } from './initializer.js';
import { ConfigReader, isObject, readShape, show, snakeCase, type JsonObject } from './reader.js';

/** One `{class_name, config}` entry of a model (or a bare layer), as found in the JSON. */
export interface RawLayer {
  readonly className: string;
  readonly config: JsonObject;
  /** `build_config.input_shape`: the shape the layer was last built with (a record, not a constraint). */
  readonly buildShape: readonly (number | null)[] | undefined;
}

export interface ParseContext {
  readonly kerasVersion: 2 | 3;
  /** A GRU config without `reset_after` came from Keras 2, where the missing key meant false. */
  readonly legacyConfig: boolean;
}

/**
 * Input shape a layer config declares for itself (Keras 2 `batch_input_shape`, `input_shape`,
 * `input_dim`/`input_length`, Keras 3 `batch_shape`): batch first.
 */
export type DeclaredShape = readonly (number | null)[];

/**
 * Keras 2 / tf.keras 1.x cuDNN-only layers, read as the layer Keras converts their weights for:
 * `CuDNNLSTM` is an LSTM (tanh, sigmoid gates) and `CuDNNGRU` a GRU with `reset_after` true.
 */
const CUDNN_CELLS: Readonly<Record<string, CellType>> = { CuDNNLSTM: 'LSTM', CuDNNGRU: 'GRU' };

export const RECURRENT_CLASSES: readonly string[] = ['SimpleRNN', 'GRU', 'LSTM', ...Object.keys(CUDNN_CELLS)];

/** 1-D pooling by class name (with Keras's `MaxPool1D`/`AvgPool1D` aliases). */
export const POOLING_1D_CLASSES: Readonly<Record<string, Pooling1DLayerSpec['pooling']>> = {
  MaxPooling1D: 'max',
  MaxPool1D: 'max',
  AveragePooling1D: 'average',
  AvgPool1D: 'average',
};

/** Global pooling over time, by class name (Keras's `GlobalAvgPool1D`/`GlobalMaxPool1D` aliases included). */
export const GLOBAL_POOLING_CLASSES: Readonly<Record<string, GlobalPoolingLayerSpec['pooling']>> = {
  GlobalAveragePooling1D: 'average',
  GlobalAvgPool1D: 'average',
  GlobalMaxPooling1D: 'max',
  GlobalMaxPool1D: 'max',
};

/** Layers that compute nothing at inference: accepted and listed in `ModelSpec.ignoredLayers`. */
export const INFERENCE_NOOP_CLASSES: readonly string[] = [
  'Dropout',
  'SpatialDropout1D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'ActivityRegularization',
];

/** Keys every layer may carry that never change inference results. */
const LAYER_HARMLESS = ['name', 'trainable', 'dtype', 'autocast'];

/** Regularizers and constraints only act during training. */
const TRAINING_ONLY = [
  'kernel_regularizer',
  'recurrent_regularizer',
  'bias_regularizer',
  'activity_regularizer',
  'kernel_constraint',
  'recurrent_constraint',
  'bias_constraint',
];

/**
 * Recurrent-layer keys accepted without effect at inference: dropout (training only), the Keras 2
 * kernel choice `implementation`, Keras 3 `use_cudnn` (same math), and the initializer `seed`.
 */
const RECURRENT_HARMLESS = [...LAYER_HARMLESS, ...TRAINING_ONLY, 'dropout', 'recurrent_dropout', 'implementation', 'use_cudnn', 'seed'];

const CELL_NAME: Readonly<Record<CellType, string>> = { SimpleRNN: 'simple_rnn_cell', GRU: 'gru_cell', LSTM: 'lstm_cell' };

export function cellWeightPrefix(cell: CellType): string {
  return CELL_NAME[cell];
}

/** The layer's `name`, or the default Keras would give it (`simple_rnn`, `lstm`, `dense`, ...). */
export function layerName(raw: RawLayer): string {
  const name = raw.config.name;
  return typeof name === 'string' && name.length > 0 ? name : snakeCase(raw.className);
}

/** Reads the input-shape keys a layer may declare (marking them known) and returns the shape. */
export function readDeclaredShape(reader: ConfigReader): DeclaredShape | undefined {
  const batchShape = readShape(reader, 'batch_shape') ?? readShape(reader, 'batch_input_shape');
  const inputShape = readShape(reader, 'input_shape');
  const batchSize = reader.raw('batch_size');
  const length = reader.raw('input_length');
  // Embedding's `input_dim` is its vocabulary, not a feature count.
  const inputDim = reader.className === 'Embedding' ? undefined : reader.raw('input_dim');
  const batch = typeof batchSize === 'number' ? batchSize : null;
  const timesteps = typeof length === 'number' ? length : null;
  if (batchShape) return batchShape;
  if (inputShape) return [batch, ...inputShape];
  if (reader.className === 'Embedding') return timesteps === null ? undefined : [batch, timesteps];
  if (inputDim === undefined || inputDim === null) return undefined;
  if (typeof inputDim !== 'number' || !Number.isInteger(inputDim) || inputDim < 1) {
    throw reader.error('input_dim', 'a positive integer', inputDim);
  }
  return [batch, timesteps, inputDim];
}

/** Throws when a recorded build shape disagrees with the features the chain delivers. */
export function checkBuildFeatures(raw: RawLayer, name: string, inputDim: number): void {
  const last = raw.buildShape?.[raw.buildShape.length - 1];
  if (inputDim > 0 && typeof last === 'number' && last !== inputDim) {
    throw new ConfigError(
      `${raw.className} layer "${name}": build_config.input_shape ${show(raw.buildShape)} says ${last} input features, ` +
        `but the layer before it delivers ${inputDim}`,
      { layer: name, field: 'build_config.input_shape', expected: inputDim, actual: last },
    );
  }
}

interface RecurrentOverrides {
  readonly name?: string;
  readonly goBackwards?: boolean;
  /** Bidirectional forces `zero_output_for_mask = return_sequences` on both halves. */
  readonly forceZeroOutputForMask?: boolean;
}

export function parseRecurrent(
  raw: RawLayer,
  inputDim: number,
  ctx: ParseContext,
  overrides: RecurrentOverrides = {},
): RecurrentLayerSpec {
  const cudnnCell = Object.hasOwn(CUDNN_CELLS, raw.className) ? CUDNN_CELLS[raw.className] : undefined;
  const cell = cudnnCell ?? (raw.className as CellType);
  const name = overrides.name ?? layerName(raw);
  const r = new ConfigReader(raw.className, name, raw.config);
  r.accept(...RECURRENT_HARMLESS);
  readDeclaredShape(r);
  r.only('time_major', [false], 'time-major inputs change how the input is read; reshape to (batch, time, features)');

  const units = r.positiveInt('units');
  // cuDNN fixes the activations and the bias; its configs have no keys for them (any would be refused as unknown).
  const activation = cudnnCell ? 'tanh' : readActivation(r, 'activation', 'tanh', { kerasVersion: ctx.kerasVersion, elementwiseOnly: true });
  const recurrentActivation =
    cell === 'SimpleRNN' || cudnnCell
      ? 'sigmoid'
      : readActivation(r, 'recurrent_activation', 'sigmoid', { kerasVersion: ctx.kerasVersion, elementwiseOnly: true });
  const useBias = cudnnCell ? true : r.bool('use_bias', true);
  // Keras 3 defaults reset_after to true; Keras 2 configs without the key meant false; cuDNN's GRU is reset-after.
  const resetAfter = cell === 'GRU' ? cudnnCell !== undefined || r.bool('reset_after', !ctx.legacyConfig) : false;
  const unitForgetBias = cell === 'LSTM' ? r.bool('unit_forget_bias', true) : false;
  const returnSequences = r.bool('return_sequences', false);
  const returnState = r.bool('return_state', false);
  const goBackwards = overrides.goBackwards ?? r.bool('go_backwards', false);
  if (overrides.goBackwards !== undefined) r.accept('go_backwards');
  const stateful = r.bool('stateful', false);
  const unroll = r.bool('unroll', false);
  const zeroOutputForMask = overrides.forceZeroOutputForMask ?? r.bool('zero_output_for_mask', false);
  if (overrides.forceZeroOutputForMask !== undefined) r.accept('zero_output_for_mask');
  const maskedOutput: MaskedOutput = zeroOutputForMask ? 'zeros' : unroll ? 'previous-output' : 'state';
  const initializers = {
    kernel: readInitializer(r, 'kernel_initializer', DEFAULT_INITIALIZERS.kernel),
    recurrent: readInitializer(r, 'recurrent_initializer', DEFAULT_INITIALIZERS.recurrent),
    bias: readInitializer(r, 'bias_initializer', DEFAULT_INITIALIZERS.bias),
  };
  r.rejectUnknown();
  checkBuildFeatures(raw, name, inputDim);

  return {
    kind: 'rnn',
    name,
    cell,
    units,
    inputDim,
    activation,
    recurrentActivation,
    useBias,
    resetAfter,
    unitForgetBias,
    returnSequences,
    returnState,
    goBackwards,
    stateful,
    unroll,
    zeroOutputForMask,
    maskedOutput,
    initializers,
    weightLayout: cudnnCell ? 'cudnn' : 'keras',
  };
}

const MERGE_MODES: readonly (MergeMode | null)[] = ['concat', 'sum', 'mul', 'ave', null];

export function parseBidirectional(raw: RawLayer, inputDim: number, ctx: ParseContext): BidirectionalLayerSpec {
  const name = layerName(raw);
  const r = new ConfigReader('Bidirectional', name, raw.config);
  r.accept(...LAYER_HARMLESS);
  readDeclaredShape(r);
  r.only('weights', [null], 'initial weights inside a config are not supported; pass weights separately');
  const mergeValue = r.raw('merge_mode');
  const mergeMode = mergeValue === undefined ? 'concat' : (mergeValue as MergeMode | null);
  if (!MERGE_MODES.includes(mergeMode)) throw r.error('merge_mode', '"concat", "sum", "mul", "ave" or null', mergeValue);

  const inner = nestedRecurrent(r, 'layer', true)!;
  const backwardRaw = nestedRecurrent(r, 'backward_layer', false);
  r.rejectUnknown();

  const innerName = layerName(inner);
  const returnSequences = inner.config.return_sequences === true;
  const forward = parseRecurrent(inner, inputDim, ctx, {
    name: `forward_${innerName.replace(/^forward_/, '')}`,
    forceZeroOutputForMask: returnSequences,
  });
  if (forward.goBackwards) {
    throw new ConfigError(
      `Bidirectional layer "${name}": the forward layer has go_backwards true; only a forward layer reading ` +
        'time order is supported (its partner must be the one with go_backwards true)',
      { layer: name, field: 'layer.go_backwards', expected: false, actual: true },
    );
  }
  // Without an explicit backward layer Keras clones the forward config with go_backwards true.
  const backward = backwardRaw
    ? parseRecurrent(backwardRaw, inputDim, ctx, { forceZeroOutputForMask: returnSequences })
    : parseRecurrent(inner, inputDim, ctx, {
        name: `backward_${innerName.replace(/^backward_/, '')}`,
        goBackwards: true,
        forceZeroOutputForMask: returnSequences,
      });
  if (!backward.goBackwards) {
    throw new ConfigError(
      `Bidirectional layer "${name}": backward_layer "${backward.name}" must have go_backwards true (forward and ` +
        'backward layers need different go_backwards values), got false',
      { layer: name, field: 'backward_layer.go_backwards', expected: true, actual: false },
    );
  }
  for (const [field, key] of [
    ['stateful', 'stateful'],
    ['return_sequences', 'returnSequences'],
    ['return_state', 'returnState'],
  ] as const) {
    if (forward[key] !== backward[key]) {
      throw new ConfigError(
        `Bidirectional layer "${name}": forward and backward layers must have the same ${field}, ` +
          `got ${forward[key]} (forward) and ${backward[key]} (backward)`,
        { layer: name, field: `backward_layer.${field}`, expected: forward[key], actual: backward[key] },
      );
    }
  }
  if (mergeMode !== null && mergeMode !== 'concat' && forward.units !== backward.units) {
    throw new ConfigError(
      `Bidirectional layer "${name}": merge_mode "${mergeMode}" needs equal units in both directions, ` +
        `got ${forward.units} (forward) and ${backward.units} (backward)`,
      { layer: name, field: 'backward_layer.units', expected: forward.units, actual: backward.units },
    );
  }
  checkBuildFeatures(raw, name, inputDim);
  return {
    kind: 'bidirectional',
    name,
    forward,
    backward,
    mergeMode,
    inputDim,
    returnSequences: forward.returnSequences,
    returnState: forward.returnState,
    stateful: forward.stateful,
  };
}

function nestedRecurrent(r: ConfigReader, key: string, required: boolean): RawLayer | undefined {
  const value = r.raw(key);
  if ((value === undefined || value === null) && !required) return undefined;
  const raw = rawLayer(value);
  if (!raw) throw r.error(key, 'a {class_name, config} layer', value);
  if (!RECURRENT_CLASSES.includes(raw.className)) {
    throw r.error(key, 'a SimpleRNN, GRU, LSTM, CuDNNGRU or CuDNNLSTM layer', raw.className, ' (Bidirectional wraps only these)');
  }
  return raw;
}

/** `{class_name, config, build_config?}` → RawLayer, or undefined when the value has another form. */
export function rawLayer(value: unknown): RawLayer | undefined {
  if (!isObject(value) || typeof value.class_name !== 'string') return undefined;
  // Keras 2.0-2.2 wrote a Sequential config as the bare list of its layers.
  const config =
    value.class_name === 'Sequential' && Array.isArray(value.config) ? { name: 'sequential', layers: value.config } : value.config;
  if (!isObject(config)) return undefined;
  const build = value.build_config;
  const shape = isObject(build) && Array.isArray(build.input_shape) ? (build.input_shape as (number | null)[]) : undefined;
  return { className: value.class_name, config, buildShape: shape };
}

const DENSE_HARMLESS = [...LAYER_HARMLESS, ...TRAINING_ONLY, 'lora_alpha'];

export function parseDense(
  raw: RawLayer,
  inputDim: number,
  ctx: ParseContext,
  wrapper?: { readonly name: string },
): DenseLayerSpec {
  const name = wrapper?.name ?? layerName(raw);
  const r = new ConfigReader('Dense', wrapper ? `${name}/${layerName(raw)}` : name, raw.config);
  r.accept(...DENSE_HARMLESS);
  readDeclaredShape(r);
  r.only('quantization_config', [null], 'quantized Dense layers are not supported');
  r.only('lora_rank', [null], 'LoRA-adapted Dense layers are not supported');
  const spec: DenseLayerSpec = {
    kind: 'dense',
    name,
    units: r.positiveInt('units'),
    inputDim,
    activation: readActivation(r, 'activation', 'linear', { kerasVersion: ctx.kerasVersion, elementwiseOnly: false }),
    useBias: r.bool('use_bias', true),
    timeDistributed: wrapper !== undefined,
    initializers: {
      kernel: readInitializer(r, 'kernel_initializer', DEFAULT_INITIALIZERS.kernel),
      bias: readInitializer(r, 'bias_initializer', DEFAULT_INITIALIZERS.bias),
    },
  };
  r.rejectUnknown();
  if (!wrapper) checkBuildFeatures(raw, name, inputDim);
  return spec;
}

/** `TimeDistributed(Dense)`: the same math as Dense on the last axis. */
export function parseTimeDistributed(raw: RawLayer, inputDim: number, ctx: ParseContext): DenseLayerSpec {
  const name = layerName(raw);
  const r = new ConfigReader('TimeDistributed', name, raw.config);
  r.accept(...LAYER_HARMLESS);
  readDeclaredShape(r);
  const value = r.raw('layer');
  const inner = rawLayer(value);
  if (!inner || inner.className !== 'Dense') {
    throw r.error('layer', 'a Dense layer (the only one TimeDistributed supports here)', inner?.className ?? value);
  }
  r.rejectUnknown();
  checkBuildFeatures(raw, name, inputDim);
  return parseDense(inner, inputDim, ctx, { name });
}

export function parseMasking(raw: RawLayer): MaskingLayerSpec {
  const name = layerName(raw);
  const r = new ConfigReader('Masking', name, raw.config);
  r.accept(...LAYER_HARMLESS);
  readDeclaredShape(r);
  const spec: MaskingLayerSpec = { kind: 'masking', name, maskValue: r.number('mask_value', 0) };
  r.rejectUnknown();
  return spec;
}

export function parseEmbedding(raw: RawLayer): EmbeddingLayerSpec {
  const name = layerName(raw);
  const r = new ConfigReader('Embedding', name, raw.config);
  r.accept(...LAYER_HARMLESS, 'embeddings_regularizer', 'activity_regularizer', 'embeddings_constraint', 'lora_alpha', 'sparse');
  readDeclaredShape(r);
  r.only('quantization_config', [null], 'quantized embeddings are not supported');
  r.only('lora_rank', [null], 'LoRA-adapted embeddings are not supported');
  const spec: EmbeddingLayerSpec = {
    kind: 'embedding',
    name,
    vocabulary: r.positiveInt('input_dim'),
    outputDim: r.positiveInt('output_dim'),
    maskZero: r.bool('mask_zero', false),
    initializers: { embeddings: readInitializer(r, 'embeddings_initializer', DEFAULT_INITIALIZERS.embeddings) },
  };
  r.rejectUnknown();
  return spec;
}

/** Activation layers with parameters, by class name (Keras 2 and 3 spellings). */
export const PARAMETRIC_ACTIVATION_CLASSES: readonly string[] = ['LeakyReLU', 'ELU', 'ReLU', 'Softmax'];

/** `LeakyReLU`, `ELU`, `ReLU` and `Softmax` layers: a named activation where one fits, else a parametric one. */
export function parseParametricActivationLayer(raw: RawLayer): ActivationLayerSpec {
  const name = layerName(raw);
  const r = new ConfigReader(raw.className, name, raw.config);
  r.accept(...LAYER_HARMLESS);
  readDeclaredShape(r);
  const activation = ((): Activation | ParametricActivation => {
    switch (raw.className) {
      case 'LeakyReLU': {
        // Keras 3 `negative_slope`, Keras 2 `alpha`; both default to 0.3 (the `leaky_relu` function's is 0.2).
        const legacy = r.number('alpha', 0.3);
        return { fn: 'leaky_relu', negativeSlope: r.number('negative_slope', legacy) };
      }
      case 'ELU':
        return { fn: 'elu', alpha: r.number('alpha', 1) };
      case 'ReLU': {
        r.only('threshold', [0], 'a threshold other than 0 is not supported');
        const negativeSlope = r.number('negative_slope', 0);
        const maxValue = r.raw('max_value');
        if (maxValue !== undefined && maxValue !== null && (typeof maxValue !== 'number' || !(maxValue >= 0) || !Number.isFinite(maxValue))) {
          throw r.error('max_value', 'null or a finite number ≥ 0', maxValue);
        }
        const max = typeof maxValue === 'number' ? maxValue : null;
        if (negativeSlope === 0 && max === null) return 'relu';
        if (negativeSlope === 0 && max === 6) return 'relu6';
        return { fn: 'relu', negativeSlope, maxValue: max };
      }
      default: {
        // Softmax over features, as the `softmax` activation computes it.
        const axis = r.raw('axis');
        if (axis !== undefined && axis !== -1 && !(Array.isArray(axis) && axis.length === 1 && axis[0] === -1)) {
          throw r.error('axis', '-1 (the last axis)', axis);
        }
        return 'softmax';
      }
    }
  })();
  r.rejectUnknown();
  return { kind: 'activation', name, activation };
}

export function parseActivationLayer(raw: RawLayer, ctx: ParseContext): ActivationLayerSpec {
  const name = layerName(raw);
  const r = new ConfigReader('Activation', name, raw.config);
  r.accept(...LAYER_HARMLESS);
  readDeclaredShape(r);
  if (!r.has('activation')) throw r.error('activation', 'a Keras activation', undefined);
  const spec: ActivationLayerSpec = {
    kind: 'activation',
    name,
    activation: readActivation(r, 'activation', 'linear', { kerasVersion: ctx.kerasVersion, elementwiseOnly: false }),
  };
  r.rejectUnknown();
  return spec;
}

/** Declared input shape of an InputLayer (`batch_shape`, `batch_input_shape`, or `shape`/`input_shape`). */
export function inputLayerShape(raw: RawLayer): DeclaredShape | undefined {
  const name = layerName(raw);
  const r = new ConfigReader('InputLayer', name, raw.config);
  const declared = readDeclaredShape(r);
  if (declared) return declared;
  const shape = readShape(r, 'shape');
  return shape ? [null, ...shape] : undefined;
}

export function parseRepeatVector(raw: RawLayer): RepeatVectorLayerSpec {
  const name = layerName(raw);
  const r = new ConfigReader('RepeatVector', name, raw.config);
  r.accept(...LAYER_HARMLESS);
  readDeclaredShape(r);
  const spec: RepeatVectorLayerSpec = { kind: 'repeat-vector', name, times: r.positiveInt('n') };
  r.rejectUnknown();
  return spec;
}

/** Keras's default; `channels_first` would flatten a sequence features-first. */
function readChannelsLast(r: ConfigReader): void {
  r.only('data_format', ['channels_last', null], 'only channels_last (batch, timesteps, features) inputs are supported');
}

export function parseFlatten(raw: RawLayer): FlattenLayerSpec {
  const name = layerName(raw);
  const r = new ConfigReader('Flatten', name, raw.config);
  r.accept(...LAYER_HARMLESS);
  readDeclaredShape(r);
  readChannelsLast(r);
  r.rejectUnknown();
  return { kind: 'flatten', name };
}

/** `input` is the flow's shape, batch first; its size must be known so that the target (and a `-1` in it) is. */
export function parseReshape(raw: RawLayer, input: readonly (number | null)[]): ReshapeLayerSpec {
  const name = layerName(raw);
  const r = new ConfigReader('Reshape', name, raw.config);
  r.accept(...LAYER_HARMLESS);
  readDeclaredShape(r);
  const target = r.raw('target_shape');
  if (!Array.isArray(target) || target.length < 1 || target.length > 2 || !target.every((d) => Number.isInteger(d) && (d === -1 || d > 0))) {
    throw r.error('target_shape', '(steps, features) or (features,), positive sizes and at most one -1', target, '; other ranks are not supported');
  }
  if (target.filter((d) => d === -1).length > 1) throw r.error('target_shape', 'at most one -1', target);
  const sizes = input.slice(1);
  if (sizes.some((d) => d === null)) {
    throw new ConfigError(`Reshape layer "${name}" needs every input dimension but the batch known, got ${formatShape(input)} (give the model a fixed number of timesteps)`, {
      layer: name,
      field: 'input_shape',
      expected: 'known timesteps',
      actual: input,
    });
  }
  const size = (sizes as number[]).reduce((n, d) => n * d, 1);
  const known = (target as number[]).reduce((n, d) => (d === -1 ? n : n * d), 1);
  const resolved = (target as number[]).map((d) => (d === -1 ? size / known : d));
  if (resolved.reduce((n, d) => n * d, 1) !== size || !resolved.every(Number.isInteger)) {
    throw r.error('target_shape', `a shape of ${size} values (the input is ${formatShape(input)})`, target);
  }
  r.rejectUnknown();
  return { kind: 'reshape', name, targetShape: resolved as [number] | [number, number] };
}

export function parseGlobalPooling(raw: RawLayer): GlobalPoolingLayerSpec {
  const name = layerName(raw);
  const r = new ConfigReader(raw.className, name, raw.config);
  r.accept(...LAYER_HARMLESS);
  readDeclaredShape(r);
  readChannelsLast(r);
  const spec: GlobalPoolingLayerSpec = { kind: 'global-pooling', name, pooling: GLOBAL_POOLING_CLASSES[raw.className], keepDims: r.bool('keepdims', false) };
  r.rejectUnknown();
  return spec;
}

/**
 * Keras 3 keys that only act in training (moment updates, renormalisation, cross-replica statistics),
 * and Keras 2's `fused` (an implementation choice).
 */
const BATCH_NORMALIZATION_HARMLESS = [
  ...LAYER_HARMLESS,
  'momentum',
  'beta_regularizer',
  'gamma_regularizer',
  'beta_constraint',
  'gamma_constraint',
  'synchronized',
  'renorm',
  'renorm_clipping',
  'renorm_momentum',
  'fused',
];

/** Keras writes -1, or after building (tf.keras 2) the positive axis, sometimes as a one-entry list. */
function checkLastAxis(r: ConfigReader, rank: number): void {
  const axis = r.raw('axis');
  const single = Array.isArray(axis) && axis.length === 1 ? axis[0] : axis;
  if (single !== undefined && single !== -1 && single !== rank - 1) {
    throw r.error('axis', `-1 or ${rank - 1} (the last axis)`, axis, '; only normalising the features axis is supported');
  }
}

/** What Batch- and LayerNormalization share: `epsilon`, `center`, `scale`, and gamma's and beta's initializers. */
function readNormalization(r: ConfigReader, features: number): NormalizationOptions & { initializers: LayerInitializers } {
  return {
    features,
    epsilon: r.number('epsilon', 1e-3),
    center: r.bool('center', true),
    scale: r.bool('scale', true),
    initializers: {
      gamma: readInitializer(r, 'gamma_initializer', { name: 'ones', config: {} }),
      beta: readInitializer(r, 'beta_initializer', { name: 'zeros', config: {} }),
    },
  };
}

/** `rank` is the input's rank, batch included; only the last axis is supported (Keras's default). */
export function parseBatchNormalization(raw: RawLayer, features: number, rank: number): BatchNormalizationLayerSpec {
  const name = layerName(raw);
  const r = new ConfigReader('BatchNormalization', name, raw.config);
  r.accept(...BATCH_NORMALIZATION_HARMLESS);
  readDeclaredShape(r);
  checkLastAxis(r, rank);
  r.only('virtual_batch_size', [null], 'ghost batch normalisation is not supported');
  r.only('adjustment', [null], 'a custom adjustment is not supported');
  const { initializers, ...options } = readNormalization(r, features);
  const spec: BatchNormalizationLayerSpec = {
    kind: 'batch-normalization',
    name,
    ...options,
    initializers: {
      ...initializers,
      movingMean: readInitializer(r, 'moving_mean_initializer', { name: 'zeros', config: {} }),
      movingVariance: readInitializer(r, 'moving_variance_initializer', { name: 'ones', config: {} }),
    },
  };
  r.rejectUnknown();
  checkBuildFeatures(raw, name, features);
  return spec;
}

/** `LayerNormalization` over the last axis (Keras's default); `rank` is the input's, batch included. */
export function parseLayerNormalization(raw: RawLayer, features: number, rank: number): LayerNormalizationLayerSpec {
  const name = layerName(raw);
  const r = new ConfigReader('LayerNormalization', name, raw.config);
  r.accept(...LAYER_HARMLESS, 'beta_regularizer', 'gamma_regularizer', 'beta_constraint', 'gamma_constraint');
  readDeclaredShape(r);
  checkLastAxis(r, rank);
  // Keras 3.15 deprecates rms_scaling: it scales by the variance, not the root mean square.
  r.only('rms_scaling', [false], 'rms_scaling is not supported');
  const spec: LayerNormalizationLayerSpec = { kind: 'layer-normalization', name, ...readNormalization(r, features) };
  r.rejectUnknown();
  checkBuildFeatures(raw, name, features);
  return spec;
}

/** A 1-D size Keras writes as `3`, `[3]` or `(3,)`; `fallback` when absent or null. */
function readSize(r: ConfigReader, key: string, fallback?: number): number {
  const value = r.raw(key);
  if ((value === undefined || value === null) && fallback !== undefined) return fallback;
  const single = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (typeof single !== 'number' || !Number.isInteger(single) || single < 1) throw r.error(key, 'a positive integer or a one-entry list of one', value);
  return single;
}

export function parseConv1D(raw: RawLayer, inputDim: number, ctx: ParseContext): Conv1DLayerSpec {
  const name = layerName(raw);
  const r = new ConfigReader('Conv1D', name, raw.config);
  r.accept(...DENSE_HARMLESS);
  readDeclaredShape(r);
  readChannelsLast(r);
  r.only('groups', [1], 'grouped convolutions are not supported');
  const padding = r.raw('padding') ?? 'valid';
  if (padding !== 'valid' && padding !== 'same' && padding !== 'causal') throw r.error('padding', '"valid", "same" or "causal"', padding);
  const spec: Conv1DLayerSpec = {
    kind: 'conv1d',
    name,
    filters: r.positiveInt('filters'),
    kernelSize: readSize(r, 'kernel_size'),
    strides: readSize(r, 'strides', 1),
    dilation: readSize(r, 'dilation_rate', 1),
    padding,
    inputDim,
    activation: readActivation(r, 'activation', 'linear', { kerasVersion: ctx.kerasVersion, elementwiseOnly: false }),
    useBias: r.bool('use_bias', true),
    initializers: {
      kernel: readInitializer(r, 'kernel_initializer', DEFAULT_INITIALIZERS.kernel),
      bias: readInitializer(r, 'bias_initializer', DEFAULT_INITIALIZERS.bias),
    },
  };
  if (spec.strides > 1 && spec.dilation > 1) {
    throw r.error('dilation_rate', '1 when strides > 1 (Keras refuses both)', r.raw('dilation_rate'));
  }
  r.rejectUnknown();
  checkBuildFeatures(raw, name, inputDim);
  return spec;
}

export function parsePooling1D(raw: RawLayer): Pooling1DLayerSpec {
  const name = layerName(raw);
  const r = new ConfigReader(raw.className, name, raw.config);
  r.accept(...LAYER_HARMLESS);
  readDeclaredShape(r);
  readChannelsLast(r);
  const padding = r.raw('padding') ?? 'valid';
  if (padding !== 'valid' && padding !== 'same') throw r.error('padding', '"valid" or "same"', padding);
  const poolSize = readSize(r, 'pool_size', 2);
  const spec: Pooling1DLayerSpec = { kind: 'pooling1d', name, pooling: POOLING_1D_CLASSES[raw.className], poolSize, strides: readSize(r, 'strides', poolSize), padding };
  r.rejectUnknown();
  return spec;
}
