/**
 * The whole time loop of one recurrent layer in one call: per step the recurrent product
 * `h₋ U`, the cell's gate math and Keras's mask rule, with states, weights and buffers all in
 * this module's memory. The input projection `x W + b` of every step was computed before the
 * call (one `gemm` over all steps), so a step reads its row of `projected`.
 *
 * Equations and gate order follow Keras (see @rnn/backend-cpu's cells.ts, the TypeScript twin).
 */
import { activate } from './activations';
import { add, blend, lstmCellState, multiply, multiplyAdd } from './elementwise';
import { gemm, PANEL_WIDTH } from './gemm';

export const CELL_SIMPLE_RNN: i32 = 0;
export const CELL_LSTM: i32 = 1;
/** GRU with `reset_after: true`: the reset gate scales `h U_h + b₁`. */
export const CELL_GRU: i32 = 2;
/** GRU with `reset_after: false`: the reset gate scales `h` before `U_h` (a second product). */
export const CELL_GRU_RESET_BEFORE: i32 = 3;

/** What a masked step emits (states never change there), as `RecurrentLayerSpec.maskedOutput`. */
export const MASKED_STATE: i32 = 0;
export const MASKED_ZEROS: i32 = 1;
export const MASKED_PREVIOUS_OUTPUT: i32 = 2;

/** Read steps last to first. */
export const FLAG_GO_BACKWARDS: i32 = 1;
/** Store step outputs at their input step's index (Bidirectional), not in processing order. */
export const FLAG_TIME_ORDER: i32 = 2;

function gateCount(cell: i32): i32 {
  return cell == CELL_LSTM ? 4 : cell == CELL_SIMPLE_RNN ? 1 : 3;
}

function roundToPanel(columns: i32): i32 {
  return (columns + PANEL_WIDTH - 1) & ~(PANEL_WIDTH - 1);
}

/** Floats per row of `projected` (and of the gate buffer): `G·u` rounded up to whole panels. */
export function projectedStride(cell: i32, units: i32): i32 {
  return roundToPanel(gateCount(cell) * units);
}

/** Columns of the first recurrent product: all gates, except z and r alone for reset-before GRU. */
function recurrentColumns(cell: i32, units: i32): i32 {
  return roundToPanel(cell == CELL_GRU_RESET_BEFORE ? 2 * units : gateCount(cell) * units);
}

/** Byte size of a float buffer, rounded to 16 so every buffer starts aligned. */
function bufferBytes(floats: i32): usize {
  return ((<usize>floats << 2) + 15) & ~15;
}

/** Bytes of the scratch area `runSequence` needs (gates, next states, GRU buffers). */
export function sequenceScratchBytes(cell: i32, batch: i32, units: i32): usize {
  const state = bufferBytes(batch * units);
  let bytes = bufferBytes(batch * recurrentColumns(cell, units)) + 2 * state;
  if (cell == CELL_GRU_RESET_BEFORE) bytes += bufferBytes(batch * roundToPanel(units)) + state;
  return bytes;
}

/**
 * Runs `timesteps` steps for `batch` rows from the states in `h` (and `c`, LSTM), leaving the final
 * states there. `recurrent` holds the packed `U` (reset-before GRU: its z and r columns, and
 * `candidateRecurrent` its h columns); `recurrentBias` is GRU reset-after's `b₁` (0 = none).
 * `projected` is `(batch, timesteps, projectedStride)`; `mask` (0 = none) `(batch, timesteps)`.
 * `last` receives the output of the last step read, `sequence` (0 = not kept) every step's output.
 */
