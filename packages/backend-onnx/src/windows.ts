import {
  convolutionWindow,
  type Conv1DLayerSpec,
  type Conv1DWeights,
  type Pooling1DLayerSpec,
  type WindowPadding,
} from '@rnn/core';
import { applyActivation } from './activations.js';
import type { Attributes, GraphBuilder } from './graph.js';

/**
 * Conv1D and MaxPooling1D/AveragePooling1D as ONNX's `Conv`, `MaxPool` and `AveragePool`, which
 * work on `(batch, channels, time)`: the time-major flow is transposed there and back.
 *
 * Where the windows sit is core's `convolutionWindow`, turned into one of three forms:
 * - fixed pads (the `pads` attribute) when they do not depend on the number of steps: `valid`,
 *   `causal`, `same` with strides 1 (so every dilated `same`: Keras refuses strides with dilation),
 *   or any padding when the flow's steps are known when the graph is built;
 * - `auto_pad=SAME_UPPER` for `same` with strides > 1 and a window at least `strides` long: ONNX
 *   Runtime's rule (⌈T/strides⌉ outputs, the odd padded step after the input) is then TensorFlow's.
 *   It is not otherwise: it refuses a dilation, and a window shorter than the strides can need a
 *   negative pad ("padding values must be non-negative") where Keras pads nothing;
 * - for the rest (`same`, a window shorter than the strides, unknown steps), a `Pad` node whose pads
 *   are looked up by `T mod strides` in a table `convolutionWindow` filled: under TensorFlow's rule
 *   the `same` pads depend on T through that remainder only.
 */

type WindowPads =
  | { readonly form: 'fixed'; readonly before: number; readonly after: number }
  | { readonly form: 'same-upper' }
  | { readonly form: 'by-remainder'; readonly strides: number; readonly before: readonly number[]; readonly after: readonly number[] };

interface WindowShape {
  readonly size: number;
  readonly strides: number;
  readonly dilation: number;
  readonly padding: WindowPadding;
}

/** Zero steps before and after `steps` input steps that make every window of `convolutionWindow` whole. */
function padsAt(steps: number, { size, strides, dilation, padding }: WindowShape): { before: number; after: number } {
  const { padBefore, padAfter } = convolutionWindow(steps, size, strides, dilation, padding);
  return { before: padBefore, after: padAfter };
}

/** How a graph places the windows over `steps` input steps (`null`: known only when it runs). */
export function windowPads(steps: number | null, window: WindowShape): WindowPads {
  if (steps !== null) return { form: 'fixed', ...padsAt(steps, window) };
  // One representative per remainder, long enough for a whole window (a `valid` layer's pads are
  // then 0 whatever the steps).
  const span = (window.size - 1) * window.dilation + 1;
  const remainders = Array.from({ length: window.strides }, (_, r) => padsAt(window.strides * (span + 1) + r, window));
  const [first] = remainders;
  if (remainders.every((p) => p.before === first.before && p.after === first.after)) return { form: 'fixed', ...first };
  if (window.dilation === 1 && span >= window.strides) return { form: 'same-upper' };
  return { form: 'by-remainder', strides: window.strides, before: remainders.map((p) => p.before), after: remainders.map((p) => p.after) };
}

/** `(time, batch, features)` → `(batch, features, time)`, the layout of ONNX's convolution and pooling. */
function channelsFirst(g: GraphBuilder, x: string): string {
  return g.op('Transpose', [x], { perm: { ints: [1, 2, 0] } }, 'channels_first');
}

/** `(batch, channels, time)` → the time-major `(time, batch, channels)`. */
function timeMajorFromChannels(g: GraphBuilder, y: string): string {
  return g.op('Transpose', [y], { perm: { ints: [2, 0, 1] } }, 'time_major');
}

/** The attributes that place the windows, for the fixed and `SAME_UPPER` forms (the `Pad` form pads first and needs none). */
function padAttributes(pads: WindowPads): Attributes {
  if (pads.form === 'fixed') return { pads: { ints: [pads.before, pads.after] } };
  if (pads.form === 'same-upper') return { auto_pad: { string: 'SAME_UPPER' } };
  return {};
}

