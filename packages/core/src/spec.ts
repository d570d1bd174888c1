import type { Activation, ElementwiseActivation, ParametricActivation } from './activations.js';
import type { Tensor } from './tensor.js';

/**
 * The typed, validated form of a Keras model or layer config. The config parser builds it once;
 * backends read it and never look at Keras JSON themselves. Every Keras default and version quirk
 * (Keras 2 `hard_sigmoid`, missing `reset_after`, Bidirectional's forced `zero_output_for_mask`)
 * is already resolved here.
 */

export type CellType = 'SimpleRNN' | 'GRU' | 'LSTM';

/**
 * What a recurrent layer emits at a masked step (states never change there):
 * - `zeros`: `zero_output_for_mask: true`;
 * - `state`: the carried `h` (Keras's default loop; so a leading masked step emits the initial `h`);
 * - `previous-output`: the previous step's output, starting from zeros (`unroll: true`).
 */
export type MaskedOutput = 'zeros' | 'state' | 'previous-output';

/** A Keras initializer, normalised: `glorot_uniform`, `orthogonal`, `zeros`, `constant`, ... with its config. */
export interface InitializerSpec {
  readonly name: string;
  readonly config: Readonly<Record<string, unknown>>;
}

export type LayerInitializers = Readonly<Record<string, InitializerSpec>>;

export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';

/** Number of gate blocks along the last weight axis: LSTM i,f,c,o; GRU z,r,h; SimpleRNN one. */
export const GATE_COUNT: Readonly<Record<CellType, number>> = { SimpleRNN: 1, GRU: 3, LSTM: 4 };

/** States in Keras order: LSTM `[h, c]`, GRU and SimpleRNN `[h]`. */
export const STATE_COUNT: Readonly<Record<CellType, number>> = { SimpleRNN: 1, GRU: 1, LSTM: 2 };

export interface RecurrentLayerSpec {
  readonly kind: 'rnn';
  readonly name: string;
  readonly cell: CellType;
  readonly units: number;
  /** Features of each input step (kernel rows). */
  readonly inputDim: number;
  readonly activation: ElementwiseActivation;
  /** Gate activation of LSTM and GRU; `sigmoid` (unused) for SimpleRNN. */
  readonly recurrentActivation: ElementwiseActivation;
  readonly useBias: boolean;
  /** GRU only (false for the other cells): bias is `(2, 3u)` and the reset gate applies after `h U`. */
  readonly resetAfter: boolean;
  /** LSTM only: affects initial weights, never a loaded layer's results. */
  readonly unitForgetBias: boolean;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  /** Read steps last to first; the sequence output stays in processing order (not flipped back). */
  readonly goBackwards: boolean;
  readonly stateful: boolean;
  readonly unroll: boolean;
  readonly zeroOutputForMask: boolean;
  /** Resolved from `zeroOutputForMask` and `unroll`; backends use this, not the two flags. */
  readonly maskedOutput: MaskedOutput;
  /** How fresh weights are drawn when none are given: `kernel`, `recurrent`, `bias`. */
  readonly initializers: LayerInitializers;
  /**
   * How the weights passed to `createModel` are laid out: as Keras's LSTM/GRU keeps them, or as a
   * Keras 2 `CuDNNLSTM`/`CuDNNGRU` stores them (each gate's kernel in cuDNN's order, separate input and
   * recurrent biases). Core converts `cudnn` weights to the Keras layout once; backends only see that.
   */
  readonly weightLayout: 'keras' | 'cudnn';
}

export interface BidirectionalLayerSpec {
  readonly kind: 'bidirectional';
  readonly name: string;
  readonly forward: RecurrentLayerSpec;
  /** Always `goBackwards: true`; its sequence output is flipped back to time order before merging. */
  readonly backward: RecurrentLayerSpec;
  /** `null` returns the two directions as separate outputs. */
  readonly mergeMode: MergeMode | null;
  readonly inputDim: number;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly stateful: boolean;
}

export interface DenseLayerSpec {
  readonly kind: 'dense';
  readonly name: string;
  readonly units: number;
  readonly inputDim: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  /** Came from `TimeDistributed(Dense)`; same math as Dense on the last axis. */
  readonly timeDistributed: boolean;
  /** `kernel`, `bias`. */
  readonly initializers: LayerInitializers;
}

/** `Masking`: the mask becomes `any(x != maskValue)` over features, and masked steps are zeroed. */
export interface MaskingLayerSpec {
  readonly kind: 'masking';
  readonly name: string;
  readonly maskValue: number;
}

/** Token ids (float-coded integers) to vectors; `maskZero` makes id 0 a masked step. */
export interface EmbeddingLayerSpec {
  readonly kind: 'embedding';
  readonly name: string;
  /** Vocabulary size (Keras `input_dim`). */
  readonly vocabulary: number;
  readonly outputDim: number;
  readonly maskZero: boolean;
  /** `embeddings`. */
  readonly initializers: LayerInitializers;
}

