import { matmulPacked } from './kernels.js';
import type { PackedRecurrent } from './pack.js';

/**
 * One time step of each cell type, for every batch row at once: the recurrent matmul
 * `h₋ U` followed by the fused gate math. The input projection `x W + b` of every step was
 * computed before the loop, so a step reads its slice of `projected` and allocates nothing.
 * Equations and gate order follow Keras (see the goldens README).
 */

/** Buffers of one sequence run, allocated once per run and reused by every step. */
export interface StepBuffers {
  readonly batch: number;
  readonly timesteps: number;
  /** `x W + inputBias` for every step: row-major `(batch, timesteps, G·u)`. */
  readonly projected: Float32Array;
  /** `h₋ U (+ recurrentBias)` of the current step: `(batch, G·u)`. */
  readonly recurrent: Float32Array;
  /** GRU with `reset_after: false`: `r · h₋`, `(batch, u)`; empty otherwise. */
  readonly resetState: Float32Array;
  /** States before the step (`c` is empty unless LSTM); `(batch, u)`. */
  h: Float32Array;
  c: Float32Array;
  /** States after the step; swapped with `h`/`c` by the sequence loop. */
  hNext: Float32Array;
  cNext: Float32Array;
}

/** Computes `hNext` (and `cNext`) from `h` (and `c`) and the projected input of input step `t`. */
export type CellStep = (cell: PackedRecurrent, buffers: StepBuffers, t: number) => void;

function recurrentProjection(cell: PackedRecurrent, buffers: StepBuffers, colStart: number, colEnd: number, bias: Float32Array | null): void {
  matmulPacked(buffers.h, buffers.batch, cell.spec.units, cell.recurrentKernel, colStart, colEnd, bias, buffers.recurrent, cell.width);
}

/** `h = φ(x W + b + h₋ U)`. */
export function simpleRnnStep(cell: PackedRecurrent, buffers: StepBuffers, t: number): void {
  const units = cell.spec.units;
  const act = cell.activation;
  const { projected, recurrent, hNext } = buffers;
  recurrentProjection(cell, buffers, 0, units, null);
  for (let b = 0; b < buffers.batch; b++) {
    const x = (b * buffers.timesteps + t) * units;
    const row = b * units;
    for (let j = 0; j < units; j++) hNext[row + j] = act(projected[x + j] + recurrent[row + j]);
  }
}

/** Gates i, f, c, o: `c = σ(f)·c₋ + σ(i)·φ(g)`, `h = σ(o)·φ(c)`. */
export function lstmStep(cell: PackedRecurrent, buffers: StepBuffers, t: number): void {
  const units = cell.spec.units;
  const width = cell.width;
  const act = cell.activation;
  const gate = cell.recurrentActivation;
  const { projected, recurrent, c, hNext, cNext } = buffers;
  recurrentProjection(cell, buffers, 0, width, null);
  for (let b = 0; b < buffers.batch; b++) {
    const x = (b * buffers.timesteps + t) * width;
    const r = b * width;
    const row = b * units;
    for (let j = 0; j < units; j++) {
      const input = gate(projected[x + j] + recurrent[r + j]);
      const forget = gate(projected[x + units + j] + recurrent[r + units + j]);
      const candidate = act(projected[x + 2 * units + j] + recurrent[r + 2 * units + j]);
      const output = gate(projected[x + 3 * units + j] + recurrent[r + 3 * units + j]);
      cNext[row + j] = forget * c[row + j] + input * candidate;
      hNext[row + j] = output * act(cNext[row + j]);
    }
  }
}

/** GRU, `reset_after: true`: `ĥ = φ(x W_h + b₀ + r·(h₋ U_h + b₁))`; `h = z·h₋ + (1−z)·ĥ`. */
export function gruResetAfterStep(cell: PackedRecurrent, buffers: StepBuffers, t: number): void {
  const units = cell.spec.units;
  const width = cell.width;
  const act = cell.activation;
  const gate = cell.recurrentActivation;
  const { projected, recurrent, h, hNext } = buffers;
  recurrentProjection(cell, buffers, 0, width, cell.recurrentBias);
  for (let b = 0; b < buffers.batch; b++) {
    const x = (b * buffers.timesteps + t) * width;
    const r = b * width;
    const row = b * units;
    for (let j = 0; j < units; j++) {
      const update = gate(projected[x + j] + recurrent[r + j]);
      const reset = gate(projected[x + units + j] + recurrent[r + units + j]);
      const candidate = act(projected[x + 2 * units + j] + reset * recurrent[r + 2 * units + j]);
      hNext[row + j] = update * h[row + j] + (1 - update) * candidate;
    }
  }
}

/** GRU, `reset_after: false`: `ĥ = φ(x W_h + b_h + (r·h₋) U_h)`, so `U_h` needs a second matmul. */
export function gruResetBeforeStep(cell: PackedRecurrent, buffers: StepBuffers, t: number): void {
  const units = cell.spec.units;
  const width = cell.width;
  const act = cell.activation;
  const gate = cell.recurrentActivation;
  const { batch, projected, recurrent, resetState, h, hNext } = buffers;
  recurrentProjection(cell, buffers, 0, 2 * units, null);
  for (let b = 0; b < batch; b++) {
    const x = (b * buffers.timesteps + t) * width;
    const r = b * width;
    const row = b * units;
    for (let j = 0; j < units; j++) {
      // The update gate overwrites its own pre-activation slot; the second pass reads it back.
      recurrent[r + j] = gate(projected[x + j] + recurrent[r + j]);
      const reset = gate(projected[x + units + j] + recurrent[r + units + j]);
      resetState[row + j] = reset * h[row + j];
    }
  }
  matmulPacked(resetState, batch, units, cell.recurrentKernel, 2 * units, width, null, recurrent, width);
  for (let b = 0; b < batch; b++) {
    const x = (b * buffers.timesteps + t) * width;
    const r = b * width;
    const row = b * units;
    for (let j = 0; j < units; j++) {
      const update = recurrent[r + j];
      const candidate = act(projected[x + 2 * units + j] + recurrent[r + 2 * units + j]);
      hNext[row + j] = update * h[row + j] + (1 - update) * candidate;
    }
  }
}

export function cellStepFor(cell: PackedRecurrent): CellStep {
  switch (cell.spec.cell) {
    case 'SimpleRNN':
      return simpleRnnStep;
    case 'LSTM':
      return lstmStep;
    case 'GRU':
      return cell.spec.resetAfter ? gruResetAfterStep : gruResetBeforeStep;
  }
}
