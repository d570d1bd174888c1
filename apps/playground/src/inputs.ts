import type { ModelSpec, Tensor } from '@rnn/core';
import { InputError, SeededRandom, tensor, toTensor } from '@rnn/core';

export interface RandomInputOptions {
  readonly batch: number;
  readonly timesteps: number;
  readonly seed: number;
}

/**
 * A random `(batch, timesteps, features)` input, N(0, 1) like the goldens' inputs; token ids in
 * `[0, vocabulary)` for a model that starts with an Embedding.
 */
export function randomInput(spec: ModelSpec, options: RandomInputOptions): Tensor {
  const random = new SeededRandom(options.seed);
  const first = spec.layers[0];
  if (spec.input.tokenIds && first.kind === 'embedding') {
    const ids = Array.from({ length: options.batch * options.timesteps }, () => Math.floor(random.uniform() * first.vocabulary));
    return tensor(ids, [options.batch, options.timesteps]);
  }
  const features = spec.input.features;
  if (features === null) throw new InputError('the model does not say how many features a step has; paste an input instead');
  const values = Array.from({ length: options.batch * options.timesteps * features }, () => random.normal());
  return tensor(values, [options.batch, options.timesteps, features]);
}

/** Pasted JSON: nested arrays `[batch][timesteps][features]`, or `{"shape": [...], "data": [...]}` row-major. */
export function parseInput(text: string): Tensor {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`the input is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (Array.isArray(value)) return tensor(value as number[][][]);
  return toTensor(value as Tensor, 'input');
}
