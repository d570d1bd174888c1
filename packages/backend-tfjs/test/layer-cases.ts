import {
  averagePooling1D,
  batchNormalization,
  conv1D,
  createModel,
  dense,
  embedding,
  flatten,
  globalAveragePooling1D,
  globalMaxPooling1D,
  masking,
  maxPooling1D,
  repeatVector,
  sequential,
  simpleRNN,
  timeDistributed,
  type KerasConfig,
  type NamedTensor,
  type RunOptions,
  type TensorLike,
} from '@rnn/core';
import { describe, expect, it } from 'vitest';
import { maxRelativeError } from './helpers.js';

/**
 * Hand-computed cases for RepeatVector, Flatten, global pooling, BatchNormalization, Conv1D and
 * 1-D pooling, run on one
 * rnn backend. Shared by layers.test.ts (tfjs:cpu, tfjs:wasm: fused recurrent kernels) and
 * op-path.test.ts (tfjs:webgl in Node: recurrent layers as tfjs ops).
 */

const IDENTITY_2 = [1, 0, 0, 1];
const ZEROS_2 = [0, 0, 0, 0];

async function runModel(backend: string, config: KerasConfig, weights: readonly TensorLike[], input: TensorLike, options?: RunOptions): Promise<NamedTensor> {
  const model = await createModel(config, { backend, weights });
  try {
    const outputs = await model.run(input, options);
    expect(outputs).toHaveLength(1);
    return outputs[0];
  } finally {
    await model.dispose();
  }
}

function expectValues(got: NamedTensor, shape: readonly number[], want: readonly number[]): void {
  expect(got.shape).toEqual(shape);
  expect(maxRelativeError(got.data, want)).toBeLessThanOrEqual(1e-6);
}

/** Keras's inference formula in float64, written out independently of the backend's folded form. */
function batchNormalized(x: readonly number[], p: { gamma?: number[]; beta?: number[]; mean: number[]; variance: number[]; epsilon: number }): number[] {
  const features = p.mean.length;
  return x.map((v, i) => {
    const f = i % features;
    return ((v - p.mean[f]) / Math.sqrt(p.variance[f] + p.epsilon)) * (p.gamma?.[f] ?? 1) + (p.beta?.[f] ?? 0);
  });
}

/**
 * Conv1D by its defining sum in float64, straight from the Keras formula with the zero steps
 * before the input given by hand: x `(batch, steps, inputDim)`, kernel `(kernelSize, inputDim, filters)`.
 */
function convolved(
  x: { shape: readonly number[]; data: readonly number[] },
  kernel: { shape: readonly number[]; data: readonly number[] },
  bias: readonly number[],
  window: { outSteps: number; padBefore: number; strides: number; dilation: number },
): number[] {
  const [batch, steps, inputDim] = x.shape;
  const [kernelSize, , filters] = kernel.shape;
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < window.outSteps; t++) {
      for (let f = 0; f < filters; f++) {
        let sum = bias[f];
        for (let k = 0; k < kernelSize; k++) {
          const step = t * window.strides + k * window.dilation - window.padBefore;
          if (step < 0 || step >= steps) continue;
          for (let c = 0; c < inputDim; c++) sum += x.data[(b * steps + step) * inputDim + c] * kernel.data[(k * inputDim + c) * filters + f];
        }
        out.push(sum);
      }
    }
  }
  return out;
}

