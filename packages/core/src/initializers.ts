// STUB — to be implemented (core-config helper). Signatures are the contract.
import type { ModelSpec, ModelWeights } from './spec.js';
import { ConfigError } from './errors.js';

/** Fresh weights for every layer from its initializers, deterministic for a given seed. */
export function initializeWeights(spec: ModelSpec, seed?: number): ModelWeights {
  void spec;
  void seed;
  throw new ConfigError('initializeWeights: not implemented yet');
}
