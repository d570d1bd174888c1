import '../src/node.js';
import * as tf from '@tensorflow/tfjs-core';
import {
  averagePooling1D,
  batchNormalization,
  conv1D,
  flatten,
  globalAveragePooling1D,
  globalMaxPooling1D,
  lstm,
  maxPooling1D,
  parseConfig,
  repeatVector,
  sequential,
  type KerasConfig,
  type LayerSpec,
  type LayerWeights,
} from '@rnn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileLayer, type RecurrentCompiler } from '../src/layers.js';
import { NODE_BACKENDS, useTfBackend } from './helpers.js';
import { describeLayerCases } from './layer-cases.js';

for (const { name } of NODE_BACKENDS) describeLayerCases(name);

/** The spec of the last layer of a one-input Sequential model. */
function lastLayer(layers: readonly KerasConfig[], inputShape: readonly number[]): LayerSpec {
  const spec = parseConfig(sequential(layers, { inputShape }));
  return spec.layers[spec.layers.length - 1];
}

const noRecurrent: RecurrentCompiler = () => {
  throw new Error('no recurrent layer in these tests');
};

/**
 * What a layer hands the next one as its mask. Not visible in a model's outputs (after Flatten and
 * pooling the flow is 2-D, and RepeatVector drops any mask itself), so checked on the compiled layer.
 */
function maskAfter(spec: LayerSpec, weights: LayerWeights, x: tf.Tensor, mask: tf.Tensor2D): 'dropped' | 'passed on' | 'other' {
  const layer = compileLayer(spec, weights, noRecurrent);
  try {
    return tf.tidy(() => {
      const out = layer.call(x, mask, null).mask;
      return out === null ? 'dropped' : out === mask ? 'passed on' : 'other';
    });
  } finally {
    layer.dispose();
  }
}

describe('mask flow of the new layer kinds', () => {
  beforeAll(() => useTfBackend('cpu'));

  it('Flatten, both global poolings, Conv1D and 1-D pooling drop the mask; BatchNormalization passes it on; RepeatVector makes none', () => {
    const sequence = tf.tensor3d([1, 2, 3, 4, 5, 6], [1, 3, 2]);
    const mask = tf.tensor2d([[true, false, true]], [1, 3], 'bool');
    const statistics = { shape: [2], data: new Float32Array([0, 1]) };
    const bnWeights = { gamma: null, beta: null, movingMean: statistics, movingVariance: statistics };
    expect(maskAfter(lastLayer([flatten()], [3, 2]), null, sequence, mask)).toBe('dropped');
    expect(maskAfter(lastLayer([globalAveragePooling1D()], [3, 2]), null, sequence, mask)).toBe('dropped');
    expect(maskAfter(lastLayer([globalMaxPooling1D()], [3, 2]), null, sequence, mask)).toBe('dropped');
    expect(maskAfter(lastLayer([batchNormalization({ center: false, scale: false })], [3, 2]), bnWeights, sequence, mask)).toBe('passed on');
    const conv = lastLayer([conv1D({ filters: 1, kernelSize: 2, padding: 'causal' })], [3, 2]);
    const convWeights = { kernel: { shape: [2, 2, 1], data: new Float32Array(4) }, bias: null };
    expect(maskAfter(conv, convWeights, sequence, mask)).toBe('dropped');
    expect(maskAfter(lastLayer([maxPooling1D({ padding: 'same' })], [3, 2]), null, sequence, mask)).toBe('dropped');
    expect(maskAfter(lastLayer([averagePooling1D({ poolSize: 1 })], [3, 2]), null, sequence, mask)).toBe('dropped');
    const vector = tf.tensor2d([[1, 2]]);
    expect(maskAfter(lastLayer([lstm({ units: 2 }), repeatVector(3)], [3, 2]), null, vector, mask)).toBe('dropped');
    tf.dispose([sequence, mask, vector]);
  });
});
