import {
  averagePooling1D,
  batchNormalization,
  conv1D,
  dense,
  embedding,
  flatten,
  globalAveragePooling1D,
  globalMaxPooling1D,
  masking,
  maxPooling1D,
  repeatVector,
  reshape,
  sequential,
  simpleRNN,
  type KerasConfig,
  type NestedArray,
  type TensorLike,
} from '@rnn/core';

/**
 * Small models of RepeatVector, Flatten, GlobalAverage/MaxPooling1D, BatchNormalization, Conv1D and
 * MaxPooling1D/AveragePooling1D with expectations computed by hand from Keras's definitions (the
 * comments show the arithmetic). Each case has two rows; the tests run both together and each alone
 * (batch 1 takes other graphs).
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
    name: 'Reshape (batch, 3, 2) → (batch, 2, 3) keeps the row-major order',
    config: sequential([reshape([2, 3])], { inputShape: SHAPE }),
    weights: [],
    input: X,
    expected: { shape: [2, 3], rows: [[1, 2, 3, -4, 5, 6], [-1, 0.5, 2, 2, 0, -3]] },
  },
  {
    name: 'Masking → Reshape((6, 1)) drops the mask: a SimpleRNN after it sums all six values',
    config: sequential([masking(0), reshape([6, 1]), simpleRNN({ units: 1, activation: 'linear', useBias: false })], { inputShape: SHAPE }),
    weights: [t([1, 1], [1]), t([1, 1], [1])],
    input: X_ZERO_STEPS,
    // 1 + 2 + 0 + 0 + 3 − 4 = 2; 0 + 0 − 2 + 6 + 4 + 1 = 9
    expected: { shape: [1], rows: [[2], [9]] },
  },
  {
    name: 'Reshape((-1,)) flattens',
    config: sequential([reshape([-1])], { inputShape: SHAPE }),
    weights: [],
    input: X,
    expected: { shape: [6], rows: [[1, 2, 3, -4, 5, 6], [-1, 0.5, 2, 2, 0, -3]] },
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

/** SimpleRNN(1, linear, no bias) with kernel 1 and recurrent kernel 1 over one feature: running sums. */
function summingRnn1(): KerasConfig {
  return simpleRNN({ units: 1, activation: 'linear', useBias: false, returnSequences: true });
}
const SUMMING_RNN_1_WEIGHTS = [t([1, 1], [1]), t([1, 1], [1])];

/** One feature over 5 steps. Row 0 is backend-cpu's Conv1D/pooling input, whose outputs Keras 3.15.1 confirmed. */
const STEPS: readonly NestedArray[] = [
  [[1], [2], [3], [4], [5]],
  [[-1], [0], [2], [0], [1]],
];
const NEGATIVE_STEPS: readonly NestedArray[] = [
  [[-1], [-2], [-3], [-4], [-5]],
  [[-3], [-1], [-4], [-1], [-5]],
];
/** Kernel taps [1, 10, 100] (Keras kernel (3, 1, 1)) and bias 0.5: out = x[a] + 10·x[a+d] + 100·x[a+2d] + 0.5, zeros outside. */
const TAPS = [t([3, 1, 1], [1, 10, 100]), t([1], [0.5])];

/**
 * The case twice: with the 5 steps in the model's input shape (the graph places the windows when it
 * is built) and with unknown steps (the graph places them for whatever T a call brings).
 */
function overSteps(
  name: string,
  layers: readonly KerasConfig[],
  weights: readonly TensorLike[],
  input: readonly NestedArray[],
  rows: LayerCase['expected']['rows'],
  outFeatures = 1,
): LayerCase[] {
  const [features, steps] = [(input[0] as number[][])[0].length, (input[0] as number[][]).length];
  return [steps, null].map((known) => ({
    name: `${name} (${known === null ? 'steps unknown' : `${known} steps`})`,
    config: sequential(layers, { inputShape: [known, features] }),
    weights,
    input,
    expected: { shape: [rows[0].length / outFeatures, outFeatures], rows },
  }));
}

const conv = (options: Partial<Parameters<typeof conv1D>[0]>) => conv1D({ filters: 1, kernelSize: 3, ...options });

