import {
  batchNormalization,
  dense,
  embedding,
  flatten,
  globalAveragePooling1D,
  globalMaxPooling1D,
  masking,
  repeatVector,
  sequential,
  simpleRNN,
  type KerasConfig,
  type NestedArray,
  type TensorLike,
} from '@rnn/core';

/**
 * Small models of RepeatVector, Flatten, GlobalAverage/MaxPooling1D and BatchNormalization with
 * expectations computed by hand from Keras's definitions (the comments show the arithmetic). Each
 * case has two rows; the tests run both together and each alone (batch 1 takes other graphs).
 */
export interface LayerCase {
  readonly name: string;
  readonly config: KerasConfig;
  /** Keras `get_weights()` order. */
  readonly weights: readonly TensorLike[];
  /** `(2, time, features)`, or `(2, time)` token ids. */
  readonly input: readonly NestedArray[];
  /** `(2, time)` run mask, if any. */
  readonly mask?: readonly (readonly number[])[];
  /** The single output, per row (Keras's shape without the batch); NaN where Keras gives NaN. */
  readonly expected: { readonly shape: readonly number[]; readonly rows: readonly (readonly number[])[] };
}

const X = [
  [[1, 2], [3, -4], [5, 6]],
  [[-1, 0.5], [2, 2], [0, -3]],
];
/** Steps of zeros for Masking(0): row 0 masks step 1, row 1 step 0. */
const X_ZERO_STEPS = [
  [[1, 2], [0, 0], [3, -4]],
  [[0, 0], [-2, 6], [4, 1]],
];
const SHAPE: [number, number] = [3, 2];
const t = (shape: number[], data: number[]): TensorLike => ({ shape, data });

/**
 * BatchNormalization(epsilon 1e-3) with gamma [3, 0.5], beta [1, -1], moving mean [1, 2] and
 * moving variance [3.999, 0.999] (so √(var + ε) = [2, 1]):
 * feature 0 → (x − 1)/2·3 + 1 = 1.5x − 0.5, feature 1 → (x − 2)·0.5 − 1 = 0.5x − 2.
 */
const GAMMA = t([2], [3, 0.5]);
const BETA = t([2], [1, -1]);
const MOVING_MEAN = t([2], [1, 2]);
const MOVING_VARIANCE = t([2], [3.999, 0.999]);

/** SimpleRNN(1, linear, no bias) with kernel [1, 10] and recurrent kernel 1: h_k = k · (a0 + 10·a1) over a repeated row a. */
const summingRnn = () => simpleRNN({ units: 1, activation: 'linear', useBias: false, returnSequences: true });
const SUMMING_RNN_WEIGHTS = [t([2, 1], [1, 10]), t([1, 1], [1])];