export function runSequence(
  cell: i32,
  activation: i32,
  recurrentActivation: i32,
  units: i32,
  recurrent: usize,
  candidateRecurrent: usize,
  recurrentBias: usize,
  batch: i32,
  timesteps: i32,
  projected: usize,
  h: usize,
  c: usize,
  mask: usize,
  maskedOutput: i32,
  flags: i32,
  last: usize,
  sequence: usize,
  scratch: usize,
): void {
  const rowBytes = (<usize>units) << 2;
  const stateBytes = bufferBytes(batch * units);
  const gateColumns = recurrentColumns(cell, units);
  const gates = scratch;
  let hNext = gates + bufferBytes(batch * gateColumns);
  let cNext = hNext + stateBytes;
  // Reset-before GRU only: (r·h₋) U_h and r·h₋.
  const candidate = cNext + stateBytes;
  const resetState = candidate + bufferBytes(batch * roundToPanel(units));
  const finalH = h;
  const finalC = c;
  const isLstm = cell == CELL_LSTM;
  const backwards = (flags & FLAG_GO_BACKWARDS) != 0;
  const timeOrder = (flags & FLAG_TIME_ORDER) != 0;
  const stride = projectedStride(cell, units);
  // Row b of step t is at projected + (b·timesteps + t)·stride floats.
  const projectedRowBytes = (<usize>timesteps * <usize>stride) << 2;
  const gateRowBytes = (<usize>gateColumns) << 2;
  memory.fill(last, 0, <usize>batch * rowBytes);

  for (let s = 0; s < timesteps; s++) {
    const t = backwards ? timesteps - 1 - s : s;
    const stepProjected = projected + ((<usize>t * <usize>stride) << 2);

    gemm(h, units, batch, units, recurrent, gateColumns / PANEL_WIDTH, recurrentBias, gates, gateColumns);
    if (cell == CELL_GRU_RESET_BEFORE) {
      for (let b = 0; b < batch; b++) {
        const row = <usize>b * rowBytes;
        gruResetGates(units, recurrentActivation, stepProjected + <usize>b * projectedRowBytes, gates + <usize>b * gateRowBytes, h + row, resetState + row);
      }
      const candidateColumns = roundToPanel(units);
      gemm(resetState, units, batch, units, candidateRecurrent, candidateColumns / PANEL_WIDTH, 0, candidate, candidateColumns);
      for (let b = 0; b < batch; b++) {
        const row = <usize>b * rowBytes;
        const candidateRow = candidate + ((<usize>b * <usize>candidateColumns) << 2);
        gruResetCandidate(units, activation, stepProjected + <usize>b * projectedRowBytes, gates + <usize>b * gateRowBytes, candidateRow, h + row, hNext + row);
      }
    } else {
      for (let b = 0; b < batch; b++) {
        const row = <usize>b * rowBytes;
        const p = stepProjected + <usize>b * projectedRowBytes;
        const g = gates + <usize>b * gateRowBytes;
        if (cell == CELL_LSTM) lstmRow(units, activation, recurrentActivation, p, g, c + row, hNext + row, cNext + row);
        else if (cell == CELL_GRU) gruRow(units, activation, recurrentActivation, p, g, h + row, hNext + row);
        else simpleRnnRow(units, activation, p, g, hNext + row);
      }
    }

    const slot = timeOrder ? t : s;
    for (let b = 0; b < batch; b++) {
      const row = <usize>b * rowBytes;
      const real = mask == 0 || load<f32>(mask + ((<usize>b * <usize>timesteps + <usize>t) << 2)) != 0;
      if (real) {
        memory.copy(last + row, hNext + row, rowBytes);
      } else {
        // Masked: this row's states do not change, so the step's update is undone.
        memory.copy(hNext + row, h + row, rowBytes);
        if (isLstm) memory.copy(cNext + row, c + row, rowBytes);
        if (maskedOutput == MASKED_STATE) memory.copy(last + row, h + row, rowBytes);
        else if (maskedOutput == MASKED_ZEROS) memory.fill(last + row, 0, rowBytes);
        // MASKED_PREVIOUS_OUTPUT: `last` already holds the previous output (zeros at first).
      }
      if (sequence != 0) memory.copy(sequence + ((<usize>b * <usize>timesteps + <usize>slot) * rowBytes), last + row, rowBytes);
    }
    const previousH = h;
    h = hNext;
    hNext = previousH;
    const previousC = c;
    c = cNext;
    cNext = previousC;
  }
  // After an odd number of steps the final states sit in the scratch buffers.
  if (h != finalH) {
    memory.copy(finalH, h, <usize>batch * rowBytes);
    if (isLstm) memory.copy(finalC, c, <usize>batch * rowBytes);
  }
}

// Gate math of one batch row. `p` is the row's projected input `x W + b`, `g` its recurrent
// product `h₋ U (+ b₁)`; gate k of unit j sits at float `k·u + j` of both. Each pass below runs over
// a few contiguous gate blocks that stay in L1.

/** `h = φ(x W + b + h₋ U)`. */
function simpleRnnRow(units: i32, activation: i32, p: usize, g: usize, hNext: usize): void {
  add(hNext, p, g, units);
  activate(activation, hNext, hNext, units);
}

/** Gates i, f, c, o: `c = σ(f)·c₋ + σ(i)·φ(ĉ)`, `h = σ(o)·φ(c)`. */
function lstmRow(units: i32, activation: i32, gateActivation: i32, p: usize, g: usize, c: usize, hNext: usize, cNext: usize): void {
  const block = (<usize>units) << 2;
  add(g, g, p, 4 * units);
  activate(gateActivation, g, g, 2 * units);
  activate(activation, g + 2 * block, g + 2 * block, units);
  activate(gateActivation, g + 3 * block, g + 3 * block, units);
  lstmCellState(cNext, g + block, c, g, g + 2 * block, units);
  activate(activation, hNext, cNext, units);
  multiply(hNext, hNext, g + 3 * block, units);
}

/** GRU, `reset_after: true`: `ĥ = φ(x W_h + b₀ + r·(h₋ U_h + b₁))`; `h = z·h₋ + (1−z)·ĥ`. */
function gruRow(units: i32, activation: i32, gateActivation: i32, p: usize, g: usize, h: usize, hNext: usize): void {
  const block = (<usize>units) << 2;
  add(g, g, p, 2 * units);
  activate(gateActivation, g, g, 2 * units);
  multiplyAdd(g + 2 * block, g + block, g + 2 * block, p + 2 * block, units);
  activate(activation, g + 2 * block, g + 2 * block, units);
  blend(hNext, g, h, g + 2 * block, units);
}

/**
 * GRU, `reset_after: false`, before the second product: z (left in place in `g`) and `r·h₋`
 * into `resetState`, the input of `(r·h₋) U_h`.
 */
function gruResetGates(units: i32, gateActivation: i32, p: usize, g: usize, h: usize, resetState: usize): void {
  add(g, g, p, 2 * units);
  activate(gateActivation, g, g, 2 * units);
  multiply(resetState, g + ((<usize>units) << 2), h, units);
}

/** GRU, `reset_after: false`, after it: `ĥ = φ(x W_h + b_h + (r·h₋) U_h)` from `hu = (r·h₋) U_h`, then the blend. */
function gruResetCandidate(units: i32, activation: i32, p: usize, g: usize, hu: usize, h: usize, hNext: usize): void {
  add(hu, hu, p + 2 * ((<usize>units) << 2), units);
  activate(activation, hu, hu, units);
  blend(hNext, g, h, hu, units);
}
