import * as tf from '@tensorflow/tfjs-core';
import {
  STATE_COUNT,
  batchNormalizationAffine,
  convolutionWindow,
  type BatchNormalizationLayerSpec,
  type BatchNormalizationWeights,
  type LayerNormalizationLayerSpec,
  type LayerNormalizationWeights,
  type BidirectionalLayerSpec,
  type BidirectionalWeights,
  type Conv1DLayerSpec,
  type Conv1DWeights,
  type DenseLayerSpec,
  type DenseWeights,
  type EmbeddingLayerSpec,
  type EmbeddingWeights,
  type GlobalPoolingLayerSpec,
  type LayerSpec,
  type LayerWeights,
  type MergeMode,
  type Pooling1DLayerSpec,
  type RecurrentLayerSpec,
  type RecurrentWeights,
  type RepeatVectorLayerSpec,
  type WindowPadding,
} from '@rnn/core';
import { applyActivation } from './activations.js';
import type { RecurrentRunner } from './recurrent.js';
import { upload } from './upload.js';

/**
 * Every layer kind of the spec, compiled for tfjs. `call` runs inside the model's `tf.tidy` and
 * follows `ModelSpec`'s mask rule: it receives the incoming mask (bool `(batch, timesteps)` or
 * `null`) and returns the one the next layer sees.
 */
export interface LayerCall {
  /** What flows to the next layer (the first output for layers with several). */
  readonly value: tf.Tensor;
  /** Keras's outputs of this layer, in order; only the last layer's become the model's outputs. */
  readonly outputs: readonly tf.Tensor[];
  readonly mask: tf.Tensor2D | null;
  /** Final recurrent states in Keras order, `null` for layers without state. */
  readonly states: readonly tf.Tensor2D[] | null;
}

export interface CompiledLayer {
  call(x: tf.Tensor, mask: tf.Tensor2D | null, initialStates: readonly tf.Tensor2D[] | null): LayerCall;
  dispose(): void;
}

/** Compiles one direction of a recurrent layer: as tfjs ops, or as one fused kernel (see model.ts). */
export type RecurrentCompiler = (spec: RecurrentLayerSpec, weights: RecurrentWeights) => RecurrentRunner;

export function compileLayer(spec: LayerSpec, weights: LayerWeights, recurrent: RecurrentCompiler): CompiledLayer {
  switch (spec.kind) {
    case 'rnn':
      return recurrentLayer(spec, recurrent(spec, weights as RecurrentWeights));
    case 'bidirectional': {
      const pair = weights as BidirectionalWeights;
      return bidirectionalLayer(spec, recurrent(spec.forward, pair.forward), recurrent(spec.backward, pair.backward));
    }
    case 'dense':
      return denseLayer(spec, weights as DenseWeights);
    case 'embedding':
      return embeddingLayer(spec, weights as EmbeddingWeights);
    case 'masking':
      return {
        call: (x) => {
          const real = tf.any(tf.notEqual(x, spec.maskValue), -1) as tf.Tensor2D;
          const zeroed = tf.mul(x, tf.expandDims(tf.cast(real, 'float32'), -1));
          return { value: zeroed, outputs: [zeroed], mask: real, states: null };
        },
        dispose: () => undefined,
      };
    case 'activation':
      return {
        call: (x, mask) => {
          const y = applyActivation(spec.activation, x);
          return { value: y, outputs: [y], mask, states: null };
        },
        dispose: () => undefined,
      };
    case 'repeat-vector':
      return repeatVectorLayer(spec);
    case 'flatten':
      return {
        call: (x) => {
          // Row-major, as Keras; the explicit size (not -1) also holds for an empty batch.
          const flat = tf.reshape(x, [x.shape[0], x.shape.slice(1).reduce((n, d) => n * d, 1)]);
          return { value: flat, outputs: [flat], mask: null, states: null };
        },
        dispose: () => undefined,
      };
    case 'reshape':
      return {
        call: (x) => {
          const reshaped = tf.reshape(x, [x.shape[0], ...spec.targetShape]);
          return { value: reshaped, outputs: [reshaped], mask: null, states: null };
        },
        dispose: () => undefined,
      };
    case 'global-pooling':
      return globalPoolingLayer(spec);
    case 'batch-normalization':
      return batchNormalizationLayer(spec, weights as BatchNormalizationWeights);
    case 'layer-normalization':
      return layerNormalizationLayer(spec, (weights ?? { gamma: null, beta: null }) as LayerNormalizationWeights);
    case 'conv1d':
      return conv1DLayer(spec, weights as Conv1DWeights);
    case 'pooling1d':
      return pooling1DLayer(spec);
  }
}

