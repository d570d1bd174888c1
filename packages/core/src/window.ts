import type { WindowPadding } from './spec.js';

/** Where a 1-D window (convolution or pooling) sits along time. */
export interface Window {
  /** Output steps. */
  readonly outSteps: number;
  /** Zero steps (or ignored places) before the input: output step t starts at input step `t·strides − padBefore`. */
  readonly padBefore: number;
}

/**
 * Keras's (TensorFlow's) rule for a window of `size` taps spaced `dilation` apart moving `strides`
 * steps over `steps` input steps: `valid` uses whole windows only; `same` gives ⌈steps / strides⌉
 * outputs and pads the total shortfall with the odd step after the input; `causal` pads
 * `(size − 1)·dilation` before it, so output t sees no input after step t. One rule for every backend.
 */
export function convolutionWindow(steps: number, size: number, strides: number, dilation: number, padding: WindowPadding): Window {
  const span = (size - 1) * dilation + 1;
  if (padding === 'causal') return { outSteps: Math.floor((steps - 1) / strides) + 1, padBefore: span - 1 };
  if (padding === 'valid') return { outSteps: Math.max(0, Math.floor((steps - span) / strides) + 1), padBefore: 0 };
  const outSteps = Math.ceil(steps / strides);
  const total = Math.max(0, (outSteps - 1) * strides + span - steps);
  return { outSteps, padBefore: Math.floor(total / 2) };
}
