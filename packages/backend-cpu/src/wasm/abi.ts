import type { ElementwiseActivation, MaskedOutput, RecurrentLayerSpec } from '@rnn/core';

/**
 * The contract between the TypeScript side and the WebAssembly kernels in `assembly/`: the exported
 * functions and the numeric codes they take. The module exports the same codes as globals; a test
 * checks that both sides agree.
 */

/** Functions of the kernel module. Addresses are bytes in its memory; sizes and strides count floats. */
export interface KernelExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  /** `out[r, j] = bias[j] + Σ_k a[r, k]·W[k, j]` over `panels` packed panels (see `assembly/gemm.ts`). */
  gemm(a: number, aStride: number, rows: number, inner: number, packed: number, panels: number, bias: number, out: number, outStride: number): void;
  /** Floats per row of the projected input (and of the packed kernel's output): `G·u` rounded up to whole panels. */
  projectedStride(cell: number, units: number): number;
  sequenceScratchBytes(cell: number, batch: number, units: number): number;
  runSequence(
    cell: number,
    activation: number,
    recurrentActivation: number,
    units: number,
    recurrent: number,
    candidateRecurrent: number,
    recurrentBias: number,
    batch: number,
    timesteps: number,
    projected: number,
    h: number,
    c: number,
    mask: number,
    maskedOutput: number,
    flags: number,
    last: number,
    sequence: number,
    scratch: number,
  ): void;
  /** `out[i] = f(input[i])` for `count` floats, f the activation code; used by the accuracy tests. */
  activate(activation: number, out: number, input: number, count: number): void;
}

/** Columns per packed weight panel (`PANEL_WIDTH` in assembly/gemm.ts). */
export const PANEL_WIDTH = 8;

/** The activations the kernels evaluate; a layer using any other runs on the TypeScript kernels. */
export const WASM_ACTIVATIONS: Readonly<Partial<Record<ElementwiseActivation, number>>> = {
  linear: 0,
  tanh: 1,
  sigmoid: 2,
  hard_sigmoid: 3,
  hard_sigmoid_keras2: 4,
  relu: 5,
};

export const CELL_CODES = { SimpleRNN: 0, LSTM: 1, GRU: 2, GRUResetBefore: 3 } as const;

export function cellCode(spec: RecurrentLayerSpec): number {
  if (spec.cell === 'GRU' && !spec.resetAfter) return CELL_CODES.GRUResetBefore;
  return CELL_CODES[spec.cell];
}

export const MASKED_OUTPUT_CODES: Readonly<Record<MaskedOutput, number>> = { state: 0, zeros: 1, 'previous-output': 2 };

export const FLAG_GO_BACKWARDS = 1;
export const FLAG_TIME_ORDER = 2;

/** Export names of the module's constant globals, with the value this side assumes for each. */
export const ABI_CONSTANTS: Readonly<Record<string, number>> = {
  PANEL_WIDTH,
  ACTIVATION_LINEAR: WASM_ACTIVATIONS.linear!,
  ACTIVATION_TANH: WASM_ACTIVATIONS.tanh!,
  ACTIVATION_SIGMOID: WASM_ACTIVATIONS.sigmoid!,
  ACTIVATION_HARD_SIGMOID: WASM_ACTIVATIONS.hard_sigmoid!,
  ACTIVATION_HARD_SIGMOID_KERAS2: WASM_ACTIVATIONS.hard_sigmoid_keras2!,
  ACTIVATION_RELU: WASM_ACTIVATIONS.relu!,
  CELL_SIMPLE_RNN: CELL_CODES.SimpleRNN,
  CELL_LSTM: CELL_CODES.LSTM,
  CELL_GRU: CELL_CODES.GRU,
  CELL_GRU_RESET_BEFORE: CELL_CODES.GRUResetBefore,
  MASKED_STATE: MASKED_OUTPUT_CODES.state,
  MASKED_ZEROS: MASKED_OUTPUT_CODES.zeros,
  MASKED_PREVIOUS_OUTPUT: MASKED_OUTPUT_CODES['previous-output'],
  FLAG_GO_BACKWARDS,
  FLAG_TIME_ORDER,
};
