// STUB — to be implemented (core-config helper). Signatures are the contract.
import type { ModelSpec } from './spec.js';
import { ConfigError } from './errors.js';

/** A Keras `{class_name, config}` object as `get_config()` / `model.get_config()` / `to_json()` give it. */
export interface KerasConfig {
  readonly class_name: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly module?: string | null;
  readonly registered_name?: string | null;
  readonly build_config?: unknown;
}

export interface ParseOptions {
  /**
   * Keras major version that wrote the config (default 3). With 2, `hard_sigmoid` means
   * `0.2x + 0.5` and a GRU config without `reset_after` means `reset_after: false`.
   */
  readonly kerasVersion?: 2 | 3;
  /** Input features per step when the config does not record them (no build_config / batch_shape). */
  readonly inputFeatures?: number;
}

export function parseConfig(config: unknown, options: ParseOptions = {}): ModelSpec {
  void config;
  void options;
  throw new ConfigError('parseConfig: not implemented yet');
}
