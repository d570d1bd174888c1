import type { WindowPadding } from './spec.js';

/** Where a 1-D window (convolution or pooling) sits along time. */
export interface Window {
  /** Output steps. */
  readonly outSteps: number;
  /** Zero steps (or ignored places) before the input: output step t starts at input step `t·strides − padBefore`. */
  readonly padBefore: number;
  /** Steps past the input the last window reaches. */
  readonly padAfter: number;
}

/**
 * Keras's (TensorFlow's) rule for a window of `size` taps spaced `dilation` apart moving `strides`
 * steps over `steps` input steps: `valid` uses whole windows only; `same` gives ⌈steps / strides⌉
 * outputs and pads the total shortfall with the odd step after the input; `causal` pads
 * `(size − 1)·dilation` before it, so output t sees no input after step t. One rule for every backend.
 */
export function convolutionWindow(steps: number, size: number, strides: number, dilation: number, padding: WindowPadding): Window {
  const span = (size - 1) * dilation + 1;
  const placed = (outSteps: number, padBefore: number): Window => ({
    outSteps,
    padBefore,
    padAfter: Math.max(0, (outSteps - 1) * strides + span - steps - padBefore),
  });
  if (padding === 'causal') return placed(Math.floor((steps - 1) / strides) + 1, span - 1);
  if (padding === 'valid') return placed(Math.max(0, Math.floor((steps - span) / strides) + 1), 0);
  const outSteps = Math.ceil(steps / strides);
  return placed(outSteps, Math.floor(Math.max(0, (outSteps - 1) * strides + span - steps) / 2));
}