export const WINDOW_CASES: readonly LayerCase[] = [
  // [1,2,3]·[1,10,100] = 321, 432, 543; [−1,0,2] → −1 + 200 = 199, [0,2,0] → 20, [2,0,1] → 102.
  ...overSteps('Conv1D valid: whole windows only', [conv({})], TAPS, STEPS, [[321.5, 432.5, 543.5], [199.5, 20.5, 102.5]]),
  // One zero step each side: [0,1,2] → 210, ..., [4,5,0] → 54; [0,−1,0] → −10, ..., [0,1,0] → 10.
  ...overSteps('Conv1D same: one zero step each side', [conv({ padding: 'same' })], TAPS, STEPS, [
    [210.5, 321.5, 432.5, 543.5, 54.5],
    [-9.5, 199.5, 20.5, 102.5, 10.5],
  ]),
  // Two zero steps before: [0,0,1] → 100, [0,1,2] → 210; [0,0,−1] → −100, [0,−1,0] → −10.
  ...overSteps('Conv1D causal: step t sees nothing after t', [conv({ padding: 'causal' })], TAPS, STEPS, [
    [100.5, 210.5, 321.5, 432.5, 543.5],
    [-99.5, -9.5, 199.5, 20.5, 102.5],
  ]),
  ...overSteps('Conv1D valid strides 2: windows at steps 0 and 2', [conv({ strides: 2 })], TAPS, STEPS, [[321.5, 543.5], [199.5, 102.5]]),
  // Taps at 0, 2, 4: 1 + 30 + 500; −1 + 20 + 100.
  ...overSteps('Conv1D valid dilation 2', [conv({ dilationRate: 2 })], TAPS, STEPS, [[531.5], [119.5]]),
  // ⌈5/2⌉ = 3 outputs, one zero step each side: windows at −1, 1, 3.
  ...overSteps('Conv1D same strides 2', [conv({ padding: 'same', strides: 2 })], TAPS, STEPS, [[210.5, 432.5, 54.5], [-9.5, 20.5, 10.5]]),
  // Four zero steps before, taps t−4, t−2, t: [0,0,1] → 100, [0,0,2] → 200, [0,1,3] → 310; row 1: [0,0,−1] → −100, [0,0,0], [0,−1,2] → 190.
  ...overSteps('Conv1D causal dilation 2', [conv({ padding: 'causal', dilationRate: 2 })], TAPS, STEPS, [
    [100.5, 200.5, 310.5, 420.5, 531.5],
    [-99.5, 0.5, 190.5, 0.5, 119.5],
  ]),
  // Two zero steps each side, taps t−2, t, t+2: [0,1,3] → 310, [0,2,4] → 420, [1,3,5] → 531, [2,4,0] → 42, [3,5,0] → 53.
  ...overSteps('Conv1D same dilation 2', [conv({ padding: 'same', dilationRate: 2 })], TAPS, STEPS, [
    [310.5, 420.5, 531.5, 42.5, 53.5],
    [190.5, 0.5, 119.5, 0.5, 12.5],
  ]),
  // A window (3) shorter than the strides (4): 2 outputs, 2 padded places, one before: [0,1,2] → 210, [4,5,0] → 54.
  ...overSteps('Conv1D same strides 4 over a kernel of 3', [conv({ padding: 'same', strides: 4 })], TAPS, STEPS, [[210.5, 54.5], [-9.5, 10.5]]),
  // Kernel 2 over strides 3: ⌈5/3⌉ = 2 outputs need (2−1)·3 + 2 − 5 = 0 padded places: windows [0,1], [3,4] of taps [1, 10].
  ...overSteps('Conv1D same strides 3 over a kernel of 2', [conv({ padding: 'same', strides: 3, kernelSize: 2 })], [t([2, 1, 1], [1, 10]), t([1], [0.5])], STEPS, [
    [21.5, 54.5],
    [-0.5, 10.5],
  ]),
  // Identity-ish kernel (2, 2, 2): filter 0 = x[t]₀ + x[t+1]₀, filter 1 = x[t]₁ − x[t+1]₁; bias [0.5, −1]; relu.
  // same with kernel 2 pads one step after. Row 0: [4, 6], [8, −10], [5, 6] + bias → [4.5, 5], [8.5, 0], [5.5, 5].
  ...overSteps(
    'Conv1D reads the Keras kernel layout (kernelSize, inputDim, filters)',
    [conv1D({ filters: 2, kernelSize: 2, padding: 'same', activation: 'relu' })],
    [t([2, 2, 2], [1, 0, 0, 1, 1, 0, 0, -1]), t([2], [0.5, -1])],
    X,
    [
      [4.5, 5, 8.5, 0, 5.5, 5],
      // [1, −1.5], [2, 5], [0, −3] + bias
      [1.5, 0, 2.5, 4, 0.5, 0],
    ],
    2,
  ),
  {
    name: 'Conv1D(kernel 1, no bias, relu) mixes features into filters',
    config: sequential([conv1D({ filters: 2, kernelSize: 1, useBias: false, activation: 'relu' })], { inputShape: [2, 2] }),
    // filter 0 = 2·f0 + 3·f1, filter 1 = f0 − f1
    weights: [t([1, 2, 2], [2, 1, 3, -1])],
    input: [
      [[1, 1], [1, 4]],
      [[0, 2], [-1, 1]],
    ],
    expected: { shape: [2, 2], rows: [[5, 0, 14, 0], [6, 0, 1, 0]] },
  },
  {
    name: 'Conv1D softmax activation over the filters',
    config: sequential([conv1D({ filters: 2, kernelSize: 1, activation: 'softmax' })], { inputShape: [2, 1] }),
    // filters [x, −x]: softmax = [σ(2x), σ(−2x)]; σ(ln 3) = 3/4.
    weights: [t([1, 1, 2], [1, -1]), t([2], [0, 0])],
    input: [
      [[0], [Math.log(3) / 2]],
      [[-Math.log(3) / 2], [0]],
    ],
    expected: { shape: [2, 2], rows: [[0.5, 0.5, 0.75, 0.25], [0.25, 0.75, 0.5, 0.5]] },
  },
  {
    name: 'Conv1D drops a run mask: the SimpleRNN after it runs every step',
    config: sequential([conv1D({ filters: 1, kernelSize: 2, useBias: false }), summingRnn1()], { inputShape: [5, 1] }),
    weights: [t([2, 1, 1], [1, 1]), ...SUMMING_RNN_1_WEIGHTS],
    input: STEPS,
    mask: [[1, 0, 1, 0, 1], [0, 0, 1, 1, 1]],
    // pair sums [3, 5, 7, 9] and [−1, 2, 2, 1], summed up
    expected: { shape: [4, 1], rows: [[3, 8, 15, 24], [-1, 1, 3, 4]] },
  },
  {
    name: "Masking → Conv1D drops Masking's mask: the SimpleRNN after it runs every step",
    config: sequential([masking(0), conv1D({ filters: 1, kernelSize: 1 }), summingRnn1()], { inputShape: [5, 1] }),
    weights: [t([1, 1, 1], [2]), t([1], [1]), ...SUMMING_RNN_1_WEIGHTS],
    input: [
      [[1], [0], [3], [0], [2]],
      [[0], [4], [0], [0], [1]],
    ],
    // 2x + 1 = [3, 1, 7, 1, 5] and [1, 9, 1, 1, 3], summed up (the masked steps too)
    expected: { shape: [5, 1], rows: [[3, 4, 11, 12, 17], [1, 10, 11, 12, 15]] },
  },
  {
    name: 'SimpleRNN(seq) → Conv1D(causal) → GlobalMaxPooling1D',
    config: sequential([summingRnn1(), conv1D({ filters: 1, kernelSize: 2, padding: 'causal', useBias: false }), globalMaxPooling1D()], { inputShape: [5, 1] }),
    weights: [...SUMMING_RNN_1_WEIGHTS, t([2, 1, 1], [1, 1])],
    input: STEPS,
    // running sums [1, 3, 6, 10, 15] and [−1, −1, 1, 1, 2]; h[t−1] + h[t] = [1, 4, 9, 16, 25] and [−1, −2, 0, 2, 3]
    expected: { shape: [1], rows: [[25], [3]] },
  },
  {
    name: "Embedding(mask_zero) → Conv1D → GlobalAveragePooling1D: the Conv1D drops the embedding's mask",
    config: sequential([embedding({ inputDim: 3, outputDim: 1, maskZero: true }), conv1D({ filters: 1, kernelSize: 1 }), globalAveragePooling1D()], { inputShape: [3] }),
    weights: [t([3, 1], [0, 1, 4]), t([1, 1, 1], [1]), t([1], [1])],
    input: [[1, 0, 2], [2, 2, 0]],
    // x + 1 = [2, 1, 5] and [5, 5, 1], averaged over every step
    expected: { shape: [1], rows: [[8 / 3], [11 / 3]] },
  },
  // Windows [1,2], [3,4]: 2, 4; [−1,0], [2,0]: 0, 2.
  ...overSteps('MaxPooling1D valid: windows of pool_size every pool_size', [maxPooling1D()], [], STEPS, [[2, 4], [0, 2]]),
  // [1,2,3], [2,3,4], [3,4,5]; [−1,0,2] → 1/3, [0,2,0] → 2/3, [2,0,1] → 1.
  ...overSteps('AveragePooling1D valid pool 3 strides 1', [averagePooling1D({ poolSize: 3, strides: 1 })], [], STEPS, [[2, 3, 4], [1 / 3, 2 / 3, 1]]),
  // Windows [1,2], [3,4], [5]: the padded place does not count.
  ...overSteps('AveragePooling1D same: divides by the real steps', [averagePooling1D({ padding: 'same' })], [], STEPS, [[1.5, 3.5, 5], [-0.5, 1, 1]]),
  // [·,1,2], [1,2,3], ..., [4,5,·]
  ...overSteps('AveragePooling1D same pool 3 strides 1', [averagePooling1D({ poolSize: 3, strides: 1, padding: 'same' })], [], STEPS, [
    [1.5, 2, 3, 4, 4.5],
    [-0.5, 1 / 3, 2 / 3, 1, 0.5],
  ]),
  // Windows [·,1,2], [4,5,·] (one padded place before, one after).
  ...overSteps('AveragePooling1D same pool 3 strides 4', [averagePooling1D({ poolSize: 3, strides: 4, padding: 'same' })], [], STEPS, [[1.5, 4.5], [-0.5, 0.5]]),
  // Windows [1,2], [4,5] with nothing padded.
  ...overSteps('AveragePooling1D same pool 2 strides 3', [averagePooling1D({ poolSize: 2, strides: 3, padding: 'same' })], [], STEPS, [[1.5, 4.5], [-0.5, 0.5]]),
  // The padded place after −5 does not win the max.
  ...overSteps('MaxPooling1D same: padding never wins', [maxPooling1D({ padding: 'same' })], [], NEGATIVE_STEPS, [[-1, -3, -5], [-1, -1, -5]]),
  ...overSteps('MaxPooling1D same pool 3 strides 1', [maxPooling1D({ poolSize: 3, strides: 1, padding: 'same' })], [], NEGATIVE_STEPS, [
    [-1, -1, -2, -3, -4],
    [-1, -1, -1, -1, -1],
  ]),
  ...overSteps('MaxPooling1D same pool 3 strides 4', [maxPooling1D({ poolSize: 3, strides: 4, padding: 'same' })], [], NEGATIVE_STEPS, [[-1, -4], [-1, -1]]),
  // Conv1D same strides 2 gives [210.5, 432.5, 54.5] and [−9.5, 20.5, 10.5]; pooled in pairs (same) → 2 steps.
  ...overSteps('Conv1D(same, strides 2) → MaxPooling1D(same)', [conv({ padding: 'same', strides: 2 }), maxPooling1D({ padding: 'same' })], TAPS, STEPS, [
    [432.5, 54.5],
    [20.5, 10.5],
  ]),
  {
    name: 'MaxPooling1D → SimpleRNN runs the pooled steps',
    config: sequential([maxPooling1D(), summingRnn1()], { inputShape: [5, 1] }),
    weights: SUMMING_RNN_1_WEIGHTS,
    input: STEPS,
    // maxima [2, 4] and [0, 2], summed up
    expected: { shape: [2, 1], rows: [[2, 6], [0, 2]] },
  },
  {
    name: "Masking → AveragePooling1D drops the mask: GlobalAveragePooling1D averages every pooled step",
    config: sequential([masking(0), averagePooling1D({ strides: 1 }), globalAveragePooling1D()], { inputShape: [5, 1] }),
    weights: [],
    input: [
      [[1], [0], [3], [0], [2]],
      [[0], [4], [0], [0], [2]],
    ],
    // pairs [0.5, 1.5, 1.5, 1] → 4.5/4; [2, 2, 0, 1] → 5/4
    expected: { shape: [1], rows: [[1.125], [1.25]] },
  },
];
