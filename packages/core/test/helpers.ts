import type { KerasConfig } from '../src/config.js';

/** A Keras 3 style recurrent layer config (the keys `get_config()` writes), with overrides. */
export function recurrent(
  className: 'SimpleRNN' | 'GRU' | 'LSTM',
  config: Record<string, unknown>,
  buildShape?: (number | null)[],
): KerasConfig {
  const defaults: Record<string, unknown> = {
    name: className === 'SimpleRNN' ? 'simple_rnn' : className.toLowerCase(),
    trainable: true,
    dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null },
    return_sequences: false,
    return_state: false,
    go_backwards: false,
    stateful: false,
    unroll: false,
    zero_output_for_mask: false,
    activation: 'tanh',
    use_bias: true,
    kernel_initializer: { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null }, registered_name: null },
    recurrent_initializer: { module: 'keras.initializers', class_name: 'Orthogonal', config: { seed: null, gain: 1.0 }, registered_name: null },
    bias_initializer: { module: 'keras.initializers', class_name: 'Zeros', config: {}, registered_name: null },
    dropout: 0.0,
    recurrent_dropout: 0.0,
    ...(className === 'SimpleRNN' ? {} : { recurrent_activation: 'sigmoid', seed: null }),
    ...(className === 'GRU' ? { reset_after: true } : {}),
    ...(className === 'LSTM' ? { unit_forget_bias: true } : {}),
  };
  return {
    module: 'keras.layers',
    class_name: className,
    config: { ...defaults, ...config },
    registered_name: null,
    ...(buildShape ? { build_config: { input_shape: buildShape } } : {}),
  };
}

export function layer(className: string, config: Record<string, unknown>): KerasConfig {
  return { module: 'keras.layers', class_name: className, config, registered_name: null };
}

export function dense(units: number, config: Record<string, unknown> = {}): KerasConfig {
  return layer('Dense', { name: 'dense', units, activation: 'linear', use_bias: true, ...config });
}

export function inputLayer(batchShape: (number | null)[]): KerasConfig {
  return layer('InputLayer', { batch_shape: batchShape, dtype: 'float32', sparse: false, name: 'input_layer' });
}

export function sequential(layers: KerasConfig[], name = 'sequential'): KerasConfig {
  return { class_name: 'Sequential', config: { name, trainable: true, layers } };
}

export function bidirectional(inner: KerasConfig, config: Record<string, unknown> = {}): KerasConfig {
  return layer('Bidirectional', { name: 'bidirectional', merge_mode: 'concat', layer: inner, ...config });
}

/** Runs `fn` and returns the error it throws (fails the test when it does not throw). */
export function thrown(fn: () => unknown): Error & { code?: string; layer?: string; field?: string; expected?: unknown; actual?: unknown } {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}
