import * as tf from '@tensorflow/tfjs-core';
import type { Activation, ElementwiseActivation, ParametricActivation } from '@rnn/core';

/**
 * Every activation of core's `activations.ts`, written with tfjs-core ops so it computes the same
 * formula. Where tfjs has a kernel whose formula matches (sigmoid, tanh, relu, elu, selu, erf) we
 * use it; everything else is composed from exact ops (tfjs has no hard_sigmoid, and its softplus
 * kernels differ between backends, so softplus is written in its overflow-safe form).
 */
type TfActivation = (x: tf.Tensor) => tf.Tensor;

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** `max(x, 0) + log1p(exp(-|x|))`: never overflows, and exact where `exp(-|x|)` underflows. */
function softplus(x: tf.Tensor): tf.Tensor {
  return tf.add(tf.relu(x), tf.log1p(tf.exp(tf.neg(tf.abs(x)))));
}

/** Keras 3: `clip(x / 6 + 0.5, 0, 1)`. */
function hardSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.clipByValue(tf.add(tf.div(x, 6), 0.5), 0, 1);
}

export const TFJS_ACTIVATIONS: Readonly<Record<ElementwiseActivation, TfActivation>> = {
  linear: (x) => x,
  tanh: (x) => tf.tanh(x),
  sigmoid: (x) => tf.sigmoid(x),
  hard_sigmoid: hardSigmoid,
  hard_sigmoid_keras2: (x) => tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1),
  relu: (x) => tf.relu(x),
  relu6: (x) => tf.relu6(x),
  leaky_relu: (x) => tf.leakyRelu(x, 0.2),
  elu: (x) => tf.elu(x),
  selu: (x) => tf.selu(x),
  // Keras's celu with its default alpha = 1 is elu.
  celu: (x) => tf.elu(x),
  gelu: (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2)))),
  gelu_approximate: (x) => {
    const inner = tf.mul(SQRT_2_OVER_PI, tf.add(x, tf.mul(0.044715, tf.mul(tf.square(x), x))));
    return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
  },
  softplus,
  softsign: (x) => tf.div(x, tf.add(1, tf.abs(x))),
  exponential: (x) => tf.exp(x),
  silu: (x) => tf.mul(x, tf.sigmoid(x)),
  hard_silu: (x) => tf.mul(x, hardSigmoid(x)),
  mish: (x) => tf.mul(x, tf.tanh(softplus(x))),
  log_sigmoid: (x) => tf.neg(softplus(tf.neg(x))),
  hard_tanh: (x) => tf.clipByValue(x, -1, 1),
  tanh_shrink: (x) => tf.sub(x, tf.tanh(x)),
  // sign(x)·max(|x| − 0.5, 0) is x ∓ 0.5 outside [-0.5, 0.5] and 0 inside, with no rounding.
  soft_shrink: (x) => tf.mul(tf.sign(x), tf.relu(tf.sub(tf.abs(x), 0.5))),
  hard_shrink: (x) => tf.where(tf.greater(tf.abs(x), 0.5), x, tf.zerosLike(x)),
  squareplus: (x) => tf.div(tf.add(x, tf.sqrt(tf.add(tf.square(x), 4))), 2),
  sparse_plus: (x) => {
    const middle = tf.div(tf.square(tf.add(x, 1)), 4);
    return tf.where(tf.lessEqual(x, -1), tf.zerosLike(x), tf.where(tf.greaterEqual(x, 1), x, middle));
  },
};

/** Any activation a Dense or Activation layer may carry; softmax variants act on the last axis. */
export function applyActivation(name: Activation | ParametricActivation, x: tf.Tensor): tf.Tensor {
  if (typeof name === 'object') return applyParametricActivation(name, x);
  if (name === 'softmax') return tf.softmax(x);
  if (name === 'log_softmax') return tf.logSoftmax(x);
  return TFJS_ACTIVATIONS[name](x);
}

/** core's `parametricActivation` formulas in tfjs ops. */
function applyParametricActivation(activation: ParametricActivation, x: tf.Tensor): tf.Tensor {
  switch (activation.fn) {
    case 'leaky_relu':
      return tf.where(tf.greaterEqual(x, 0), x, tf.mul(x, activation.negativeSlope));
    case 'elu':
      return tf.where(tf.greater(x, 0), x, tf.mul(tf.expm1(x), activation.alpha));
    case 'relu': {
      const positive = activation.maxValue === null ? tf.relu(x) : tf.clipByValue(x, 0, activation.maxValue);
      return tf.where(tf.less(x, 0), tf.mul(x, activation.negativeSlope), positive);
    }
  }
}
