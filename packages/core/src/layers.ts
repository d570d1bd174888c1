import type { KerasConfig } from './config.js';
import type { Activation } from './activations.js';
import type { MergeMode } from './spec.js';

/**
 * Builders with TypeScript option names for the Keras configs the parser reads, so a model written in
 * TS and one loaded from Keras take the same path: `createModel(lstm({ units: 3, returnSequences: true }))`.
 * Options left out take Keras 3's defaults.
 */

/** A Keras initializer by name (`glorot_uniform`, `orthogonal`, `zeros`, `constant`, ...) with its config. */
export type InitializerOption = string | { readonly className: string; readonly config?: Readonly<Record<string, unknown>> };

interface CommonRecurrentOptions {
  readonly units: number;
  readonly name?: string;
  readonly activation?: Activation;
  readonly useBias?: boolean;
  readonly returnSequences?: boolean;
  readonly returnState?: boolean;
  readonly goBackwards?: boolean;
  readonly stateful?: boolean;
  readonly unroll?: boolean;
  readonly zeroOutputForMask?: boolean;
  readonly kernelInitializer?: InitializerOption;
  readonly recurrentInitializer?: InitializerOption;
  readonly biasInitializer?: InitializerOption;
  /** `[timesteps | null, features]` (or `[batch, timesteps, features]` with `batchInput`) when this is the first layer. */
  readonly inputShape?: readonly (number | null)[];
  readonly batchSize?: number;
  readonly seed?: number;
}

export type SimpleRNNOptions = CommonRecurrentOptions;

export interface GRUOptions extends CommonRecurrentOptions {
  readonly recurrentActivation?: Activation;
  readonly resetAfter?: boolean;
}

export interface LSTMOptions extends CommonRecurrentOptions {
  readonly recurrentActivation?: Activation;
  readonly unitForgetBias?: boolean;
}

export interface BidirectionalOptions {
  readonly mergeMode?: MergeMode | null;
  readonly backwardLayer?: KerasConfig;
  readonly name?: string;
  readonly inputShape?: readonly (number | null)[];
  readonly batchSize?: number;
}

export interface DenseOptions {
  readonly units: number;
  readonly activation?: Activation;
  readonly useBias?: boolean;
  readonly name?: string;
  readonly kernelInitializer?: InitializerOption;
  readonly biasInitializer?: InitializerOption;
}

export interface EmbeddingOptions {
  readonly inputDim: number;
  readonly outputDim: number;
  readonly maskZero?: boolean;
  readonly name?: string;
  readonly embeddingsInitializer?: InitializerOption;
  readonly inputLength?: number;
}

function initializer(option: InitializerOption | undefined, fallback: string): KerasConfig {
  if (option === undefined) return { class_name: fallback, config: {} };
  if (typeof option === 'string') return { class_name: option, config: {} };
  return { class_name: option.className, config: option.config ?? {} };
}

function withInputShape(
  config: Record<string, unknown>,
  inputShape: readonly (number | null)[] | undefined,
  batchSize: number | undefined,
): Record<string, unknown> {
  if (inputShape) config.batch_shape = [batchSize ?? null, ...inputShape];
  return config;
}

function recurrentConfig(options: CommonRecurrentOptions, defaultName: string): Record<string, unknown> {
  return withInputShape(
    {
      name: options.name ?? defaultName,
      units: options.units,
      activation: options.activation ?? 'tanh',
      use_bias: options.useBias ?? true,
      return_sequences: options.returnSequences ?? false,
      return_state: options.returnState ?? false,
      go_backwards: options.goBackwards ?? false,
      stateful: options.stateful ?? false,
      unroll: options.unroll ?? false,
      zero_output_for_mask: options.zeroOutputForMask ?? false,
      kernel_initializer: initializer(options.kernelInitializer, 'GlorotUniform'),
      recurrent_initializer: initializer(options.recurrentInitializer, 'Orthogonal'),
      bias_initializer: initializer(options.biasInitializer, 'Zeros'),
      seed: options.seed ?? null,
    },
    options.inputShape,
    options.batchSize,
  );
}

export function simpleRNN(options: SimpleRNNOptions): KerasConfig {
  return { class_name: 'SimpleRNN', config: recurrentConfig(options, 'simple_rnn') };
}

export function gru(options: GRUOptions): KerasConfig {
  return {
    class_name: 'GRU',
    config: {
      ...recurrentConfig(options, 'gru'),
      recurrent_activation: options.recurrentActivation ?? 'sigmoid',
      reset_after: options.resetAfter ?? true,
    },
  };
}

export function lstm(options: LSTMOptions): KerasConfig {
  return {
    class_name: 'LSTM',
    config: {
      ...recurrentConfig(options, 'lstm'),
      recurrent_activation: options.recurrentActivation ?? 'sigmoid',
      unit_forget_bias: options.unitForgetBias ?? true,
    },
  };
}

export function bidirectional(layer: KerasConfig, options: BidirectionalOptions = {}): KerasConfig {
  return {
    class_name: 'Bidirectional',
    config: withInputShape(
      {
        name: options.name ?? 'bidirectional',
        merge_mode: options.mergeMode === undefined ? 'concat' : options.mergeMode,
        layer,
        ...(options.backwardLayer ? { backward_layer: options.backwardLayer } : {}),
      },
      options.inputShape,
      options.batchSize,
    ),
  };
}

export function dense(options: DenseOptions): KerasConfig {
  return {
    class_name: 'Dense',
    config: {
      name: options.name ?? 'dense',
      units: options.units,
      activation: options.activation ?? 'linear',
      use_bias: options.useBias ?? true,
      kernel_initializer: initializer(options.kernelInitializer, 'GlorotUniform'),
      bias_initializer: initializer(options.biasInitializer, 'Zeros'),
    },
  };
}