/** `Activation`, and the `LeakyReLU`, `ELU`, `ReLU` and `Softmax` layers (a name where one fits their parameters). */
export interface ActivationLayerSpec {
  readonly kind: 'activation';
  readonly name: string;
  readonly activation: Activation | ParametricActivation;
}

/** `RepeatVector`: `(batch, features)` → `(batch, times, features)`. */
export interface RepeatVectorLayerSpec {
  readonly kind: 'repeat-vector';
  readonly name: string;
  readonly times: number;
}

/**
 * `Flatten`: `(batch, d1, ..., dk)` → `(batch, d1·...·dk)`, row-major (a 2-D input passes as is).
 * Keras 3's Flatten does not support masking: a mask reaching it is dropped.
 */
export interface FlattenLayerSpec {
  readonly kind: 'flatten';
  readonly name: string;
}

/**
 * `Reshape`: `(batch, ...)` → `(batch, ...targetShape)`, row-major, with a `(steps, features)` or
 * `(features)` target (Keras's `-1` already resolved: the input's size is known). Keras 3's Reshape
 * does not support masking: a mask reaching it is dropped.
 */
export interface ReshapeLayerSpec {
  readonly kind: 'reshape';
  readonly name: string;
  readonly targetShape: readonly [number] | readonly [number, number];
}

/**
 * `GlobalAveragePooling1D` / `GlobalMaxPooling1D` (channels_last): `(batch, timesteps, features)` →
 * `(batch, features)`, or `(batch, 1, features)` with `keepDims`. The average leaves masked steps
 * out (a row with every step masked divides 0 by 0, NaN, as Keras does); the max ignores the mask,
 * since Keras 3's GlobalMaxPooling1D does not support masking. Neither passes a mask on.
 */
export interface GlobalPoolingLayerSpec {
  readonly kind: 'global-pooling';
  readonly name: string;
  readonly pooling: 'average' | 'max';
  readonly keepDims: boolean;
}

/** Options Batch- and LayerNormalization share (over the last axis). */
export interface NormalizationOptions {
  /** Size of the normalised (last) axis. */
  readonly features: number;
  readonly epsilon: number;
  /** With a `beta` weight. */
  readonly center: boolean;
  /** With a `gamma` weight. */
  readonly scale: boolean;
}

/**
 * `BatchNormalization` at inference, over the last axis:
 * `(x − moving_mean) / √(moving_variance + epsilon) · gamma + beta` (gamma 1 without `scale`, beta
 * 0 without `center`). Passes the mask on.
 */
export interface BatchNormalizationLayerSpec extends NormalizationOptions {
  readonly kind: 'batch-normalization';
  readonly name: string;
  /** `gamma`, `beta`, `movingMean`, `movingVariance`. */
  readonly initializers: LayerInitializers;
}

/**
 * `LayerNormalization` over the last axis: each step's features become
 * `(x − mean) / √(variance + epsilon) · gamma + beta` (gamma 1 without `scale`, beta 0 without
 * `center`), mean and variance over those features. Passes the mask on.
 */
export interface LayerNormalizationLayerSpec extends NormalizationOptions {
  readonly kind: 'layer-normalization';
  readonly name: string;
  /** `gamma`, `beta`. */
  readonly initializers: LayerInitializers;
}

/** How a 1-D window slides over time (Keras `padding`); `causal` only for Conv1D. */
export type WindowPadding = 'valid' | 'same' | 'causal';

/**
 * `Conv1D` (channels_last, `groups` 1): `(batch, timesteps, inputDim)` → `(batch, outSteps, filters)`,
 * `out[t] = act(bias + Σ_k x[t·strides + k·dilation − padBefore] · kernel[k])` with zeros outside
 * the input (`convolutionWindow` gives `outSteps` and `padBefore`). Drops the mask: Keras 3's Conv1D
 * does not support masking.
 */
export interface Conv1DLayerSpec {
  readonly kind: 'conv1d';
  readonly name: string;
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly dilation: number;
  readonly padding: WindowPadding;
  readonly inputDim: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  /** `kernel`, `bias`. */
  readonly initializers: LayerInitializers;
}

/**
 * `MaxPooling1D` / `AveragePooling1D` (channels_last): `(batch, timesteps, features)` →
 * `(batch, outSteps, features)` over windows of `poolSize` steps every `strides`. With `same`
 * padding the max ignores the padded places and the average divides by the steps really in the
 * window, as Keras does. Drops the mask (Keras 3's pooling layers do not support masking).
 */
export interface Pooling1DLayerSpec {
  readonly kind: 'pooling1d';
  readonly name: string;
  readonly pooling: 'max' | 'average';
  readonly poolSize: number;
  readonly strides: number;
  readonly padding: 'valid' | 'same';
}

export type LayerSpec =
  | RecurrentLayerSpec
  | BidirectionalLayerSpec
  | DenseLayerSpec
  | MaskingLayerSpec
  | EmbeddingLayerSpec
  | ActivationLayerSpec
  | RepeatVectorLayerSpec
  | FlattenLayerSpec
  | ReshapeLayerSpec
  | GlobalPoolingLayerSpec
  | BatchNormalizationLayerSpec
  | LayerNormalizationLayerSpec
  | Conv1DLayerSpec
  | Pooling1DLayerSpec;

