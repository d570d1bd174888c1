import { DisposedError, InputError, formatShape, type RecurrentLayerSpec, type RecurrentWeights } from '@rnn/core';
import type { RecurrentCompiler } from './layers.js';
import { packRecurrent } from './pack.js';
import { runSequence, type SequenceRunner } from './sequence.js';
import { KernelHeap } from './wasm/heap.js';
import { instantiateKernels, wasmKernelsUnavailable } from './wasm/module.js';
import { wasmRunsLayer, wasmSequenceRunner } from './wasm/recurrent.js';

/**
 * The `@rnn/backend-cpu/sequence` entry: one recurrent layer's whole time loop on this package's
 * kernels, for other backends that run the rest of a model themselves (@rnn/backend-tfjs wraps it
 * in a tfjs kernel). Importing it registers nothing.
 */

export type { SequenceOptions, SequenceResult, SequenceRunner } from './sequence.js';

/** Which kernels run a compiled sequence: WebAssembly SIMD or pure TypeScript. */
export type SequenceKernels = 'wasm' | 'js';

export interface RecurrentSequence {
  readonly kernels: SequenceKernels;
  /**
   * Runs the layer over a row-major `(batch, timesteps, inputDim)` input, with an optional
   * `(batch, timesteps)` mask (0 = masked step) and initial states (`null` = zeros), applying
   * Keras's mask rule and `go_backwards`. It only reads its arguments; the result's arrays are new
   * and the caller's (an LSTM's final `h` and `c` may share one buffer).
   */
  readonly run: SequenceRunner;
  /** Releases the kernel instance and its memory (the packed weights); `run` then throws `DisposedError`. */
  dispose(): void;
}

export const typescriptRecurrent: RecurrentCompiler = (spec, weights) => {
  const cell = packRecurrent(spec, weights);
  return (input, batch, timesteps, mask, initialStates, options) => runSequence(cell, input, batch, timesteps, mask, initialStates, options);
};

/** Recurrent layers on the kernel instance behind `heap`; layers with activations the kernels lack stay on TypeScript. */
export function wasmRecurrent(heap: KernelHeap): RecurrentCompiler {
  return (spec, weights) => (wasmRunsLayer(spec) ? wasmSequenceRunner(heap, spec, weights) : typescriptRecurrent(spec, weights));
}

/**
 * Compiles one direction of a recurrent layer: on a WebAssembly kernel instance of its own where
 * the runtime supports WebAssembly SIMD and the kernels have the layer's activations, else on the
 * TypeScript kernels (`kernels` says which). Weights are checked and packed once, here.
 */
export async function compileRecurrentSequence(spec: RecurrentLayerSpec, weights: RecurrentWeights): Promise<RecurrentSequence> {
  const wasm = wasmKernelsUnavailable() === null && wasmRunsLayer(spec);
  let runner: SequenceRunner | null = wasm ? wasmSequenceRunner(new KernelHeap(await instantiateKernels()), spec, weights) : typescriptRecurrent(spec, weights);
  return {
    kernels: wasm ? 'wasm' : 'js',
    run: (input, batch, timesteps, mask, initialStates, options) => {
      if (runner === null) throw new DisposedError(`the compiled sequence of "${spec.name}"`);
      checkSequenceInput(spec, input, batch, timesteps, mask);
      return runner(input, batch, timesteps, mask, initialStates, options);
    },
    dispose: () => {
      // The runner holds the kernel instance; dropping it frees the instance's memory.
      runner = null;
    },
  };
}

/** The runners trust their array lengths (the WebAssembly kernels would read past them), so callers from outside are checked. */
function checkSequenceInput(spec: RecurrentLayerSpec, input: Float32Array, batch: number, timesteps: number, mask: Float32Array | null): void {
  const expected = [batch, timesteps, spec.inputDim];
  if (input.length !== batch * timesteps * spec.inputDim) {
    throw new InputError(`${spec.name}: expects input ${formatShape(expected)} (${batch * timesteps * spec.inputDim} values), got ${input.length} values`, {
      layer: spec.name,
      field: 'input',
      expected,
      actual: input.length,
    });
  }
  if (mask !== null && mask.length !== batch * timesteps) {
    throw new InputError(`${spec.name}: expects mask ${formatShape([batch, timesteps])}, got ${mask.length} values`, {
      layer: spec.name,
      field: 'mask',
      expected: [batch, timesteps],
      actual: mask.length,
    });
  }
}
