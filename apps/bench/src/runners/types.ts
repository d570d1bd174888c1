import type { Problem, ProblemData } from '../problem.js';

/** One runner set up for one problem: identical weights and input, ready to be timed. */
export interface RunnerSession {
  /** What really runs, e.g. `onnx:cpu` (for `auto`, the backend it resolved to). */
  readonly backend: string;
  /**
   * The output compared with the reference, `(B, T, H)` row-major. A streaming problem starts a
   * fresh stream from zero state, feeds the `STREAM_CHECK_STEPS` steps of the input one call each, and
   * returns the step outputs as `(B, STREAM_CHECK_STEPS, H)`.
   */
  check(): Promise<Float32Array>;
  /** One timed call: input from a Float32Array in, output read back into JS memory. Streaming: one step, state carried. */
  call(): Promise<void>;
  dispose(): Promise<void>;
}

export interface Runner {
  create(problem: Problem, data: ProblemData): Promise<RunnerSession>;
}

export interface RunnerDefinition {
  readonly name: string;
  /** `rnn`: a backend of this project through the public API; `peer`: what a user would pick instead. */
  readonly kind: 'rnn' | 'peer';
  readonly description: string;
  /** The GRU variant it runs: Keras 3's default `reset_after=true`, except tf.layers which only has `false`. */
  readonly gruResetAfter: boolean;
  /** Imports and initialises the engine; throws when it is not installed or not usable here. */
  load(): Promise<Runner>;
}

/** Collects streamed step outputs `(B, H)` into `(B, steps, H)`. */
export function interleaveSteps(stepOutputs: readonly Float32Array[], batch: number, units: number): Float32Array {
  const steps = stepOutputs.length;
  const out = new Float32Array(batch * steps * units);
  stepOutputs.forEach((step, k) => {
    for (let b = 0; b < batch; b++) out.set(step.subarray(b * units, (b + 1) * units), (b * steps + k) * units);
  });
  return out;
}
