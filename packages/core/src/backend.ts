import type { ModelSpec, ModelWeights } from './spec.js';
import type { Tensor } from './tensor.js';

/**
 * What a backend provides: a name, an availability check and `compile`. Everything Keras-specific
 * (parsing, defaults, weight order and shape checks, input validation, stateful bookkeeping,
 * streams) happens in core; a backend turns a validated spec + weights into something that runs.
 *
 * Backends are stateless between calls: recurrent states go in through `initialStates` and come
 * back as `finalStates`, so core owns `stateful` layers and streaming sessions for all of them.
 */
export interface Backend {
  /** Conformance name: `cpu`, `tfjs:wasm`, `onnx:cpu`, ... */
  readonly name: string;
  /** Whether this backend can run on this machine now; never throws. */
  available(): Promise<Availability>;
  /** Whether this backend can run this spec; checked before `compile`. Omitted = everything. */
  supports?(spec: ModelSpec): Availability;
  /** Builds a runnable model. Throws `BackendError`/`UnsupportedError`, never falls back silently. */
  compile(spec: ModelSpec, weights: ModelWeights, options?: CompileOptions): Promise<CompiledModel>;
}

export type Availability = { readonly ok: true; readonly detail?: string } | { readonly ok: false; readonly reason: string };

export interface CompileOptions {
  /** Free-form, backend-specific options (e.g. thread counts), passed through from the user. */
  readonly [key: string]: unknown;
}

/**
 * One call, already validated by core: input rank and sizes, mask values, state shapes, token ids.
 * Layer i's states are `initialStates[i]` (`null` = zeros, and always `null` for layers without state).
 */
export interface RunRequest {
  /** `(batch, timesteps, features)`, or `(batch, timesteps)` token ids for an embedding model. */
  readonly input: Tensor;
  /** `(batch, timesteps)` of 0/1, or `null`. See `ModelSpec` for how masks flow. */
  readonly mask: Tensor | null;
  readonly initialStates: readonly (readonly Tensor[] | null)[];
  /**
   * Whether the caller reads `finalStates` (default true). Core passes `false` for calls whose
   * states it drops (`model.run` of a model without stateful layers), so a backend may skip
   * producing them and return `null` for every layer; a backend may also ignore this.
   */
  readonly returnStates?: boolean;
}

export interface RunResult {
  /** In `ModelSpec.outputs` order. */
  readonly outputs: readonly Tensor[];
  /** Per layer, the states after the call (Keras order), `null` for layers without state. */
  readonly finalStates: readonly (readonly Tensor[] | null)[];
}

export interface CompiledModel {
  /** The backend (and, where it matters, the provider) that really runs this model. */
  readonly backend: string;
  run(request: RunRequest): Promise<RunResult>;
  /** Releases sessions, device memory and tensors. */
  dispose(): void | Promise<void>;
}