function recurrentLayer(spec: RecurrentLayerSpec, layer: RecurrentRunner): CompiledLayer {
  return {
    call: (x, mask, initialStates) => {
      const result = layer.run(x as tf.Tensor3D, mask, initialStates, { keepSequence: spec.returnSequences, order: 'processing' });
      const outputs = spec.returnState ? [result.output, ...result.states] : [result.output];
      return { value: result.output, outputs, mask: spec.returnSequences ? mask : null, states: result.states };
    },
    dispose: () => layer.dispose(),
  };
}

function bidirectionalLayer(spec: BidirectionalLayerSpec, forward: RecurrentRunner, backward: RecurrentRunner): CompiledLayer {
  const forwardStateCount = STATE_COUNT[spec.forward.cell];
  return {
    call: (x, mask, initialStates) => {
      const keep = spec.returnSequences;
      // Time order: the backward half's sequence comes back aligned with the input's steps, ready to merge.
      const options = { keepSequence: keep, order: 'time' } as const;
      const fw = forward.run(x as tf.Tensor3D, mask, initialStates?.slice(0, forwardStateCount) ?? null, options);
      const bw = backward.run(x as tf.Tensor3D, mask, initialStates?.slice(forwardStateCount) ?? null, options);
      const merged = spec.mergeMode === null ? [fw.output, bw.output] : [merge(spec.mergeMode, fw.output, bw.output)];
      const states = [...fw.states, ...bw.states];
      const outputs = spec.returnState ? [...merged, ...states] : merged;
      return { value: merged[0], outputs, mask: keep ? mask : null, states };
    },
    dispose: () => {
      forward.dispose();
      backward.dispose();
    },
  };
}

function merge(mode: MergeMode, a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  switch (mode) {
    case 'concat':
      return tf.concat([a, b], -1);
    case 'sum':
      return tf.add(a, b);
    case 'mul':
      return tf.mul(a, b);
    case 'ave':
      return tf.div(tf.add(a, b), 2);
  }
}

function denseLayer(spec: DenseLayerSpec, weights: DenseWeights): CompiledLayer {
  const kernel = upload(weights.kernel) as tf.Tensor2D;
  const bias = weights.bias ? (upload(weights.bias) as tf.Tensor1D) : null;
  return {
    call: (x, mask) => {
      // Dense acts on the last axis: fold the leading axes into rows for one matMul.
      const rows = tf.reshape(x, [-1, spec.inputDim]) as tf.Tensor2D;
      const projected = tf.fused.matMul({ a: rows, b: kernel, bias: bias ?? undefined });
      const y = applyActivation(spec.activation, tf.reshape(projected, [...x.shape.slice(0, -1), spec.units]));
      return { value: y, outputs: [y], mask, states: null };
    },
    dispose: () => {
      kernel.dispose();
      bias?.dispose();
    },
  };
}

function embeddingLayer(spec: EmbeddingLayerSpec, weights: EmbeddingWeights): CompiledLayer {
  const table = upload(weights.embeddings) as tf.Tensor2D;
  return {
    call: (ids) => {
      // Core has checked that ids are integers inside the vocabulary.
      const vectors = tf.gather(table, tf.cast(ids, 'int32'));
      const mask = spec.maskZero ? (tf.notEqual(ids, 0) as tf.Tensor2D) : null;
      return { value: vectors, outputs: [vectors], mask, states: null };
    },
    dispose: () => table.dispose(),
  };
}