/** ONNX pads for the time-major `(time, batch, features)` `x`: the table entry of `T mod strides`, with the steps `T` as well. */
function padsByRemainder(g: GraphBuilder, x: string, pads: Extract<WindowPads, { form: 'by-remainder' }>): { steps: string; pads: string } {
  const steps = g.op('Shape', [x], { start: { int: 0 }, end: { int: 1 } }, 'steps');
  const remainder = g.op('Mod', [steps, g.ints([pads.strides])], {}, 'step_remainder');
  // Rows of [time before, 0, 0, time after, 0, 0].
  const table = pads.before.flatMap((before, r) => [before, 0, 0, pads.after[r], 0, 0]);
  const row = g.op('Gather', [g.ints(table, [pads.strides, 6]), remainder], { axis: { int: 0 } }, 'window_pads');
  return { steps, pads: g.op('Reshape', [row, g.ints([-1])], {}, 'window_pads') };
}

/** Conv1D on the time-major `x`: `Conv` with the Keras kernel as `(filters, inputDim, kernelSize)`, the bias as its `B`. */
export function buildConv1D(g: GraphBuilder, layer: Conv1DLayerSpec, weights: Conv1DWeights, x: string, steps: number | null): string {
  const { filters, kernelSize, inputDim } = layer;
  const pads = windowPads(steps, { size: kernelSize, strides: layer.strides, dilation: layer.dilation, padding: layer.padding });
  // Keras (kernelSize, inputDim, filters) → ONNX (filters, inputDim, kernelSize).
  const kernel = new Float32Array(filters * inputDim * kernelSize);
  for (let k = 0; k < kernelSize; k++) {
    for (let c = 0; c < inputDim; c++) {
      for (let f = 0; f < filters; f++) kernel[(f * inputDim + c) * kernelSize + k] = weights.kernel.data[(k * inputDim + c) * filters + f];
    }
  }
  const inputs = [
    channelsFirst(g, pads.form === 'by-remainder' ? g.op('Pad', [x, padsByRemainder(g, x, pads).pads, g.scalar(0)], {}, 'padded') : x),
    g.weight(`${layer.name}/kernel`, kernel, [filters, inputDim, kernelSize]),
    ...(weights.bias ? [g.weight(`${layer.name}/bias`, weights.bias.data, [filters])] : []),
  ];
  const attributes: Attributes = {
    kernel_shape: { ints: [kernelSize] },
    strides: { ints: [layer.strides] },
    dilations: { ints: [layer.dilation] },
    ...padAttributes(pads),
  };
  const y = timeMajorFromChannels(g, g.op('Conv', inputs, attributes, 'convolved'));
  return applyActivation(g, layer.activation, y);
}

/**
 * MaxPooling1D / AveragePooling1D on the time-major `x`. Padded places take no part, as in Keras:
 * ONNX's `MaxPool` ignores its pads, `AveragePool` with `count_include_pad=0` divides by the real
 * steps; in the `Pad` form the max pads with −∞ and the average divides the pooled sum by the
 * pooled count of real steps.
 */
export function buildPooling1D(g: GraphBuilder, layer: Pooling1DLayerSpec, x: string, steps: number | null): string {
  const pads = windowPads(steps, { size: layer.poolSize, strides: layer.strides, dilation: 1, padding: layer.padding });
  const window: Attributes = { kernel_shape: { ints: [layer.poolSize] }, strides: { ints: [layer.strides] } };
  if (layer.pooling === 'max') {
    const padded = pads.form === 'by-remainder' ? g.op('Pad', [x, padsByRemainder(g, x, pads).pads, g.scalar(-Infinity)], {}, 'padded') : x;
    return timeMajorFromChannels(g, g.op('MaxPool', [channelsFirst(g, padded)], { ...window, ...padAttributes(pads) }, 'max_pooled'));
  }
  if (pads.form !== 'by-remainder') {
    const pooled = g.op('AveragePool', [channelsFirst(g, x)], { ...window, ...padAttributes(pads), count_include_pad: { int: 0 } }, 'mean_pooled');
    return timeMajorFromChannels(g, pooled);
  }
  // Both averaged over whole windows, so their ratio is sum / count.
  const { steps: stepCount, pads: timePads } = padsByRemainder(g, x, pads);
  const sums = g.op('AveragePool', [channelsFirst(g, g.op('Pad', [x, timePads, g.scalar(0)], {}, 'padded'))], window, 'window_sums');
  const realSteps = g.op('Expand', [g.floats([1], [1, 1, 1]), g.op('Concat', [stepCount, g.ints([1, 1])], { axis: { int: 0 } }, 'steps_shape')], {}, 'real_steps');
  const counts = g.op('AveragePool', [channelsFirst(g, g.op('Pad', [realSteps, timePads, g.scalar(0)], {}, 'padded'))], window, 'window_counts');
  return timeMajorFromChannels(g, g.op('Div', [sums, counts], {}, 'mean_pooled'));
}
