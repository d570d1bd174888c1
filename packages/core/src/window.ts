import { InputError } from './errors.js';
import type { ModelSpec, WindowPadding } from './spec.js';

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

/**
 * Throws `InputError` when `inputSteps` leave a `valid` Conv1D or pooling window no whole window
 * (Keras would return an empty sequence, which no backend's operators give).
 */
export function checkWindowSteps(spec: ModelSpec, inputSteps: number): void {
  let steps = inputSteps;
  for (const layer of spec.layers) {
    if (layer.kind === 'repeat-vector') steps = layer.times;
    if (layer.kind !== 'conv1d' && layer.kind !== 'pooling1d') continue;
    const [size, dilation] = layer.kind === 'conv1d' ? [layer.kernelSize, layer.dilation] : [layer.poolSize, 1];
    const window = convolutionWindow(steps, size, layer.strides, dilation, layer.padding);
    if (window.outSteps < 1) {
      const span = (size - 1) * dilation + 1;
      throw new InputError(`${layer.name}: a "${layer.padding}" window of ${span} steps needs at least ${span} timesteps, got ${steps}`, {
        layer: layer.name,
        field: 'timesteps',
        expected: span,
        actual: steps,
      });
    }
    steps = window.outSteps;
  }
}
