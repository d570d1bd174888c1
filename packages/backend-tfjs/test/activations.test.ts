import '../src/node.js';
import * as tf from '@tensorflow/tfjs-core';
import { ACTIVATION_FUNCTIONS, ELEMENTWISE_ACTIVATIONS, applyAxisActivation } from '@rnn/core';
import { describe, expect, it } from 'vitest';
import { TFJS_ACTIVATIONS, applyActivation } from '../src/activations.js';
import { NODE_BACKENDS, maxRelativeError, useTfBackend } from './helpers.js';

// Every point of [-20, 20] in steps of 1/32 (exact in float32, so both sides see the same inputs),
// the kinks of the piecewise activations, and far tails where naive formulas overflow.
const grid = Array.from({ length: 1281 }, (_, i) => -20 + i / 32);
const points = Float32Array.from([...grid, -88, -60, -1, -0.5, -0.25, 0, 0.25, 0.5, 1, 3, -3, 6, 60, 88]);

describe.each(NODE_BACKENDS)('activations on $name', ({ tfBackend }) => {
  it.each([...ELEMENTWISE_ACTIVATIONS])('%s matches core’s scalar formula', async (name) => {
    await useTfBackend(tfBackend);
    // exponential overflows float32 past ~88.7, as Keras's does; compare where it is finite.
    const inputs = name === 'exponential' ? points.filter((x) => x < 80) : points;
    const got = tf.tidy(() => TFJS_ACTIVATIONS[name](tf.tensor1d(inputs)).dataSync());
    const want = Array.from(inputs, ACTIVATION_FUNCTIONS[name]);
    expect(maxRelativeError(got, want)).toBeLessThanOrEqual(1e-5);
  });

  it('softmax and log_softmax match core over the last axis', async () => {
    await useTfBackend(tfBackend);
    const x = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i) * 7);
    for (const kind of ['softmax', 'log_softmax'] as const) {
      const got = tf.tidy(() => applyActivation(kind, tf.tensor3d(x, [2, 3, 4])).dataSync());
      const want = x.slice();
      applyAxisActivation(kind, want, 4);
      expect(maxRelativeError(got, want)).toBeLessThanOrEqual(1e-6);
    }
  });

  it('hard_sigmoid is Keras 3’s x/6 + 0.5 and hard_sigmoid_keras2 is 0.2x + 0.5, in float32 steps', async () => {
    await useTfBackend(tfBackend);
    const values = [-4, -1, 0, 1, 2.4, 4].map(Math.fround);
    const f = Math.fround;
    const [keras3, keras2] = tf.tidy(() => {
      const x = tf.tensor1d(values);
      return [TFJS_ACTIVATIONS.hard_sigmoid(x).dataSync(), TFJS_ACTIVATIONS.hard_sigmoid_keras2(x).dataSync()];
    });
    const clip = (v: number) => Math.min(1, Math.max(0, v));
    expect(Array.from(keras3)).toEqual(values.map((x) => clip(f(f(x / 6) + 0.5))));
    expect(Array.from(keras2)).toEqual(values.map((x) => clip(f(f(x * f(0.2)) + 0.5))));
  });
});