export const LAYER_CASES: readonly LayerCase[] = [
  {
    name: 'Flatten (batch, 3, 2) → (batch, 6) in row-major order',
    config: sequential([flatten()], { inputShape: SHAPE }),
    weights: [],
    input: X,
    expected: { shape: [6], rows: [[1, 2, 3, -4, 5, 6], [-1, 0.5, 2, 2, 0, -3]] },
  },
  {
    name: 'Flatten → Dense sees the steps in order',
    config: sequential([flatten(), dense({ units: 1, useBias: false })], { inputShape: SHAPE }),
    weights: [t([6, 1], [1, 2, 3, 4, 5, 6])],
    input: X,
    // 1 + 4 + 9 − 16 + 25 + 36 = 59; −1 + 1 + 6 + 8 + 0 − 18 = −4
    expected: { shape: [1], rows: [[59], [-4]] },
  },
  {
    name: 'Masking → Flatten drops the mask: the next recurrent layer runs every repeated step',
    config: sequential(
      [masking(0), flatten(), repeatVector(2), simpleRNN({ units: 1, activation: 'linear', useBias: false, returnSequences: true })],
      { inputShape: SHAPE },
    ),
    weights: [t([6, 1], [1, 1, 1, 1, 1, 1]), t([1, 1], [1])],
    input: X_ZERO_STEPS,
    // sums 1 + 2 + 3 − 4 = 2 and −2 + 6 + 4 + 1 = 9, then h_k = k · sum
    expected: { shape: [2, 1], rows: [[2, 4], [9, 18]] },
  },
  {
    name: 'GlobalAveragePooling1D without a mask is the mean over time',
    config: sequential([globalAveragePooling1D()], { inputShape: SHAPE }),
    weights: [],
    input: X,
    expected: { shape: [2], rows: [[3, 4 / 3], [1 / 3, -1 / 6]] },
  },
  {
    name: 'GlobalAveragePooling1D with a run mask leaves masked steps out',
    config: sequential([globalAveragePooling1D()], { inputShape: SHAPE }),
    weights: [],
    input: X,
    mask: [[1, 0, 1], [1, 1, 0]],
    // (1 + 5)/2, (2 + 6)/2; (−1 + 2)/2, (0.5 + 2)/2
    expected: { shape: [2], rows: [[3, 4], [0.5, 1.25]] },
  },
  {
    name: 'GlobalAveragePooling1D(keepdims) with a run mask → (batch, 1, features)',
    config: sequential([globalAveragePooling1D({ keepDims: true })], { inputShape: SHAPE }),
    weights: [],
    input: X,
    mask: [[1, 0, 1], [1, 1, 0]],
    expected: { shape: [1, 2], rows: [[3, 4], [0.5, 1.25]] },
  },
  {
    name: 'GlobalAveragePooling1D over a row with every step masked is NaN (0/0, as Keras)',
    config: sequential([globalAveragePooling1D()], { inputShape: SHAPE }),
    weights: [],
    input: X,
    mask: [[0, 1, 0], [0, 0, 0]],
    expected: { shape: [2], rows: [[3, -4], [NaN, NaN]] },
  },
  {
    name: "GlobalAveragePooling1D uses Masking's mask",
    config: sequential([masking(0), globalAveragePooling1D()], { inputShape: SHAPE }),
    weights: [],
    input: X_ZERO_STEPS,
    // steps 0, 2: (1 + 3)/2, (2 − 4)/2; steps 1, 2: (−2 + 4)/2, (6 + 1)/2
    expected: { shape: [2], rows: [[2, -1], [1, 3.5]] },
  },
  {
    name: "GlobalAveragePooling1D uses Embedding(mask_zero)'s mask",
    config: sequential([embedding({ inputDim: 3, outputDim: 2, maskZero: true }), globalAveragePooling1D()], { inputShape: [3] }),
    weights: [t([3, 2], [0, 0, 1, -1, 4, 2])],
    input: [[1, 0, 2], [2, 2, 0]],
    // ids 1, 2: ([1, −1] + [4, 2])/2; ids 2, 2: [4, 2]
    expected: { shape: [2], rows: [[2.5, 0.5], [4, 2]] },
  },
  {
    name: 'GlobalAveragePooling1D (run mask) → RepeatVector → SimpleRNN: the mask stops at the pooling',
    config: sequential([globalAveragePooling1D(), repeatVector(2), summingRnn()], { inputShape: SHAPE }),
    weights: SUMMING_RNN_WEIGHTS,
    input: X,
    mask: [[1, 0, 1], [1, 1, 0]],
    // averages [3, 4] and [0.5, 1.25]: 3 + 40 = 43, 0.5 + 12.5 = 13; h_k = k · that
    expected: { shape: [2, 1], rows: [[43, 86], [13, 26]] },
  },
  {
    name: 'GlobalAveragePooling1D (no mask) → RepeatVector → SimpleRNN',
    config: sequential([globalAveragePooling1D(), repeatVector(2), summingRnn()], { inputShape: SHAPE }),
    weights: SUMMING_RNN_WEIGHTS,
    input: X,
    // averages [3, 4/3] and [1/3, −1/6]: 3 + 40/3 = 49/3, 1/3 − 10/6 = −4/3
    expected: { shape: [2, 1], rows: [[49 / 3, 98 / 3], [-4 / 3, -8 / 3]] },
  },
  {
    name: 'GlobalMaxPooling1D is the max over time',
    config: sequential([globalMaxPooling1D()], { inputShape: SHAPE }),
    weights: [],
    input: X,
    expected: { shape: [2], rows: [[5, 6], [2, 2]] },
  },
  {
    name: 'GlobalMaxPooling1D ignores a run mask',
    config: sequential([globalMaxPooling1D({ keepDims: true })], { inputShape: SHAPE }),
    weights: [],
    input: X,
    mask: [[1, 1, 0], [0, 1, 1]],
    expected: { shape: [1, 2], rows: [[5, 6], [2, 2]] },
  },
  {
    name: "GlobalMaxPooling1D ignores Masking's mask: a masked step of zeros takes part",
    config: sequential([masking(0), globalMaxPooling1D()], { inputShape: SHAPE }),
    weights: [],
    input: [
      [[-1, -2], [0, 0], [-3, -4]],
      [[-1, -5], [-2, -1], [-6, -7]],
    ],
    expected: { shape: [2], rows: [[0, 0], [-1, -1]] },
  },
  {
    name: 'GlobalMaxPooling1D → RepeatVector(3) → (batch, 3, features)',
    config: sequential([globalMaxPooling1D(), repeatVector(3)], { inputShape: SHAPE }),
    weights: [],
    input: X,
    expected: { shape: [3, 2], rows: [[5, 6, 5, 6, 5, 6], [2, 2, 2, 2, 2, 2]] },
  },
  {
    name: 'BatchNormalization on a sequence',
    config: sequential([batchNormalization()], { inputShape: SHAPE }),
    weights: [GAMMA, BETA, MOVING_MEAN, MOVING_VARIANCE],
    input: X,
    // 1.5x − 0.5 and 0.5x − 2 per step
    expected: { shape: [3, 2], rows: [[1, -1, 4, -4, 7, 1], [-2, -1.75, 2.5, -1, -0.5, -3.5]] },
  },
  {
    name: 'BatchNormalization(center=false) on a sequence: beta 0',
    config: sequential([batchNormalization({ center: false })], { inputShape: SHAPE }),
    weights: [GAMMA, MOVING_MEAN, MOVING_VARIANCE],
    input: X,
    // (x − 1)/2·3 = 1.5x − 1.5 and (x − 2)·0.5 = 0.5x − 1
    expected: { shape: [3, 2], rows: [[0, 0, 3, -3, 6, 2], [-3, -0.75, 1.5, 0, -1.5, -2.5]] },
  },
  {
    name: 'BatchNormalization(scale=false) on pooled rows: gamma 1',
    config: sequential([globalMaxPooling1D(), batchNormalization({ scale: false, epsilon: 1e-3 })], { inputShape: SHAPE }),
    weights: [BETA, MOVING_MEAN, MOVING_VARIANCE],
    input: X,
    // max [5, 6] and [2, 2]; (x − 1)/2 + 1 and (x − 2) − 1
    expected: { shape: [2], rows: [[3, 3], [1.5, -1]] },
  },
  {
    name: 'Masking → BatchNormalization → GlobalAveragePooling1D: the mask passes through',
    config: sequential([masking(0), batchNormalization(), globalAveragePooling1D()], { inputShape: SHAPE }),
    weights: [GAMMA, BETA, MOVING_MEAN, MOVING_VARIANCE],
    input: X_ZERO_STEPS,
    // real steps normalised: row 0 [1, −1], [4, −4]; row 1 [−3.5, 1], [5.5, −1.5]; averaged
    expected: { shape: [2], rows: [[2.5, -2.5], [1, -0.25]] },
  },
];
