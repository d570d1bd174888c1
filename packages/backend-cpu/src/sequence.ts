import { InputError, STATE_COUNT, formatShape, sameShape, type RecurrentLayerSpec, type Tensor } from '@rnn/core';
import { cellStepFor, type StepBuffers } from './cells.js';
import { matmulPacked } from './kernels.js';
import type { PackedRecurrent } from './pack.js';

/**
 * The time loop of one recurrent layer, with Keras's mask rule: at a masked step a row's states
 * do not change and its output follows `spec.maskedOutput`.
 */

export interface SequenceOptions {
  /** Whether to keep every step's output (`return_sequences`), not only the last. */
  readonly keepSequence: boolean;
  /**
   * Where step outputs go in the sequence: `processing` (Keras's order for a `go_backwards` layer
   * on its own: index 0 is the first step read) or `time` (index t belongs to input step t, as
   * Bidirectional wants its backward half before merging).
   */
  readonly order: 'processing' | 'time';
}

export interface SequenceResult {
  /**
   * With `keepSequence`, every step's output `(batch, timesteps, u)` in the requested order;
   * else the output of the last step read, `(batch, u)`.
   */
  readonly output: Float32Array;
  /** Final states in Keras order (`[h, c]` or `[h]`), each `(batch, u)`; they may share one buffer. */
  readonly states: Float32Array[];
}

/** One recurrent layer compiled on some kernels: runs a whole sequence with Keras's mask rule. */
export type SequenceRunner = (
  input: Float32Array,
  batch: number,
  timesteps: number,
  mask: Float32Array | null,
  initialStates: readonly Tensor[] | null,
  options: SequenceOptions,
) => SequenceResult;

export function runSequence(
  cell: PackedRecurrent,
  input: Float32Array,
  batch: number,
  timesteps: number,
  mask: Float32Array | null,
  initialStates: readonly Tensor[] | null,
  options: SequenceOptions,
): SequenceResult {
  const spec = cell.spec;
  const units = spec.units;
  const isLstm = spec.cell === 'LSTM';
  const stateSize = batch * units;

  const projected = new Float32Array(batch * timesteps * cell.width);
  matmulPacked(input, batch * timesteps, spec.inputDim, cell.kernel, 0, cell.width, cell.inputBias, projected, cell.width);

  const [h0, c0] = startingStates(cell, batch, initialStates);
  const buffers: StepBuffers = {
    batch,
    timesteps,
    projected,
    recurrent: new Float32Array(batch * cell.width),
    resetState: new Float32Array(spec.cell === 'GRU' && !spec.resetAfter ? stateSize : 0),
    h: h0,
    c: c0,
    hNext: new Float32Array(stateSize),
    cNext: new Float32Array(isLstm ? stateSize : 0),
  };
  const lastOutput = new Float32Array(stateSize);
  const sequence = options.keepSequence ? new Float32Array(batch * timesteps * units) : null;
  const step = cellStepFor(cell);
  const maskedOutput = spec.maskedOutput;

  for (let s = 0; s < timesteps; s++) {
    const t = spec.goBackwards ? timesteps - 1 - s : s;
    step(cell, buffers, t);
    const { h, c, hNext, cNext } = buffers;
    const slot = options.order === 'processing' ? s : t;
    for (let b = 0; b < batch; b++) {
      const row = b * units;
      if (mask === null || mask[b * timesteps + t] !== 0) {
        copyRow(hNext, row, lastOutput, row, units);
      } else {
        // Masked: the new states are discarded, so undo this row's update.
        copyRow(h, row, hNext, row, units);
        if (isLstm) copyRow(c, row, cNext, row, units);
        if (maskedOutput === 'state') copyRow(h, row, lastOutput, row, units);
        else if (maskedOutput === 'zeros') lastOutput.fill(0, row, row + units);
        // 'previous-output': lastOutput already holds this row's previous output (zeros at first).
      }
      if (sequence !== null) copyRow(lastOutput, row, sequence, (b * timesteps + slot) * units, units);
    }
    buffers.h = hNext;
    buffers.hNext = h;
    buffers.c = cNext;
    buffers.cNext = c;
  }

  return { output: sequence ?? lastOutput, states: isLstm ? [buffers.h, buffers.c] : [buffers.h] };
}

function copyRow(source: Float32Array, from: number, target: Float32Array, to: number, length: number): void {
  for (let i = 0; i < length; i++) target[to + i] = source[from + i];
}

/** Fresh copies of the given initial states (the loop writes into them), or zeros. */
function startingStates(cell: PackedRecurrent, batch: number, initialStates: readonly Tensor[] | null): [Float32Array, Float32Array] {
  const spec = cell.spec;
  const stateSize = batch * spec.units;
  checkInitialStates(spec, batch, initialStates);
  if (initialStates === null) return [new Float32Array(stateSize), new Float32Array(spec.cell === 'LSTM' ? stateSize : 0)];
  return [initialStates[0].data.slice(), spec.cell === 'LSTM' ? initialStates[1].data.slice() : new Float32Array(0)];
}

/** Checks the given initial states (`null` = zeros): `[h]` or LSTM's `[h, c]`, each `(batch, units)`. */
export function checkInitialStates(spec: RecurrentLayerSpec, batch: number, initialStates: readonly Tensor[] | null): void {
  if (initialStates === null) return;
  const count = STATE_COUNT[spec.cell];
  if (initialStates.length !== count) {
    throw new InputError(`${spec.name}: expected ${count} initial state tensor(s), got ${initialStates.length}`, {
      layer: spec.name,
      field: 'initialState',
      expected: count,
      actual: initialStates.length,
    });
  }
  const expected = [batch, spec.units];
  initialStates.forEach((state, k) => {
    if (!sameShape(state.shape, expected)) {
      throw new InputError(
        `${spec.name}: initial state ${k} has shape ${formatShape(state.shape)}, expected ${formatShape(expected)}`,
        { layer: spec.name, field: `initialState[${k}]`, expected, actual: state.shape },
      );
    }
  });
}
