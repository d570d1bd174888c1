import type { RecurrentLayerSpec, RecurrentWeights } from './spec.js';
import { GATE_COUNT } from './spec.js';
import type { Tensor } from './tensor.js';

/**
 * Weights of Keras 2's `CuDNNLSTM`/`CuDNNGRU`, which hand their variables to cuDNN as flat buffers:
 * each gate's `(inputs, units)` block of the kernel is read row-major as cuDNN's `(units, inputs)`
 * matrix, each recurrent block likewise as `(units, units)`, and the bias holds the input biases then
 * the recurrent ones. These convert between that and Keras's LSTM/GRU layout, as Keras itself does when
 * it loads such a file into an LSTM or a `reset_after` GRU. The gate order is Keras's in both.
 */

/** cuDNN-layout weights (as stored in the file) → Keras layout. */
export function cudnnToKeras(layer: RecurrentLayerSpec, weights: RecurrentWeights): RecurrentWeights {
  const { inputDim, units } = layer;
  const gates = GATE_COUNT[layer.cell];
  return {
    // Keras [i, u] is cuDNN's [u, i]: flat block index m = u·inputs + i of the stored row-major block.
    kernel: mapBlocks(weights.kernel, inputDim, units, gates, (i, u) => {
      const m = u * inputDim + i;
      return [Math.floor(m / units), m % units];
    }),
    recurrentKernel: mapBlocks(weights.recurrentKernel, units, units, gates, (v, u) => [u, v]),
    bias: weights.bias && kerasBias(layer, weights.bias),
  };
}

/** Keras layout → cuDNN layout (the inverse, for `getWeights()` of a cuDNN layer). */
export function kerasToCudnn(layer: RecurrentLayerSpec, weights: RecurrentWeights): RecurrentWeights {
  const { inputDim, units } = layer;
  const gates = GATE_COUNT[layer.cell];
  return {
    // Stored [row, column] is the flat block index m = row·units + column of cuDNN's [u, i] = Keras [i, u].
    kernel: mapBlocks(weights.kernel, inputDim, units, gates, (row, column) => {
      const m = row * units + column;
      return [m % inputDim, Math.floor(m / inputDim)];
    }),
    // A block transpose is its own inverse.
    recurrentKernel: mapBlocks(weights.recurrentKernel, units, units, gates, (v, u) => [u, v]),
    bias: weights.bias && cudnnBias(layer, weights.bias),
  };
}

/** A `(rows, gates·units)` matrix whose element `[r, g·units + u]` comes from block `g` at `source(r, u)`. */
function mapBlocks(from: Tensor, rows: number, units: number, gates: number, source: (row: number, unit: number) => [number, number]): Tensor {
  const width = gates * units;
  const out = new Float32Array(rows * width);
  for (let g = 0; g < gates; g++) {
    for (let r = 0; r < rows; r++) {
      for (let u = 0; u < units; u++) {
        const [row, column] = source(r, u);
        out[r * width + g * units + u] = from.data[row * width + g * units + column];
      }
    }
  }
  return { shape: [rows, width], data: out };
}

/** LSTM: input + recurrent bias (one `(4u,)` bias); GRU: the two as rows of a `(2, 3u)` reset-after bias. */
function kerasBias(layer: RecurrentLayerSpec, bias: Tensor): Tensor {
  const width = GATE_COUNT[layer.cell] * layer.units;
  if (layer.cell === 'GRU') return { shape: [2, width], data: bias.data.slice() };
  const sum = new Float32Array(width);
  for (let j = 0; j < width; j++) sum[j] = bias.data[j] + bias.data[width + j];
  return { shape: [width], data: sum };
}

/** The inverse of `kerasBias`; an LSTM bias is split in equal halves (only their sum matters, as in Keras). */
function cudnnBias(layer: RecurrentLayerSpec, bias: Tensor): Tensor {
  const width = GATE_COUNT[layer.cell] * layer.units;
  if (layer.cell === 'GRU') return { shape: [2 * width], data: bias.data.slice() };
  const halves = new Float32Array(2 * width);
  for (let j = 0; j < width; j++) halves[j] = halves[width + j] = bias.data[j] / 2;
  return { shape: [2 * width], data: halves };
}
