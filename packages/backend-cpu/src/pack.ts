import {
  ACTIVATION_FUNCTIONS,
  GATE_COUNT,
  WeightError,
  formatShape,
  sameShape,
  type Conv1DLayerSpec,
  type Conv1DWeights,
  type DenseLayerSpec,
  type DenseWeights,
  type EmbeddingLayerSpec,
  type EmbeddingWeights,
  type RecurrentLayerSpec,
  type RecurrentWeights,
  type Tensor,
} from '@rnn/core';
import { transpose } from './kernels.js';

/**
 * Compile-time weight layouts for the TypeScript kernels: every matrix is transposed once into the
 * `(outputs, inner)` form `matmulPacked` reads, and activations are resolved to functions once.
 */

export type ScalarFunction = (x: number) => number;

export interface PackedRecurrent {
  readonly spec: RecurrentLayerSpec;
  /** `G·u`: gate blocks times units, the width of both projections. */
  readonly width: number;
  /** Kernel `(f, G·u)` transposed to `(G·u, f)`. */
  readonly kernel: Float32Array;
  /** Recurrent kernel `(u, G·u)` transposed to `(G·u, u)`. */
  readonly recurrentKernel: Float32Array;
  /** Added to the input projection `x W`: the whole bias, or GRU reset_after's row 0. */
  readonly inputBias: Float32Array | null;
  /** Added to `h U`: GRU reset_after's row 1, else `null`. */
  readonly recurrentBias: Float32Array | null;
  readonly activation: ScalarFunction;
  readonly recurrentActivation: ScalarFunction;
}

export interface PackedConv1D {
  readonly spec: Conv1DLayerSpec;
  /** Kernel as `(kernelSize·inputDim, filters)`, transposed to `(filters, kernelSize·inputDim)`. */
  readonly kernel: Float32Array;
  readonly bias: Float32Array | null;
}

export interface PackedDense {
  readonly spec: DenseLayerSpec;
  /** Kernel `(inputDim, units)` transposed to `(units, inputDim)`. */
  readonly kernel: Float32Array;
  readonly bias: Float32Array | null;
}

export interface PackedEmbedding {
  readonly spec: EmbeddingLayerSpec;
  /** `(vocabulary, outputDim)`, row-major as Keras stores it: a lookup copies one row. */
  readonly table: Float32Array;
}

function expectShape(layer: string, field: string, tensor: Tensor | null, expected: readonly number[]): Tensor {
  if (tensor === null) {
    throw new WeightError(`${layer}: weight "${field}" is missing, expected shape ${formatShape(expected)}`, {
      layer,
      field,
      expected,
      actual: null,
    });
  }
  if (!sameShape(tensor.shape, expected)) {
    throw new WeightError(
      `${layer}: weight "${field}" has shape ${formatShape(tensor.shape)}, expected ${formatShape(expected)}`,
      { layer, field, expected, actual: tensor.shape },
    );
  }
  return tensor;
}

function expectNoBias(layer: string, bias: Tensor | null): void {
  if (bias !== null) {
    throw new WeightError(`${layer}: use_bias is false but a bias of shape ${formatShape(bias.shape)} was given`, {
      layer,
      field: 'bias',
      expected: null,
      actual: bias.shape,
    });
  }
}

/**
 * A recurrent layer's weights checked against its spec, still in Keras layout: kernel `(f, G·u)`,
 * recurrent kernel `(u, G·u)`, and the bias split into the part added to `x W` and the part added
 * to `h U` (GRU reset_after's second row, else `null`). Each backend's kernels pack these their way.
 */
export interface CheckedRecurrentWeights {
  readonly kernel: Float32Array;
  readonly recurrentKernel: Float32Array;
  readonly inputBias: Float32Array | null;
  readonly recurrentBias: Float32Array | null;
}

export function checkRecurrentWeights(spec: RecurrentLayerSpec, weights: RecurrentWeights): CheckedRecurrentWeights {
  const units = spec.units;
  const width = GATE_COUNT[spec.cell] * units;
  const kernel = expectShape(spec.name, 'kernel', weights.kernel, [spec.inputDim, width]);
  const recurrent = expectShape(spec.name, 'recurrent_kernel', weights.recurrentKernel, [units, width]);
  let inputBias: Float32Array | null = null;
  let recurrentBias: Float32Array | null = null;
  if (!spec.useBias) {
    expectNoBias(spec.name, weights.bias);
  } else if (spec.resetAfter) {
    const bias = expectShape(spec.name, 'bias', weights.bias, [2, width]).data;
    inputBias = bias.slice(0, width);
    recurrentBias = bias.slice(width, 2 * width);
  } else {
    inputBias = expectShape(spec.name, 'bias', weights.bias, [width]).data.slice();
  }
  return { kernel: kernel.data, recurrentKernel: recurrent.data, inputBias, recurrentBias };
}

export function packRecurrent(spec: RecurrentLayerSpec, weights: RecurrentWeights): PackedRecurrent {
  const width = GATE_COUNT[spec.cell] * spec.units;
  const checked = checkRecurrentWeights(spec, weights);
  return {
    spec,
    width,
    kernel: transpose(checked.kernel, spec.inputDim, width),
    recurrentKernel: transpose(checked.recurrentKernel, spec.units, width),
    inputBias: checked.inputBias,
    recurrentBias: checked.recurrentBias,
    activation: ACTIVATION_FUNCTIONS[spec.activation],
    recurrentActivation: ACTIVATION_FUNCTIONS[spec.recurrentActivation],
  };
}

export function packDense(spec: DenseLayerSpec, weights: DenseWeights): PackedDense {
  const kernel = expectShape(spec.name, 'kernel', weights.kernel, [spec.inputDim, spec.units]);
  let bias: Float32Array | null = null;
  if (spec.useBias) bias = expectShape(spec.name, 'bias', weights.bias, [spec.units]).data.slice();
  else expectNoBias(spec.name, weights.bias);
  return { spec, kernel: transpose(kernel.data, spec.inputDim, spec.units), bias };
}

/** A Conv1D kernel `(kernelSize, inputDim, filters)` is the matrix `(kernelSize·inputDim, filters)` of a product with window rows. */
export function packConv1D(spec: Conv1DLayerSpec, weights: Conv1DWeights): PackedConv1D {
  const inner = spec.kernelSize * spec.inputDim;
  const kernel = expectShape(spec.name, 'kernel', weights.kernel, [spec.kernelSize, spec.inputDim, spec.filters]);
  let bias: Float32Array | null = null;
  if (spec.useBias) bias = expectShape(spec.name, 'bias', weights.bias, [spec.filters]).data.slice();
  else expectNoBias(spec.name, weights.bias);
  return { spec, kernel: transpose(kernel.data, inner, spec.filters), bias };
}

export function packEmbedding(spec: EmbeddingLayerSpec, weights: EmbeddingWeights): PackedEmbedding {
  const table = expectShape(spec.name, 'embeddings', weights.embeddings, [spec.vocabulary, spec.outputDim]);
  return { spec, table: table.data.slice() };
}
