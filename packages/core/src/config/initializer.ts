import type { InitializerSpec } from '../spec.js';
import { isObject, snakeCase, type ConfigReader } from './reader.js';

/** Older Keras spellings of built-in initializers. */
const INITIALIZER_ALIASES: Readonly<Record<string, string>> = {
  zero: 'zeros',
  one: 'ones',
  normal: 'random_normal',
  uniform: 'random_uniform',
  orthogonal_initializer: 'orthogonal',
  identity_initializer: 'identity',
};

/** `GlorotUniform` → `glorot_uniform`, `keras.initializers.Zeros` → `zeros`. */
export function initializerName(raw: string): string {
  const snake = snakeCase(raw.slice(raw.lastIndexOf('.') + 1));
  return Object.hasOwn(INITIALIZER_ALIASES, snake) ? INITIALIZER_ALIASES[snake] : snake;
}

/**
 * A serialized initializer: a name (`"glorot_uniform"`) or `{class_name, config}` (Keras 3 adds
 * `module` and `registered_name`). The name is normalised to snake_case; the config is kept as
 * written. Whether the name is one we can draw from is checked by `initializeWeights`, so a model
 * with a custom initializer still loads when its weights are given.
 */
export function readInitializer(reader: ConfigReader, key: string, fallback: InitializerSpec): InitializerSpec {
  const value = reader.raw(key);
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string' && value.length > 0) return { name: initializerName(value), config: {} };
  if (isObject(value) && typeof value.class_name === 'string') {
    const config = value.config ?? {};
    if (!isObject(config)) throw reader.error(key, 'an initializer config object', value);
    return { name: initializerName(value.class_name), config };
  }
  throw reader.error(key, 'an initializer name or {class_name, config}', value);
}

export const DEFAULT_INITIALIZERS = {
  kernel: { name: 'glorot_uniform', config: {} },
  recurrent: { name: 'orthogonal', config: {} },
  bias: { name: 'zeros', config: {} },
  embeddings: { name: 'random_uniform', config: {} },
} as const satisfies Readonly<Record<string, InitializerSpec>>;