/** Layers that hold recurrent state: the ones `initialStates`/`finalStates` entries belong to. */
export type StatefulLayerSpec = RecurrentLayerSpec | BidirectionalLayerSpec;

export interface OutputSpec {
  /** Keras output name: `output`, `h`, `c`, `forward_output`, `backward_h`, ... */
  readonly name: string;
  /** With `null` for the batch and, where unknown, the time dimension. */
  readonly shape: readonly (number | null)[];
}

/**
 * A chain of layers, in call order. A single Keras layer is a chain of one. Mask flow along the
 * chain (every backend implements this rule, nothing else):
 * - the mask entering layer 0 is the run's `mask` (or none);
 * - `masking` replaces it with its computed mask; `embedding` with `ids != 0` if `maskZero`, else none;
 * - `rnn`/`bidirectional` consume it, and pass it on only if `returnSequences`;
 * - `dense`, `activation` and `batch-normalization` pass it on unchanged;
 * - `conv1d` and `pooling1d` drop it (their output has other timesteps);
 * - `global-pooling` (average) uses it and `flatten` drops it; neither, nor `repeat-vector` (whose
 *   input is one vector per row, which never carries a mask), passes a mask on.
 */
export interface ModelSpec {
  readonly name: string;
  /** `layer`: built from one layer's config; `sequential`: from a Sequential or chain-shaped Functional model. */
  readonly source: 'layer' | 'sequential';
  readonly layers: readonly LayerSpec[];
  /** Per-call input: `(batch, timesteps, features)`, or `(batch, timesteps)` of token ids when layer 0 is an embedding. */
  readonly input: {
    readonly batch: number | null;
    readonly timesteps: number | null;
    /** `null` when layer 0 is an embedding. */
    readonly features: number | null;
    readonly tokenIds: boolean;
  };
  readonly outputs: readonly OutputSpec[];
  /** Keras major version whose semantics the config follows (2 or 3); already folded into the layers. */
  readonly kerasVersion: 2 | 3;
  /** Names of accepted layers that do nothing at inference (Dropout, InputLayer, ...), for display. */
  readonly ignoredLayers: readonly string[];
}

/** Weights of one SimpleRNN/GRU/LSTM, Keras layout: kernel `(f, G·u)`, recurrent `(u, G·u)`, bias `(G·u)` or GRU reset_after `(2, 3u)`. */
export interface RecurrentWeights {
  readonly kernel: Tensor;
  readonly recurrentKernel: Tensor;
  readonly bias: Tensor | null;
}

export interface BidirectionalWeights {
  readonly forward: RecurrentWeights;
  readonly backward: RecurrentWeights;
}

export interface DenseWeights {
  readonly kernel: Tensor;
  readonly bias: Tensor | null;
}

export interface EmbeddingWeights {
  readonly embeddings: Tensor;
}

/** Each `(features)`; `gamma` is `null` without `scale`, `beta` without `center`. */
export interface BatchNormalizationWeights {
  readonly gamma: Tensor | null;
  readonly beta: Tensor | null;
  readonly movingMean: Tensor;
  readonly movingVariance: Tensor;
}

/** Each `(features)`; `gamma` is `null` without `scale`, `beta` without `center`. */
export interface LayerNormalizationWeights {
  readonly gamma: Tensor | null;
  readonly beta: Tensor | null;
}

/** Weights of each layer in `ModelSpec.layers` order; `null` for layers without weights. */
/** Keras layout: kernel `(kernelSize, inputDim, filters)`, bias `(filters)`. */
export interface Conv1DWeights {
  readonly kernel: Tensor;
  readonly bias: Tensor | null;
}

export type LayerWeights =
  | RecurrentWeights
  | BidirectionalWeights
  | DenseWeights
  | EmbeddingWeights
  | BatchNormalizationWeights
  | LayerNormalizationWeights
  | Conv1DWeights
  | null;
export type ModelWeights = readonly LayerWeights[];

/** One expected entry of Keras `get_weights()`. */
export interface WeightSlot {
  readonly layer: string;
  /** Keras-style path, e.g. `lstm/lstm_cell/kernel`. */
  readonly name: string;
  readonly shape: readonly number[];
}

export function isStatefulLayer(layer: LayerSpec): layer is StatefulLayerSpec {
  return layer.kind === 'rnn' || layer.kind === 'bidirectional';
}

/** Shapes of a stateful layer's states, Keras order (`[h, c]`, or `[fh, fc, bh, bc]` for Bidirectional). */
export function stateShapes(layer: StatefulLayerSpec, batch: number): number[][] {
  if (layer.kind === 'rnn') return Array.from({ length: STATE_COUNT[layer.cell] }, () => [batch, layer.units]);
  return [...stateShapes(layer.forward, batch), ...stateShapes(layer.backward, batch)];
}