export function describeLayerCases(backend: string): void {
  describe(`new layer kinds on ${backend}`, () => {
    it('RepeatVector feeds every copy of the last state to the next recurrent layer, without a mask', async () => {
      // rnn_a (linear, kernel I, no recurrence) returns the last real step; the mask hides row 1's
      // last step, so its state is step 0. rnn_b (kernel I, recurrent I) then sums its inputs: t·v.
      const config = sequential(
        [
          simpleRNN({ units: 2, activation: 'linear', useBias: false, name: 'rnn_a' }),
          repeatVector(3),
          simpleRNN({ units: 2, activation: 'linear', useBias: false, returnSequences: true, name: 'rnn_b' }),
        ],
        { inputShape: [2, 2] },
      );
      const x = { shape: [2, 2, 2], data: [9, 9, 1, 2, -0.5, 3, 7, 7] };
      const mask = { shape: [2, 2], data: [1, 1, 1, 0] };
      const got = await runModel(backend, config, [IDENTITY_2, ZEROS_2, IDENTITY_2, IDENTITY_2].map((data) => ({ shape: [2, 2], data })), x, { mask });
      expectValues(got, [2, 3, 2], [1, 2, 2, 4, 3, 6, -0.5, 3, -1, 6, -1.5, 9]);
    });

    it('Flatten reshapes row-major and ignores a mask; Dense then works on the 2-D flow', async () => {
      const x = { shape: [2, 2, 3], data: [1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6] };
      const mask = { shape: [2, 2], data: [1, 0, 0, 0] };
      const flat = await runModel(backend, sequential([flatten()], { inputShape: [2, 3] }), [], x, { mask });
      expectValues(flat, [2, 6], [1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6]);

      // TimeDistributed(Dense) with kernel I keeps the values; the final kernel column
      // (1, 10, 100, 1000, 0, 0) then reads the first four flattened values as digits.
      const identity = { shape: [3, 3], data: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
      const digits = { shape: [6, 1], data: [1, 10, 100, 1000, 0, 0] };
      const config = sequential([timeDistributed(dense({ units: 3, useBias: false })), flatten(), dense({ units: 1 })], { inputShape: [2, 3] });
      const projected = await runModel(backend, config, [identity, digits, { shape: [1], data: [0.5] }], x);
      expectValues(projected, [2, 1], [4321.5, -4320.5]);
    });

    it('GlobalAveragePooling1D leaves masked steps out, and a fully masked row is 0/0 = NaN as in Keras', async () => {
      const config = sequential([globalAveragePooling1D()], { inputShape: [3, 2] });
      const x = { shape: [3, 3, 2], data: [1, 2, 100, 100, 3, 6, 1, 1, 2, 2, 6, 3, 5, 5, 5, 5, 5, 5] };
      const mask = { shape: [3, 3], data: [1, 0, 1, 1, 1, 1, 0, 0, 0] };
      const got = await runModel(backend, config, [], x, { mask });
      expect(got.shape).toEqual([3, 2]);
      expect(maxRelativeError(got.data.subarray(0, 4), [2, 4, 3, 2])).toBeLessThanOrEqual(1e-6);
      expect(Array.from(got.data.subarray(4)).every(Number.isNaN)).toBe(true);

      const unmasked = await runModel(backend, config, [], x);
      expectValues(unmasked, [3, 2], [104 / 3, 36, 3, 2, 5, 5]);

      const kept = await runModel(backend, sequential([globalAveragePooling1D({ keepDims: true })], { inputShape: [3, 2] }), [], x, { mask });
      expect(kept.shape).toEqual([3, 1, 2]);
      expect(maxRelativeError(kept.data.subarray(0, 4), [2, 4, 3, 2])).toBeLessThanOrEqual(1e-6);
    });

    it('GlobalAveragePooling1D after Embedding(mask_zero) averages the non-zero tokens only', async () => {
      // Token k embeds as (k, 10 - k).
      const table = { shape: [5, 2], data: [0, 10, 1, 9, 2, 8, 3, 7, 4, 6] };
      const config = sequential([embedding({ inputDim: 5, outputDim: 2, maskZero: true }), globalAveragePooling1D()], { inputShape: [4] });
      const ids = { shape: [2, 4], data: [1, 2, 0, 0, 3, 0, 4, 0] };
      const got = await runModel(backend, config, [table], ids);
      expectValues(got, [2, 2], [1.5, 8.5, 3.5, 6.5]);
    });

    it('GlobalMaxPooling1D ignores the mask: masked steps take part, as in Keras 3', async () => {
      const x = { shape: [2, 3, 2], data: [-1, -5, -3, -2, -4, -6, 0, 1, 2, -3, 1, 7] };
      const mask = { shape: [2, 3], data: [1, 0, 0, 1, 1, 0] };
      // Leaving the masked steps out would give (-1, -5) and (2, 1).
      const got = await runModel(backend, sequential([globalMaxPooling1D()], { inputShape: [3, 2] }), [], x, { mask });
      expectValues(got, [2, 2], [-1, -2, 2, 7]);
      const kept = await runModel(backend, sequential([globalMaxPooling1D({ keepDims: true })], { inputShape: [3, 2] }), [], x, { mask });
      expectValues(kept, [2, 1, 2], [-1, -2, 2, 7]);
    });

    it('BatchNormalization normalises the last axis of a 3-D flow with moving statistics, gamma and beta', async () => {
      // epsilon 1 makes √(variance + epsilon) exact: 2 and 3.
      const config = sequential([batchNormalization({ epsilon: 1 })], { inputShape: [2, 2] });
      const weights = [[2, 0.5], [1, -1], [1, -2], [3, 8]].map((data) => ({ shape: [2], data }));
      const x = { shape: [1, 2, 2], data: [5, 4, 1, -2] };
      const got = await runModel(backend, config, weights, x);
      // (5-1)/2·2+1, (4+2)/3·0.5-1; the mean itself maps to beta.
      expectValues(got, [1, 2, 2], [5, 0, 1, -1]);
    });

    it('BatchNormalization with center and scale false, at the default epsilon, on a 2-D flow', async () => {
      const mean = [0.25, -3];
      const variance = [0.5, 4];
      const x = [1, 2, -1.5, 0.75, 3, -2.5];
      // A 2-D flow: GlobalAveragePooling1D over one step passes the values on as (batch, features).
      const layers = [globalAveragePooling1D(), batchNormalization({ center: false, scale: false })];
      const got = await runModel(backend, sequential(layers, { inputShape: [1, 2] }), [mean, variance].map((data) => ({ shape: [2], data })), {
        shape: [3, 1, 2],
        data: x,
      });
      expectValues(got, [3, 2], batchNormalized(x, { mean, variance, epsilon: 1e-3 }));

      const scaleOnly = await runModel(
        backend,
        sequential([batchNormalization({ center: false, epsilon: 0.01 })], { inputShape: [3, 2] }),
        [[-2, 0.5], mean, variance].map((data) => ({ shape: [2], data })),
        { shape: [1, 3, 2], data: x },
      );
      expectValues(scaleOnly, [1, 3, 2], batchNormalized(x, { gamma: [-2, 0.5], mean, variance, epsilon: 0.01 }));

      const centerOnly = await runModel(
        backend,
        sequential([batchNormalization({ scale: false, epsilon: 0.01 })], { inputShape: [3, 2] }),
        [[10, -10], mean, variance].map((data) => ({ shape: [2], data })),
        { shape: [1, 3, 2], data: x },
      );
      expectValues(centerOnly, [1, 3, 2], batchNormalized(x, { beta: [10, -10], mean, variance, epsilon: 0.01 }));
    });

    it('BatchNormalization passes the mask on to GlobalAveragePooling1D', async () => {
      // Masking zeroes step 1 of row 0 and BatchNormalization maps those zeros to (-0.5, -1); the
      // average still leaves that step out because the mask came through.
      const config = sequential([masking(0), batchNormalization({ epsilon: 1 }), globalAveragePooling1D()], { inputShape: [3, 2] });
      const weights = [[1, 1], [0, 0], [1, 2], [3, 3]].map((data) => ({ shape: [2], data }));
      const x = { shape: [1, 3, 2], data: [3, 4, 0, 0, 5, 8] };
      const got = await runModel(backend, config, weights, x);
      // Steps 0 and 2 normalise to (1, 1) and (2, 3).
      expectValues(got, [1, 2], [1.5, 2]);
    });

    describe('Conv1D', () => {
      // One feature, steps 1..5; kernel taps [1, 10, 100] and bias 0.5 (the cpu backend's cases, checked there against Keras 3.15.1).
      const x = { shape: [1, 5, 1], data: [1, 2, 3, 4, 5] };
      const taps = (data: number[]) => [{ shape: [data.length, 1, 1], data }, { shape: [1], data: [0.5] }];
      const conv = (options: Partial<Parameters<typeof conv1D>[0]>, kernel = [1, 10, 100]) =>
        runModel(backend, sequential([conv1D({ filters: 1, kernelSize: kernel.length, ...options })], { inputShape: [5, 1] }), taps(kernel), x);

      it('valid, same and causal padding', async () => {
        // [1,2,3]·[1,10,100] = 321, then 432, 543.
        expectValues(await conv({}), [1, 3, 1], [321.5, 432.5, 543.5]);
        // One zero step each side.
        expectValues(await conv({ padding: 'same' }), [1, 5, 1], [210.5, 321.5, 432.5, 543.5, 54.5]);
        // Two zero steps before: step t sees nothing after t.
        expectValues(await conv({ padding: 'causal' }), [1, 5, 1], [100.5, 210.5, 321.5, 432.5, 543.5]);
      });

      it('same with an even kernel puts the odd zero step after the input (TensorFlow\'s rule)', async () => {
        // Kernel 2: no step before, one after: x[t] + 10·x[t+1].
        expectValues(await conv({ padding: 'same' }, [1, 10]), [1, 5, 1], [21.5, 32.5, 43.5, 54.5, 5.5]);
        // Kernel 4, strides 2: 3 outputs, 3 padded steps, 1 before and 2 after; windows start at -1, 1, 3.
        expectValues(await conv({ padding: 'same', strides: 2 }, [1, 10, 100, 1000]), [1, 3, 1], [3210.5, 5432.5, 54.5]);
      });

      it('strides and dilation', async () => {
        expectValues(await conv({ strides: 2 }), [1, 2, 1], [321.5, 543.5]);
        // Taps at t, t+2, t+4: 1 + 30 + 500.
        expectValues(await conv({ dilationRate: 2 }), [1, 1, 1], [531.5]);
        // Keras 3.15.1's values (from the cpu backend's tests).
        expectValues(await conv({ padding: 'same', strides: 2 }), [1, 3, 1], [210.5, 432.5, 54.5]);
        expectValues(await conv({ padding: 'causal', dilationRate: 2 }), [1, 5, 1], [100.5, 200.5, 310.5, 420.5, 531.5]);
        expectValues(await conv({ padding: 'same', dilationRate: 2 }), [1, 5, 1], [310.5, 420.5, 531.5, 42.5, 53.5]);
      });

      it('mixes features and filters with the Keras kernel layout (kernelSize, inputDim, filters)', async () => {
        // Kernel size 1: a per-step Dense; filter 0 = 2·f0 + 3·f1, filter 1 = f0 − f1, then relu.
        const config = sequential([conv1D({ filters: 2, kernelSize: 1, useBias: false, activation: 'relu' })], { inputShape: [2, 2] });
        const got = await runModel(backend, config, [{ shape: [1, 2, 2], data: [2, 1, 3, -1] }], { shape: [1, 2, 2], data: [1, 1, 1, 4] });
        expectValues(got, [1, 2, 2], [5, 0, 14, 0]);

        // Kernel 2 over 3 features into 2 filters, batch 2, causal with dilation 2: against the defining sum.
        const input = { shape: [2, 4, 3], data: [1, -2, 0.5, 3, 0, -1, 2, 2, 1, -0.5, 4, 0, 0, 1, -3, 2.5, -1, 1, 1, 1, 1, -2, 0.25, 3] };
        const kernel = { shape: [2, 3, 2], data: [0.5, -1, 2, 0.25, -1.5, 1, 3, 0, -0.5, 1, 1, -2] };
        const bias = [0.1, -0.2];
        const causal = sequential([conv1D({ filters: 2, kernelSize: 2, dilationRate: 2, padding: 'causal', activation: 'tanh' })], { inputShape: [4, 3] });
        const out = await runModel(backend, causal, [kernel, { shape: [2], data: bias }], input);
        const want = convolved(input, kernel, bias, { outSteps: 4, padBefore: 2, strides: 1, dilation: 2 }).map(Math.tanh);
        expectValues(out, [2, 4, 2], want);
      });

      it('drops the mask: the recurrent layer after it runs every step', async () => {
        // Masking hides step 1 (all zeros); a kernel-1 Conv1D (·1, bias 1) turns it into 1, and the
        // linear accumulating SimpleRNN adds it: 2 + 1 + 4 = 7, where a mask would have given 6.
        const config = sequential(
          [masking(0), conv1D({ filters: 1, kernelSize: 1 }), simpleRNN({ units: 1, activation: 'linear', useBias: false })],
          { inputShape: [3, 1] },
        );
        const one = { shape: [1, 1], data: [1] };
        const got = await runModel(backend, config, [{ shape: [1, 1, 1], data: [1] }, { shape: [1], data: [1] }, one, one], {
          shape: [1, 3, 1],
          data: [1, 0, 3],
        });
        expectValues(got, [1, 1], [7]);
      });
    });

    describe('MaxPooling1D and AveragePooling1D', () => {
      const x = { shape: [1, 5, 1], data: [1, 2, 3, 4, 5] };
      const negative = { shape: [1, 5, 1], data: [-1, -2, -3, -4, -5] };
      const pool = (layer: KerasConfig, input = x) => runModel(backend, sequential([layer], { inputShape: [5, 1] }), [], input);

      it('valid windows of pool_size every strides (default: pool_size)', async () => {
        expectValues(await pool(maxPooling1D()), [1, 2, 1], [2, 4]);
        expectValues(await pool(averagePooling1D()), [1, 2, 1], [1.5, 3.5]);
        expectValues(await pool(averagePooling1D({ poolSize: 3, strides: 1 })), [1, 3, 1], [2, 3, 4]);
        expectValues(await pool(maxPooling1D({ poolSize: 3, strides: 2 }), negative), [1, 2, 1], [-1, -3]);
      });

      it('same: the average divides by the real steps in each window, the max never takes a padded place', async () => {
        expectValues(await pool(averagePooling1D({ padding: 'same' })), [1, 3, 1], [1.5, 3.5, 5]);
        expectValues(await pool(averagePooling1D({ poolSize: 3, strides: 1, padding: 'same' })), [1, 5, 1], [1.5, 2, 3, 4, 4.5]);
        // Pool 2, strides 1: the odd padded place goes after the input.
        expectValues(await pool(averagePooling1D({ poolSize: 2, strides: 1, padding: 'same' })), [1, 5, 1], [1.5, 2.5, 3.5, 4.5, 5]);
        // All values negative: a zero padding would win.
        expectValues(await pool(maxPooling1D({ padding: 'same' }), negative), [1, 3, 1], [-1, -3, -5]);
        expectValues(await pool(maxPooling1D({ poolSize: 3, strides: 1, padding: 'same' }), negative), [1, 5, 1], [-1, -1, -2, -3, -4]);
      });

      it('pools each feature of each row on its own', async () => {
        const input = { shape: [2, 3, 2], data: [1, -6, 5, -2, 3, -4, 0, 10, -1, 20, 2, 30] };
        const config = (layer: KerasConfig) => sequential([layer], { inputShape: [3, 2] });
        expectValues(await runModel(backend, config(maxPooling1D({ padding: 'same' })), [], input), [2, 2, 2], [5, -2, 3, -4, 0, 20, 2, 30]);
        expectValues(await runModel(backend, config(averagePooling1D({ padding: 'same' })), [], input), [2, 2, 2], [3, -4, 3, -4, -0.5, 15, 2, 30]);
      });
    });
  });
}
