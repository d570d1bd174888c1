import * as tf from '@tensorflow/tfjs-core';
import {
  STATE_COUNT,
  type BidirectionalLayerSpec,
  type BidirectionalWeights,
  type DenseLayerSpec,
  type DenseWeights,
  type EmbeddingLayerSpec,
  type EmbeddingWeights,
  type LayerSpec,
  type LayerWeights,
  type MergeMode,
  type RecurrentLayerSpec,
  type RecurrentWeights,
} from '@rnn/core';
import { applyActivation } from './activations.js';
import { CompiledRecurrent } from './recurrent.js';
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

export function compileLayer(spec: LayerSpec, weights: LayerWeights): CompiledLayer {
  switch (spec.kind) {
    case 'rnn':
      return recurrentLayer(spec, weights as RecurrentWeights);
    case 'bidirectional':
      return bidirectionalLayer(spec, weights as BidirectionalWeights);
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
  }
}

function recurrentLayer(spec: RecurrentLayerSpec, weights: RecurrentWeights): CompiledLayer {
  const layer = new CompiledRecurrent(spec, weights);
  return {
    call: (x, mask, initialStates) => {
      const result = layer.run(x as tf.Tensor3D, mask, initialStates, spec.returnSequences);
      const output = result.sequence ?? result.lastOutput;
      const outputs = spec.returnState ? [output, ...result.states] : [output];
      return { value: output, outputs, mask: spec.returnSequences ? mask : null, states: result.states };
    },
    dispose: () => layer.dispose(),
  };
}

function bidirectionalLayer(spec: BidirectionalLayerSpec, weights: BidirectionalWeights): CompiledLayer {
  const forward = new CompiledRecurrent(spec.forward, weights.forward);
  const backward = new CompiledRecurrent(spec.backward, weights.backward);
  const forwardStateCount = STATE_COUNT[spec.forward.cell];
  return {
    call: (x, mask, initialStates) => {
      const keep = spec.returnSequences;
      const fw = forward.run(x as tf.Tensor3D, mask, initialStates?.slice(0, forwardStateCount) ?? null, keep);
      const bw = backward.run(x as tf.Tensor3D, mask, initialStates?.slice(forwardStateCount) ?? null, keep);
      const forwardOutput = fw.sequence ?? fw.lastOutput;
      // The backward half is read last-to-first; Bidirectional flips its sequence back to time order.
      const backwardOutput = bw.sequence ? tf.reverse(bw.sequence, 1) : bw.lastOutput;
      const merged = spec.mergeMode === null ? [forwardOutput, backwardOutput] : [merge(spec.mergeMode, forwardOutput, backwardOutput)];
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
