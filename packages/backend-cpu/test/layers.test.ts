import { describe, expect, it } from 'vitest';
import {
  batchNormalization,
  createModel,
  flatten,
  globalAveragePooling1D,
  globalMaxPooling1D,
  masking,
  repeatVector,
  sequential,
  simpleRNN,
  tensor,
  type KerasConfig,
  type TensorLike,
} from '@rnn/core';
import '../src/index.js';

/** A linear 1-unit SimpleRNN, h = 2x + 1 + 0.5 h₋: on x = 1, 2, 3 it gives 3, 6.5, 10.25. */
const linearRnn = (returnSequences: boolean, name = 'simple_rnn') => simpleRNN({ units: 1, activation: 'linear', returnSequences, name });
const linearWeights: TensorLike[] = [tensor([2], [1, 1]), tensor([0.5], [1, 1]), tensor([1], [1])];

async function run(config: KerasConfig, weights: readonly TensorLike[], x: TensorLike) {
  const model = await createModel(config, { backend: 'cpu', weights });
  try {
    return await model.run(x);
  } finally {
    await model.dispose();
  }
}

describe('RepeatVector', () => {
  it('repeats each row n times, and a recurrent layer after it runs n steps', async () => {
    const config = sequential([linearRnn(false), repeatVector(3), linearRnn(true, 'again')], { inputShape: [3, 1] });
    const [out] = await run(config, [...linearWeights, ...linearWeights], tensor([1, 2, 3], [1, 3, 1]));
    // 10.25 three times into the same RNN: 21.5, 32.25, 37.625.
    expect(out.shape).toEqual([1, 3, 1]);
    expect(Array.from(out.data)).toEqual([21.5, 32.25, 37.625]);
    const [repeated] = await run(sequential([linearRnn(false), repeatVector(2)], { inputShape: [3, 1] }), linearWeights, tensor([1, 2, 3], [1, 3, 1]));
    expect(repeated.shape).toEqual([1, 2, 1]);
    expect(Array.from(repeated.data)).toEqual([10.25, 10.25]);
  });
});

describe('Flatten', () => {
  it('flattens (batch, timesteps, features) row-major', async () => {
    const [out] = await run(sequential([linearRnn(true), flatten()], { inputShape: [3, 1] }), linearWeights, tensor([1, 2, 3, 0, 0, 0], [2, 3, 1]));
    expect(out.shape).toEqual([2, 3]);
    expect(Array.from(out.data)).toEqual([3, 6.5, 10.25, 1, 1.5, 1.75]);
  });
});

describe('global pooling', () => {
  // Row 0 has its middle step masked (all features equal the mask value 0), row 1 none, row 2 all.
  const x = tensor([1, 2, 0, 0, 3, 4, 1, 1, 2, 2, 3, 3, 0, 0, 0, 0, 0, 0], [3, 3, 2]);

  it('GlobalAveragePooling1D averages the unmasked steps only; all masked gives NaN, as Keras', async () => {
    const [out] = await run(sequential([masking(0), globalAveragePooling1D()], { inputShape: [3, 2] }), [], x);
    expect(out.shape).toEqual([3, 2]);
    expect(Array.from(out.data)).toEqual([2, 3, 2, 2, NaN, NaN]);
  });

  it('GlobalAveragePooling1D without a mask is the mean over time; keepdims keeps the time axis', async () => {
    const [out] = await run(sequential([globalAveragePooling1D({ keepDims: true })], { inputShape: [3, 2] }), [], x);
    expect(out.shape).toEqual([3, 1, 2]);
    Array.from(out.data).forEach((v, i) => expect(v).toBeCloseTo([4 / 3, 2, 2, 2, 0, 0][i], 6));
  });

  it('GlobalMaxPooling1D ignores the mask (Keras 3 does not support masking there)', async () => {
    const negative = tensor(Array.from(x.data, (v) => -v), [3, 3, 2]);
    const [out] = await run(sequential([masking(0), globalMaxPooling1D()], { inputShape: [3, 2] }), [], negative);
    // Row 0's masked step holds zeros, which win over -1, -2 / -3, -4.
    expect(Array.from(out.data)).toEqual([0, 0, -1, -1, 0, 0]);
  });
});

describe('BatchNormalization', () => {
  const features = (values: number[]) => tensor(values, [2]);

  it('normalises the last axis with the moving statistics, gamma and beta', async () => {
    const weights = [features([2, 1]), features([0.5, 0]), features([1, 2]), features([4, 0.25])];
    const [out] = await run(sequential([batchNormalization({ epsilon: 0.001 })], { inputShape: [2, 2] }), weights, tensor([1, 2, 3, 4], [1, 2, 2]));
    const expected = [1, 2, 3, 4].map((v, i) => ((v - [1, 2][i % 2]) / Math.sqrt([4, 0.25][i % 2] + 0.001)) * [2, 1][i % 2] + [0.5, 0][i % 2]);
    expect(out.shape).toEqual([1, 2, 2]);
    Array.from(out.data).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
  });

  it('without center and scale takes only the moving statistics', async () => {
    const weights = [features([1, 2]), features([4, 0.25])];
    const [out] = await run(sequential([batchNormalization({ center: false, scale: false, epsilon: 0 })], { inputShape: [2, 2] }), weights, tensor([1, 2, 3, 4], [1, 2, 2]));
    expect(Array.from(out.data)).toEqual([0, 0, 1, 4]);
  });

  it('passes the mask on to the recurrent layer after it', async () => {
    // Mean 0 and variance 1 − ε make it the identity, so only the mask can change the result.
    const identity = [tensor([1], [1]), tensor([0], [1]), tensor([0], [1]), tensor([0.999], [1])];
    const config = sequential([masking(0), batchNormalization(), linearRnn(true)], { inputShape: [3, 1] });
    const [out] = await run(config, [...identity, ...linearWeights], tensor([1, 0, 3], [1, 3, 1]));
    // Step 2 is masked: it repeats h = 3 and keeps the state, so step 3 is 2·3 + 1 + 0.5·3.
    expect(Array.from(out.data)).toEqual([3, 3, 8.5]);
  });
});
