import type { Comparison } from '@rnn/conformance';
import { compareOutputs } from '@rnn/conformance';
import type { NamedTensor, RunOptions, Tensor } from '@rnn/core';
import { createModel } from '@rnn/core';
import type { KerasExample, ModelSource } from './sources.js';

/** Timed calls after the first (the first call also compiles shaders, uploads weights, ...). */
export const TIMED_RUNS = 5;

export type BackendRun =
  | {
      readonly backend: string;
      readonly ok: true;
      readonly outputs: readonly NamedTensor[];
      /** `createModel`: parsing, weights, backend compile. */
      readonly compileMs: number;
      readonly firstRunMs: number;
      /** Median of `TIMED_RUNS` further calls. */
      readonly runMs: number;
    }
  | { readonly backend: string; readonly ok: false; readonly error: string };

/** Compiles the model on one backend, runs it once for the outputs, then `TIMED_RUNS` times for timing. */
export async function runOnBackend(source: ModelSource, backend: string, input: Tensor, options: RunOptions): Promise<BackendRun> {
  try {
    let start = performance.now();
    const model = await createModel(source.config, { backend, weights: source.weights, kerasVersion: source.kerasVersion });
    const compileMs = performance.now() - start;
    try {
      start = performance.now();
      const outputs = await model.run(input, options);
      const firstRunMs = performance.now() - start;
      const times: number[] = [];
      for (let i = 0; i < TIMED_RUNS; i++) {
        start = performance.now();
        await model.run(input, options);
        times.push(performance.now() - start);
      }
      return { backend, ok: true, outputs, compileMs, firstRunMs, runMs: median(times) };
    } finally {
      await model.dispose();
    }
  } catch (error) {
    return { backend, ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/** The outputs against what Keras returned for the same call (the conformance rule, 1e-5). */
export function compareToKeras(outputs: readonly NamedTensor[], example: KerasExample): Comparison {
  return compareOutputs(
    outputs,
    example.expected.map((e) => ({ name: e.name, shape: e.shape, data: Float32Array.from(e.data) })),
  );
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
