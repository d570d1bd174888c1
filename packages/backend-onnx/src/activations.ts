import type { Activation, ElementwiseActivation, ParametricActivation } from '@rnn/core';
import type { GraphBuilder } from './graph.js';

/**
 * Keras activations as ONNX nodes. Each follows the scalar formula in core's `activations.ts`
 * (the single source of truth); the conformance suite and this package's tests hold them to it.
 */

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** Appends the nodes of `activation(x)` and returns the result's name (`x` itself for linear). */
export function applyActivation(g: GraphBuilder, activation: Activation | ParametricActivation, x: string): string {
  if (typeof activation === 'object') return applyParametricActivation(g, activation, x);
  switch (activation) {
    case 'linear':
      return x;
    case 'tanh':
      return g.op('Tanh', [x]);
    case 'sigmoid':
      return g.op('Sigmoid', [x]);
    case 'hard_sigmoid':
      return g.op('HardSigmoid', [x], { alpha: { float: 1 / 6 }, beta: { float: 0.5 } });
    case 'hard_sigmoid_keras2':
      return g.op('HardSigmoid', [x], { alpha: { float: 0.2 }, beta: { float: 0.5 } });
    case 'relu':
      return g.op('Relu', [x]);
    case 'relu6':
      return g.op('Clip', [x, g.scalar(0), g.scalar(6)]);
    case 'leaky_relu':
      return g.op('LeakyRelu', [x], { alpha: { float: 0.2 } });
    case 'elu':
      return g.op('Elu', [x], { alpha: { float: 1 } });
    case 'selu':
      return g.op('Selu', [x], { alpha: { float: SELU_ALPHA }, gamma: { float: SELU_SCALE } });
    case 'celu':
      return g.op('Celu', [x], { alpha: { float: 1 } });
    case 'gelu': {
      // 0.5·x·(1 + erf(x/√2))
      const erf = g.op('Erf', [g.op('Mul', [x, g.scalar(Math.SQRT1_2)])]);
      return g.op('Mul', [g.op('Mul', [x, g.scalar(0.5)]), g.op('Add', [erf, g.scalar(1)])]);
    }
    case 'gelu_approximate': {
      // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
      const cube = g.op('Mul', [g.op('Mul', [x, x]), x]);
      const inner = g.op('Mul', [g.op('Add', [x, g.op('Mul', [cube, g.scalar(0.044715)])]), g.scalar(SQRT_2_OVER_PI)]);
      return g.op('Mul', [g.op('Mul', [x, g.scalar(0.5)]), g.op('Add', [g.op('Tanh', [inner]), g.scalar(1)])]);
    }
    case 'softplus':
      return g.op('Softplus', [x]);
    case 'softsign':
      return g.op('Softsign', [x]);
    case 'exponential':
      return g.op('Exp', [x]);
    case 'silu':
      return g.op('Mul', [x, g.op('Sigmoid', [x])]);
    case 'hard_silu':
      // x·clip(x/6 + 0.5, 0, 1)
      return g.op('HardSwish', [x]);
    case 'mish':
      return g.op('Mul', [x, g.op('Tanh', [g.op('Softplus', [x])])]);
    case 'log_sigmoid':
      return g.op('Neg', [g.op('Softplus', [g.op('Neg', [x])])]);
    case 'hard_tanh':
      return g.op('Clip', [x, g.scalar(-1), g.scalar(1)]);
    case 'tanh_shrink':
      return g.op('Sub', [x, g.op('Tanh', [x])]);
    case 'soft_shrink':
      return g.op('Shrink', [x], { bias: { float: 0.5 }, lambd: { float: 0.5 } });
    case 'hard_shrink':
      return g.op('Shrink', [x], { bias: { float: 0 }, lambd: { float: 0.5 } });
    case 'squareplus': {
      // (x + √(x² + 4)) / 2
      const root = g.op('Sqrt', [g.op('Add', [g.op('Mul', [x, x]), g.scalar(4)])]);
      return g.op('Mul', [g.op('Add', [x, root]), g.scalar(0.5)]);
    }
    case 'sparse_plus': {
      // 0 for x ≤ -1, x for x ≥ 1, (x+1)²/4 between
      const shifted = g.op('Add', [x, g.scalar(1)]);
      const middle = g.op('Mul', [g.op('Mul', [shifted, shifted]), g.scalar(0.25)]);
      const upper = g.op('Where', [g.op('GreaterOrEqual', [x, g.scalar(1)]), x, middle]);
      return g.op('Where', [g.op('LessOrEqual', [x, g.scalar(-1)]), g.scalar(0), upper]);
    }
    case 'softmax':
      return g.op('Softmax', [x], { axis: { int: -1 } });
    case 'log_softmax':
      return g.op('LogSoftmax', [x], { axis: { int: -1 } });
    default: {
      const unknown: never = activation;
      throw new Error(`applyActivation: unhandled activation ${String(unknown)}`);
    }
  }
}

/**
 * An activation of the ONNX LSTM/GRU/RNN operators. `activation_alpha`/`activation_beta` hold values
 * only for the functions that take them, consumed in order (ONNX Runtime reads them that way).
 */
export interface RecurrentOpActivation {
  readonly name: string;
  readonly alpha?: number;
  readonly beta?: number;
}

/**
 * Keras activations that the ONNX recurrent operators can apply themselves, with the same formula.
 * The others (gelu, selu, ...) and any ONNX Runtime function whose numbers differ from Keras's
 * (its `Softplus` overflows for large inputs) are left out; those layers run as a Scan instead.
 */
const RECURRENT_OP_ACTIVATIONS: Partial<Record<ElementwiseActivation, RecurrentOpActivation>> = {
  tanh: { name: 'Tanh' },
  sigmoid: { name: 'Sigmoid' },
  relu: { name: 'Relu' },
  linear: { name: 'Affine', alpha: 1, beta: 0 },
  hard_sigmoid: { name: 'HardSigmoid', alpha: 1 / 6, beta: 0.5 },
  hard_sigmoid_keras2: { name: 'HardSigmoid', alpha: 0.2, beta: 0.5 },
  leaky_relu: { name: 'LeakyRelu', alpha: 0.2 },
  elu: { name: 'Elu', alpha: 1 },
  softsign: { name: 'Softsign' },
};

/** ONNX names of every activation `recurrentOpActivation` can return. */
export const RECURRENT_OP_ACTIVATION_NAMES: ReadonlySet<string> = new Set(Object.values(RECURRENT_OP_ACTIVATIONS).map((a) => a.name));

export function recurrentOpActivation(activation: ElementwiseActivation): RecurrentOpActivation | null {
  return RECURRENT_OP_ACTIVATIONS[activation] ?? null;
}

/** core's `parametricActivation` formulas as ONNX nodes. */
function applyParametricActivation(g: GraphBuilder, activation: ParametricActivation, x: string): string {
  switch (activation.fn) {
    case 'leaky_relu':
      return g.op('LeakyRelu', [x], { alpha: { float: activation.negativeSlope } });
    case 'elu':
      return g.op('Elu', [x], { alpha: { float: activation.alpha } });
    case 'relu': {
      // min(max(x, 0), maxValue) + negativeSlope·min(x, 0)
      const positive = activation.maxValue === null ? g.op('Relu', [x]) : g.op('Clip', [x, g.scalar(0), g.scalar(activation.maxValue)]);
      if (activation.negativeSlope === 0) return positive;
      return g.op('Add', [positive, g.op('Mul', [g.op('Min', [x, g.scalar(0)]), g.scalar(activation.negativeSlope)])]);
    }
  }
}
