// STUB — to be implemented (core-config helper). Signatures are the contract.
import type { ModelSpec, ModelWeights, WeightSlot } from './spec.js';
import type { Tensor, TensorLike } from './tensor.js';
import { WeightError } from './errors.js';

/** The `get_weights()` entries a spec expects, in Keras order. */
export function weightSlots(spec: ModelSpec): WeightSlot[] {
  void spec;
  throw new WeightError('weightSlots: not implemented yet');
}

/** Checks a flat `get_weights()`-order list against the spec and groups it per layer. */
export function structureWeights(spec: ModelSpec, weights: readonly TensorLike[]): ModelWeights {
  void spec;
  void weights;
  throw new WeightError('structureWeights: not implemented yet');
}

/** The inverse of `structureWeights`: a flat list in `get_weights()` order. */
export function flattenWeights(spec: ModelSpec, weights: ModelWeights): Tensor[] {
  void spec;
  void weights;
  throw new WeightError('flattenWeights: not implemented yet');
}
