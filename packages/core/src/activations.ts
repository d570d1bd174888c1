/**
 * The element-wise activations a recurrent cell or Dense layer can use, by their Keras 3 names,
 * with one scalar definition each. Backends that cannot call these functions directly (tfjs ops,
 * ONNX graphs) must implement the same formula; the conformance suite holds them to it.
 *
 * `hard_sigmoid` is Keras 3's `clip(x/6 + 0.5, 0, 1)`. Keras 2 files mean `clip(0.2x + 0.5, 0, 1)`;
 * the config parser turns their `hard_sigmoid` into `hard_sigmoid_keras2`, so the name alone
 * decides the formula everywhere.
 */
export const ELEMENTWISE_ACTIVATIONS = [
  'linear',
  'tanh',
  'sigmoid',
  'hard_sigmoid',
  'hard_sigmoid_keras2',
  'relu',
  'relu6',
  'leaky_relu',
  'elu',
  'selu',
  'celu',
  'gelu',
  'gelu_approximate',
  'softplus',
  'softsign',
  'exponential',
  'silu',
  'hard_silu',
  'mish',
  'log_sigmoid',
  'hard_tanh',
  'tanh_shrink',
  'soft_shrink',
  'hard_shrink',
  'squareplus',
  'sparse_plus',
] as const;

export type ElementwiseActivation = (typeof ELEMENTWISE_ACTIVATIONS)[number];

/** Activations over the last axis; valid on Dense and Activation layers, not inside a cell. */
export type AxisActivation = 'softmax' | 'log_softmax';

export type Activation = ElementwiseActivation | AxisActivation;

/** Keras spellings that name the same function. */
export const ACTIVATION_ALIASES: Readonly<Record<string, Activation>> = {
  swish: 'silu',
  hard_swish: 'hard_silu',
  None: 'linear',
};

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

function sigmoid(x: number): number {
  // Split by sign so exp never overflows into Infinity/Infinity.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** erf by Abramowitz–Stegun 7.1.26 refined; |error| < 1.2e-7, below float32 resolution of gelu. */
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.5 * a);
  const y =
    1 -
    t *
      Math.exp(
        -a * a -
          1.26551223 +
          t *
            (1.00002368 +
              t *
                (0.37409196 +
                  t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
      );
  return sign * y;
}

export const ACTIVATION_FUNCTIONS: Readonly<Record<ElementwiseActivation, (x: number) => number>> = {
  linear: (x) => x,
  tanh: Math.tanh,
  sigmoid,
  hard_sigmoid: (x) => Math.min(1, Math.max(0, x / 6 + 0.5)),
  hard_sigmoid_keras2: (x) => Math.min(1, Math.max(0, 0.2 * x + 0.5)),
  relu: (x) => (x > 0 ? x : 0),
  relu6: (x) => Math.min(6, Math.max(0, x)),
  leaky_relu: (x) => (x >= 0 ? x : 0.2 * x),
  elu: (x) => (x > 0 ? x : Math.expm1(x)),
  selu: (x) => (x > 0 ? SELU_SCALE * x : SELU_SCALE * SELU_ALPHA * Math.expm1(x)),
  celu: (x) => (x > 0 ? x : Math.expm1(x)),
  gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  gelu_approximate: (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))),
  softplus,
  softsign: (x) => x / (1 + Math.abs(x)),
  exponential: Math.exp,
  silu: (x) => x * sigmoid(x),
  hard_silu: (x) => x * Math.min(1, Math.max(0, x / 6 + 0.5)),
  mish: (x) => x * Math.tanh(softplus(x)),
  log_sigmoid: (x) => -softplus(-x),
  hard_tanh: (x) => Math.min(1, Math.max(-1, x)),
  tanh_shrink: (x) => x - Math.tanh(x),
  soft_shrink: (x) => (x > 0.5 ? x - 0.5 : x < -0.5 ? x + 0.5 : 0),
  hard_shrink: (x) => (Math.abs(x) > 0.5 ? x : 0),
  squareplus: (x) => (x + Math.sqrt(x * x + 4)) / 2,
  sparse_plus: (x) => (x <= -1 ? 0 : x >= 1 ? x : (x + 1) * (x + 1) / 4),
};

export function isElementwiseActivation(name: string): name is ElementwiseActivation {
  return (ELEMENTWISE_ACTIVATIONS as readonly string[]).includes(name);
}

/** Softmax (or log-softmax) over the last axis of a row-major array, in place. */
export function applyAxisActivation(kind: AxisActivation, data: Float32Array, lastDim: number): void {
  for (let off = 0; off < data.length; off += lastDim) {
    let max = -Infinity;
    for (let i = 0; i < lastDim; i++) max = Math.max(max, data[off + i]);
    let sum = 0;
    for (let i = 0; i < lastDim; i++) sum += Math.exp(data[off + i] - max);
    if (kind === 'softmax') {
      for (let i = 0; i < lastDim; i++) data[off + i] = Math.exp(data[off + i] - max) / sum;
    } else {
      const logSum = Math.log(sum) + max;
      for (let i = 0; i < lastDim; i++) data[off + i] = data[off + i] - logSum;
    }
  }
}

/**
 * Activations with parameters, from Keras's `LeakyReLU`, `ELU` and `ReLU` layers (Keras 2 and 3):
 * `leaky_relu` is `x ≥ 0 ? x : negativeSlope·x`; `elu` is `x > 0 ? x : alpha·(eˣ − 1)`; `relu` is
 * `x < 0 ? negativeSlope·x : min(x, maxValue)` (Keras's `ReLU` with `threshold` 0).
 */
export type ParametricActivation =
  | { readonly fn: 'leaky_relu'; readonly negativeSlope: number }
  | { readonly fn: 'elu'; readonly alpha: number }
  | { readonly fn: 'relu'; readonly negativeSlope: number; readonly maxValue: number | null };

/** The scalar definition of a parametric activation (backends that cannot call it build the same formula). */
export function parametricActivation(activation: ParametricActivation): (x: number) => number {
  switch (activation.fn) {
    case 'leaky_relu': {
      const slope = activation.negativeSlope;
      return (x) => (x >= 0 ? x : slope * x);
    }
    case 'elu': {
      const alpha = activation.alpha;
      return (x) => (x > 0 ? x : alpha * Math.expm1(x));
    }
    case 'relu': {
      const slope = activation.negativeSlope;
      const max = activation.maxValue ?? Infinity;
      return (x) => (x < 0 ? slope * x : Math.min(x, max));
    }
  }
}

/** How an activation reads in messages and summaries: its name, with Keras's parameter names if it has any. */
export function formatActivation(activation: Activation | ParametricActivation): string {
  if (typeof activation === 'string') return activation;
  switch (activation.fn) {
    case 'leaky_relu':
      return `leaky_relu(negative_slope=${activation.negativeSlope})`;
    case 'elu':
      return `elu(alpha=${activation.alpha})`;
    case 'relu':
      return `relu(negative_slope=${activation.negativeSlope}, max_value=${activation.maxValue ?? 'None'})`;
  }
}