function repeatVectorLayer(spec: RepeatVectorLayerSpec): CompiledLayer {
  return {
    call: (x) => {
      // (batch, features) → (batch, times, features); a 2-D input never carries a mask, nor does the copy.
      const repeated = tf.tile(tf.expandDims(x, 1), [1, spec.times, 1]);
      return { value: repeated, outputs: [repeated], mask: null, states: null };
    },
    dispose: () => undefined,
  };
}

function globalPoolingLayer(spec: GlobalPoolingLayerSpec): CompiledLayer {
  return {
    call: (x, mask) => {
      const pooled = spec.pooling === 'max' ? tf.max(x, 1, spec.keepDims) : average(x, mask, spec.keepDims);
      return { value: pooled, outputs: [pooled], mask: null, states: null };
    },
    dispose: () => undefined,
  };
}

/**
 * Mean over the steps of `(batch, timesteps, features)`, leaving masked steps out. A row whose
 * steps are all masked divides 0 by 0 (NaN), as Keras does. The max takes no mask: Keras 3's
 * GlobalMaxPooling1D does not support masking, so masked steps take part there.
 */
function average(x: tf.Tensor, mask: tf.Tensor2D | null, keepDims: boolean): tf.Tensor {
  if (mask === null) return tf.mean(x, 1, keepDims);
  // Keras 3 too zeroes masked steps with a `where`, so an Inf or NaN there does not leak into the sum.
  const sum = tf.sum(tf.where(tf.expandDims(mask, -1), x, tf.zerosLike(x)), 1, keepDims);
  const count = tf.sum(tf.cast(mask, 'float32'), 1, true);
  return tf.div(sum, keepDims ? tf.expandDims(count, -1) : count);
}

function batchNormalizationLayer(spec: BatchNormalizationLayerSpec, weights: BatchNormalizationWeights): CompiledLayer {
  // Folded once into x · scale + shift per feature, Keras's own order (core computes the two vectors).
  const affine = batchNormalizationAffine(spec, weights);
  const scale = upload({ shape: [spec.features], data: affine.scale }) as tf.Tensor1D;
  const shift = upload({ shape: [spec.features], data: affine.shift }) as tf.Tensor1D;
  return {
    call: (x, mask) => {
      // Broadcasts over the last axis of a 2-D or 3-D flow.
      const y = tf.add(tf.mul(x, scale), shift);
      return { value: y, outputs: [y], mask, states: null };
    },
    dispose: () => {
      scale.dispose();
      shift.dispose();
    },
  };
}

function layerNormalizationLayer(spec: LayerNormalizationLayerSpec, weights: LayerNormalizationWeights): CompiledLayer {
  const gamma = weights.gamma ? (upload(weights.gamma) as tf.Tensor1D) : null;
  const beta = weights.beta ? (upload(weights.beta) as tf.Tensor1D) : null;
  return {
    call: (x, mask) => {
      const { mean, variance } = tf.moments(x, -1, true);
      let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, spec.epsilon)));
      if (gamma) y = tf.mul(y, gamma);
      if (beta) y = tf.add(y, beta);
      return { value: y, outputs: [y], mask, states: null };
    },
    dispose: () => {
      gamma?.dispose();
      beta?.dispose();
    },
  };
}

/**
 * Core's window over `steps` input steps, as the steps to pad before and after the input so that a
 * tfjs window with 'valid' padding gives exactly core's `outSteps`. tfjs's own 'same' is not used:
 * core's rule is the one every backend shares, and tfjs has no 'causal'. Calls too short for a
 * `valid` window were refused before (`checkWindowSteps` in the model's run).
 */
function paddedWindow(steps: number, size: number, strides: number, dilation: number, padding: WindowPadding): { outSteps: number; before: number; after: number } {
  const { outSteps, padBefore, padAfter } = convolutionWindow(steps, size, strides, dilation, padding);
  return { outSteps, before: padBefore, after: padAfter };
}

