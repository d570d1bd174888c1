import { describe, expect, it } from 'vitest';
import {
  averagePooling1D,
  batchNormalization,
  conv1D,
  createModel,
  flatten,
  globalAveragePooling1D,
  globalMaxPooling1D,
  getRegisteredBackend,
  masking,
  maxPooling1D,
  parseConfig,
  repeatVector,
  sequential,
  simpleRNN,
  tensor,
  type KerasConfig,
  type TensorLike,
} from '@rnn/core';
import '../src/index.js';

const cpu = getRegisteredBackend('cpu')!;

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

describe('Conv1D', () => {
  // One feature, steps 1..5; kernel taps [1, 10, 100] (kernel (3, 1, 1)) and bias 0.5.
  const x = tensor([1, 2, 3, 4, 5], [1, 5, 1]);
  const weights = [tensor([1, 10, 100], [3, 1, 1]), tensor([0.5], [1])];
  const conv = async (options: Partial<Parameters<typeof conv1D>[0]>) => {
    const [out] = await run(sequential([conv1D({ filters: 1, kernelSize: 3, ...options })], { inputShape: [5, 1] }), weights, x);
    return { shape: out.shape, values: Array.from(out.data) };
  };

  it('valid: whole windows only', async () => {
    // [1,2,3]·[1,10,100] = 321, then 432, 543; plus 0.5.
    expect(await conv({})).toEqual({ shape: [1, 3, 1], values: [321.5, 432.5, 543.5] });
  });

  it('same: one zero step each side for a kernel of 3', async () => {
    expect(await conv({ padding: 'same' })).toEqual({ shape: [1, 5, 1], values: [210.5, 321.5, 432.5, 543.5, 54.5] });
  });

  it('causal: two zero steps before, so step t sees nothing after t', async () => {
    expect(await conv({ padding: 'causal' })).toEqual({ shape: [1, 5, 1], values: [100.5, 210.5, 321.5, 432.5, 543.5] });
  });

  it('strides and dilation', async () => {
    expect(await conv({ strides: 2 })).toEqual({ shape: [1, 2, 1], values: [321.5, 543.5] });
    // Taps at t, t+2, t+4: 1 + 30 + 500.
    expect(await conv({ dilationRate: 2 })).toEqual({ shape: [1, 1, 1], values: [531.5] });
    // Values from Keras 3.15.1. same with strides 2 over 5 steps: 3 outputs, one zero step each side.
    expect(await conv({ padding: 'same', strides: 2 })).toEqual({ shape: [1, 3, 1], values: [210.5, 432.5, 54.5] });
    expect(await conv({ padding: 'causal', dilationRate: 2 })).toEqual({ shape: [1, 5, 1], values: [100.5, 200.5, 310.5, 420.5, 531.5] });
    expect(await conv({ padding: 'same', dilationRate: 2 })).toEqual({ shape: [1, 5, 1], values: [310.5, 420.5, 531.5, 42.5, 53.5] });
  });

  it('mixes features and filters with the Keras kernel layout (kernelSize, inputDim, filters)', async () => {
    // Kernel size 1: a per-step Dense; filter 0 = 2·f0 + 3·f1, filter 1 = f0 − f1.
    const kernel = tensor([2, 1, 3, -1], [1, 2, 2]);
    const config = sequential([conv1D({ filters: 2, kernelSize: 1, useBias: false, activation: 'relu' })], { inputShape: [2, 2] });
    const [out] = await run(config, [kernel], tensor([1, 1, 1, 4], [1, 2, 2]));
    expect(Array.from(out.data)).toEqual([5, 0, 14, 0]);
  });
});

describe('1-D pooling', () => {
  const x = tensor([1, 2, 3, 4, 5], [1, 5, 1]);
  const pool = async (config: KerasConfig, input = x) => Array.from((await run(sequential([config], { inputShape: [5, 1] }), [], input))[0].data);

  it('valid windows of pool_size every strides (default: pool_size)', async () => {
    expect(await pool(maxPooling1D())).toEqual([2, 4]);
    expect(await pool(averagePooling1D({ poolSize: 3, strides: 1 }))).toEqual([2, 3, 4]);
  });

  it('a compiled model run directly refuses steps too few for a valid window, as model.run does', async () => {
    const spec = parseConfig(sequential([maxPooling1D({ poolSize: 3, name: 'pool' })], { inputShape: [null, 1] }));
    const compiled = await cpu.compile(spec, [null]);
    await expect(compiled.run({ input: tensor([1, 2], [1, 2, 1]), mask: null, initialStates: [null] })).rejects.toThrow(
      /pool: a "valid" window of 3 steps needs at least 3 timesteps, got 2/,
    );
    const { outputs } = await compiled.run({ input: tensor([1, 2, 3], [1, 3, 1]), mask: null, initialStates: [null] });
    expect(Array.from(outputs[0].data)).toEqual([3]);
    await compiled.dispose();
  });

  it('same: the average divides by the steps in the window, the max skips the padding', async () => {
    expect(await pool(averagePooling1D({ padding: 'same' }))).toEqual([1.5, 3.5, 5]);
    expect(await pool(averagePooling1D({ poolSize: 3, strides: 1, padding: 'same' }))).toEqual([1.5, 2, 3, 4, 4.5]);
    expect(await pool(maxPooling1D({ padding: 'same' }), tensor([-1, -2, -3, -4, -5], [1, 5, 1]))).toEqual([-1, -3, -5]);
  });
});
