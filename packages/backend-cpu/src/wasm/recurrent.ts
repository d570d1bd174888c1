import { GATE_COUNT, type RecurrentLayerSpec, type RecurrentWeights } from '@rnn/core';
import { checkRecurrentWeights } from '../pack.js';
import { checkInitialStates, type SequenceRunner } from '../sequence.js';
import { FLAG_GO_BACKWARDS, FLAG_TIME_ORDER, MASKED_OUTPUT_CODES, PANEL_WIDTH, WASM_ACTIVATIONS, cellCode } from './abi.js';
import type { KernelHeap } from './heap.js';

/**
 * A recurrent layer on the WebAssembly kernels. Compiling packs its weights into panels in the
 * model's kernel memory, once. Each run copies the input (and states, mask) in, projects every
 * step with one `gemm`, runs the whole time loop with one `runSequence` call, and copies the
 * results out, so nothing crosses between JavaScript and WebAssembly per step.
 */

/** Whether the kernels evaluate this layer's activations; if not, the layer runs on the TypeScript kernels. */
export function wasmRunsLayer(spec: RecurrentLayerSpec): boolean {
  const gated = spec.cell !== 'SimpleRNN';
  return spec.activation in WASM_ACTIVATIONS && (!gated || spec.recurrentActivation in WASM_ACTIVATIONS);
}

export function wasmSequenceRunner(heap: KernelHeap, spec: RecurrentLayerSpec, weights: RecurrentWeights): SequenceRunner {
  const kernels = heap.kernels;
  const checked = checkRecurrentWeights(spec, weights);
  const cell = cellCode(spec);
  const units = spec.units;
  const width = GATE_COUNT[spec.cell] * units;
  const isLstm = spec.cell === 'LSTM';
  const stride = kernels.projectedStride(cell, units);
  const kernel = heap.store(packPanels(checked.kernel, spec.inputDim, width, 0, width));
  // GRU reset_after=false multiplies h by r before U_h, so U's h columns are a second product.
  const splitCandidate = spec.cell === 'GRU' && !spec.resetAfter;
  const recurrent = heap.store(packPanels(checked.recurrentKernel, units, width, 0, splitCandidate ? 2 * units : width));
  const candidateRecurrent = splitCandidate ? heap.store(packPanels(checked.recurrentKernel, units, width, 2 * units, width)) : 0;
  const inputBias = checked.inputBias === null ? 0 : heap.store(padTo(checked.inputBias, stride));
  const recurrentBias = checked.recurrentBias === null ? 0 : heap.store(padTo(checked.recurrentBias, stride));
  const activation = WASM_ACTIVATIONS[spec.activation]!;
  // SimpleRNN has no gates: its recurrent activation is never read.
  const recurrentActivation = WASM_ACTIVATIONS[spec.recurrentActivation] ?? WASM_ACTIVATIONS.linear!;
  const maskedOutput = MASKED_OUTPUT_CODES[spec.maskedOutput];

  return (input, batch, timesteps, mask, initialStates, options) => {
    checkInitialStates(spec, batch, initialStates);
    const stateFloats = batch * units;
    const sequenceFloats = batch * timesteps * units;
    heap.resetScratch();
    const x = heap.scratch(input.length * 4);
    const projected = heap.scratch(batch * timesteps * stride * 4);
    const h = heap.scratch(stateFloats * 4);
    const c = heap.scratch(isLstm ? stateFloats * 4 : 0);
    const maskAddress = mask === null ? 0 : heap.scratch(mask.length * 4);
    const last = heap.scratch(stateFloats * 4);
    const sequence = options.keepSequence ? heap.scratch(sequenceFloats * 4) : 0;
    const scratch = heap.scratch(kernels.sequenceScratchBytes(cell, batch, units));

    // All allocations are done, so this view stays valid for the run.
    const memory = heap.floats;
    memory.set(input, x / 4);
    if (mask !== null) memory.set(mask, maskAddress / 4);
    if (initialStates !== null) initialStates.forEach((state, k) => memory.set(state.data, (k === 0 ? h : c) / 4));
    else {
      memory.fill(0, h / 4, h / 4 + stateFloats);
      if (isLstm) memory.fill(0, c / 4, c / 4 + stateFloats);
    }
    kernels.gemm(x, spec.inputDim, batch * timesteps, spec.inputDim, kernel, stride / PANEL_WIDTH, inputBias, projected, stride);
    const flags = (spec.goBackwards ? FLAG_GO_BACKWARDS : 0) | (options.order === 'time' ? FLAG_TIME_ORDER : 0);
    kernels.runSequence(cell, activation, recurrentActivation, units, recurrent, candidateRecurrent, recurrentBias, batch, timesteps, projected, h, c, maskAddress, maskedOutput, flags, last, sequence, scratch);

    const output = sequence === 0 ? memory.slice(last / 4, last / 4 + stateFloats) : memory.slice(sequence / 4, sequence / 4 + sequenceFloats);
    if (!isLstm) return { output, states: [memory.slice(h / 4, h / 4 + stateFloats)] };
    // h and c leave in one allocation (they lie next to each other): an array allocation costs more
    // than a streaming step's arithmetic. Only the final states share it, never a returned output.
    const states = memory.slice(h / 4, c / 4 + stateFloats);
    return { output, states: [states.subarray(0, stateFloats), states.subarray((c - h) / 4)] };
  };
}

/**
 * Columns `colStart … colEnd−1` of a row-major `(inner, cols)` matrix as the kernels' panels:
 * panel p holds, row after row, the 8 columns `colStart + 8p …`, zero-padded past `colEnd`.
 */
export function packPanels(matrix: Float32Array, inner: number, cols: number, colStart: number, colEnd: number): Float32Array {
  const panels = Math.ceil((colEnd - colStart) / PANEL_WIDTH);
  const packed = new Float32Array(panels * inner * PANEL_WIDTH);
  for (let p = 0; p < panels; p++) {
    for (let k = 0; k < inner; k++) {
      const row = k * cols;
      const target = (p * inner + k) * PANEL_WIDTH;
      for (let lane = 0; lane < PANEL_WIDTH; lane++) {
        const col = colStart + p * PANEL_WIDTH + lane;
        if (col < colEnd) packed[target + lane] = matrix[row + col];
      }
    }
  }
  return packed;
}

function padTo(values: Float32Array, length: number): Float32Array {
  const padded = new Float32Array(length);
  padded.set(values);
  return padded;
}