/** `(batch, timesteps, features)` with `before` and `after` steps of `value` around time. */
function padTime(x: tf.Tensor, before: number, after: number, value: number): tf.Tensor {
  return before === 0 && after === 0 ? x : tf.pad(x, [[0, 0], [before, after], [0, 0]], value);
}

/**
 * One `FusedConv2D` (bias included) over the zero-padded input viewed as `(batch, 1, steps, inputDim)`,
 * then the activation as Dense applies it. Keras's kernel `(kernelSize, inputDim, filters)` is
 * tfjs's filter layout; it is uploaded once, with a leading height of 1.
 */
function conv1DLayer(spec: Conv1DLayerSpec, weights: Conv1DWeights): CompiledLayer {
  const filter = upload({ shape: [1, ...weights.kernel.shape], data: weights.kernel.data }) as tf.Tensor4D;
  const bias = weights.bias ? (upload(weights.bias) as tf.Tensor1D) : null;
  return {
    call: (x) => {
      const [batch, steps] = x.shape;
      const window = paddedWindow(steps, spec.kernelSize, spec.strides, spec.dilation, spec.padding);
      const padded = padTime(x, window.before, window.after, 0);
      const convolved = tf.fused.conv2d({
        x: tf.reshape(padded, [batch, 1, padded.shape[1]!, spec.inputDim]) as tf.Tensor4D,
        filter,
        strides: [1, spec.strides],
        pad: 'valid',
        dilations: [1, spec.dilation],
        bias: bias ?? undefined,
      });
      const y = applyActivation(spec.activation, tf.reshape(convolved, [batch, window.outSteps, spec.filters]));
      // Keras 3's Conv1D does not support masking: the mask stops here.
      return { value: y, outputs: [y], mask: null, states: null };
    },
    dispose: () => {
      filter.dispose();
      bias?.dispose();
    },
  };
}

/**
 * tfjs's `maxPool`/`avgPool` with 'valid' windows over `(batch, steps, 1, features)`, padded by us
 * (core's window): with −∞ for the max, so padded places never win; with zeros for the average,
 * then rescaled by `poolSize / real steps` per output step, so it divides by the steps really in
 * each window, as Keras does.
 */
function pooling1DLayer(spec: Pooling1DLayerSpec): CompiledLayer {
  return {
    call: (x) => {
      const [batch, steps, features] = x.shape;
      const window = paddedWindow(steps, spec.poolSize, spec.strides, 1, spec.padding);
      const padded = padTime(x, window.before, window.after, spec.pooling === 'max' ? -Infinity : 0);
      const view = tf.reshape(padded, [batch, padded.shape[1]!, 1, features]) as tf.Tensor4D;
      const size: [number, number] = [spec.poolSize, 1];
      const strides: [number, number] = [spec.strides, 1];
      const pooled =
        spec.pooling === 'max'
          ? tf.maxPool(view, size, strides, 'valid')
          : rescaleToRealSteps(tf.avgPool(view, size, strides, 'valid'), spec, steps, window.before);
      const y = tf.reshape(pooled, [batch, window.outSteps, features]);
      // Keras 3's pooling layers do not support masking: the mask stops here.
      return { value: y, outputs: [y], mask: null, states: null };
    },
    dispose: () => undefined,
  };
}

/** An average over `poolSize` places, some of them padding, as the average over the real steps only. */
function rescaleToRealSteps(average: tf.Tensor4D, spec: Pooling1DLayerSpec, steps: number, padBefore: number): tf.Tensor4D {
  const outSteps = average.shape[1];
  const factors = new Float32Array(outSteps);
  for (let t = 0; t < outSteps; t++) {
    const start = t * spec.strides - padBefore;
    const real = Math.min(steps, start + spec.poolSize) - Math.max(0, start);
    factors[t] = spec.poolSize / real;
  }
  if (factors.every((f) => f === 1)) return average;
  return tf.mul(average, tf.tensor4d(factors, [1, outSteps, 1, 1]));
}