export function timeDistributed(layer: KerasConfig, name = 'time_distributed'): KerasConfig {
  return { class_name: 'TimeDistributed', config: { name, layer } };
}

export function masking(maskValue = 0, name = 'masking'): KerasConfig {
  return { class_name: 'Masking', config: { name, mask_value: maskValue } };
}

export function embedding(options: EmbeddingOptions): KerasConfig {
  return {
    class_name: 'Embedding',
    config: {
      name: options.name ?? 'embedding',
      input_dim: options.inputDim,
      output_dim: options.outputDim,
      mask_zero: options.maskZero ?? false,
      embeddings_initializer: initializer(options.embeddingsInitializer, 'RandomUniform'),
      ...(options.inputLength ? { batch_shape: [null, options.inputLength] } : {}),
    },
  };
}

export function activation(fn: Activation, name = 'activation'): KerasConfig {
  return { class_name: 'Activation', config: { name, activation: fn } };
}

export function dropout(rate: number, name = 'dropout'): KerasConfig {
  return { class_name: 'Dropout', config: { name, rate } };
}

export function repeatVector(times: number, name = 'repeat_vector'): KerasConfig {
  return { class_name: 'RepeatVector', config: { name, n: times } };
}

export interface Conv1DOptions {
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides?: number;
  readonly padding?: 'valid' | 'same' | 'causal';
  readonly dilationRate?: number;
  readonly activation?: Activation;
  readonly useBias?: boolean;
  readonly name?: string;
}

export function conv1D(options: Conv1DOptions): KerasConfig {
  return {
    class_name: 'Conv1D',
    config: {
      name: options.name ?? 'conv1d',
      filters: options.filters,
      kernel_size: [options.kernelSize],
      strides: [options.strides ?? 1],
      padding: options.padding ?? 'valid',
      data_format: 'channels_last',
      dilation_rate: [options.dilationRate ?? 1],
      groups: 1,
      activation: options.activation ?? 'linear',
      use_bias: options.useBias ?? true,
    },
  };
}

export interface Pooling1DOptions {
  readonly poolSize?: number;
  /** Default: `poolSize`. */
  readonly strides?: number;
  readonly padding?: 'valid' | 'same';
  readonly name?: string;
}

function pooling1D(className: string, defaultName: string, options: Pooling1DOptions): KerasConfig {
  const poolSize = options.poolSize ?? 2;
  return {
    class_name: className,
    config: { name: options.name ?? defaultName, pool_size: [poolSize], strides: [options.strides ?? poolSize], padding: options.padding ?? 'valid', data_format: 'channels_last' },
  };
}

export function maxPooling1D(options: Pooling1DOptions = {}): KerasConfig {
  return pooling1D('MaxPooling1D', 'max_pooling1d', options);
}

export function averagePooling1D(options: Pooling1DOptions = {}): KerasConfig {
  return pooling1D('AveragePooling1D', 'average_pooling1d', options);
}

export function flatten(name = 'flatten'): KerasConfig {
  return { class_name: 'Flatten', config: { name, data_format: 'channels_last' } };
}

export function globalAveragePooling1D(options: { keepDims?: boolean; name?: string } = {}): KerasConfig {
  return {
    class_name: 'GlobalAveragePooling1D',
    config: { name: options.name ?? 'global_average_pooling1d', data_format: 'channels_last', keepdims: options.keepDims ?? false },
  };
}

export function globalMaxPooling1D(options: { keepDims?: boolean; name?: string } = {}): KerasConfig {
  return {
    class_name: 'GlobalMaxPooling1D',
    config: { name: options.name ?? 'global_max_pooling1d', data_format: 'channels_last', keepdims: options.keepDims ?? false },
  };
}

export function batchNormalization(options: { epsilon?: number; center?: boolean; scale?: boolean; name?: string } = {}): KerasConfig {
  return {
    class_name: 'BatchNormalization',
    config: { name: options.name ?? 'batch_normalization', axis: -1, epsilon: options.epsilon ?? 1e-3, center: options.center ?? true, scale: options.scale ?? true },
  };
}

/** `Reshape`: the target shape without the batch, e.g. `[steps, features]` (one entry may be -1). */
export function reshape(targetShape: readonly number[], name = 'reshape'): KerasConfig {
  return { class_name: 'Reshape', config: { name, target_shape: [...targetShape] } };
}

export function layerNormalization(options: { epsilon?: number; center?: boolean; scale?: boolean; name?: string } = {}): KerasConfig {
  return {
    class_name: 'LayerNormalization',
    config: { name: options.name ?? 'layer_normalization', axis: -1, epsilon: options.epsilon ?? 1e-3, center: options.center ?? true, scale: options.scale ?? true },
  };
}

/**
 * A Sequential model. Layer names are made unique the way Keras does (`lstm`, `lstm_1`, ...), and
 * `inputShape` (`[timesteps | null, features]`, or `[timesteps]` of token ids) becomes an InputLayer.
 */
export function sequential(
  layers: readonly KerasConfig[],
  options: { inputShape?: readonly (number | null)[]; batchSize?: number; name?: string } = {},
): KerasConfig {
  const seen = new Map<string, number>();
  const unique = layers.map((layer) => {
    const base = String(layer.config.name ?? layer.class_name.toLowerCase());
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    return count === 0 ? layer : { ...layer, config: { ...layer.config, name: `${base}_${count}` } };
  });
  const input: KerasConfig[] = options.inputShape
    ? [{ class_name: 'InputLayer', config: { name: 'input_layer', batch_shape: [options.batchSize ?? null, ...options.inputShape] } }]
    : [];
  return { class_name: 'Sequential', config: { name: options.name ?? 'sequential', layers: [...input, ...unique] } };
}
