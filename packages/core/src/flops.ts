import type { ModelSpec, RecurrentLayerSpec } from './spec.js';
import { GATE_COUNT } from './spec.js';
import { convolutionWindow } from './window.js';

/** Multiply-adds of one recurrent layer's two matrix products, 2 FLOPs each: 2·G·u·(f+u) per row and step. */
function recurrentFlops(layer: RecurrentLayerSpec): number {
  return 2 * GATE_COUNT[layer.cell] * layer.units * (layer.inputDim + layer.units);
}

/**
 * FLOPs of one call on `(batch, steps)`: the recurrent and dense matrix products, which dominate; the
 * element-wise work is left out, as benchmarks of recurrent layers conventionally do.
 */
export function modelFlops(spec: ModelSpec, batch: number, steps: number): number {
  let flops = 0;
  // Rows of the activation flowing between layers, per batch row: the timesteps while it is a sequence.
  let rows = steps;
  for (const layer of spec.layers) {
    const cost =
      layer.kind === 'rnn'
        ? recurrentFlops(layer)
        : layer.kind === 'bidirectional'
          ? recurrentFlops(layer.forward) + recurrentFlops(layer.backward)
          : layer.kind === 'dense'
            ? 2 * layer.units * layer.inputDim
            : 0;
    if (layer.kind === 'conv1d' || layer.kind === 'pooling1d') {
      const size = layer.kind === 'conv1d' ? layer.kernelSize : layer.poolSize;
      rows = convolutionWindow(rows, size, layer.strides, layer.kind === 'conv1d' ? layer.dilation : 1, layer.padding).outSteps;
      if (layer.kind === 'conv1d') flops += rows * 2 * layer.kernelSize * layer.inputDim * layer.filters;
      continue;
    }
    flops += rows * cost;
    if ((layer.kind === 'rnn' || layer.kind === 'bidirectional') && !layer.returnSequences) rows = 1;
    else if (layer.kind === 'flatten' || layer.kind === 'global-pooling') rows = 1;
    else if (layer.kind === 'repeat-vector') rows = layer.times;
    else if (layer.kind === 'reshape') rows = layer.targetShape.length === 2 ? layer.targetShape[0] : 1;
  }
  return batch * flops;
}
