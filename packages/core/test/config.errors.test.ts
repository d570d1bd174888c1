import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { bidirectional, dense, inputLayer, layer, recurrent, sequential, thrown } from './helpers.js';

const lstm = (config: Record<string, unknown> = {}) => recurrent('LSTM', { units: 3, ...config }, [null, 4, 5]);

function configError(fn: () => unknown): ConfigError {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('layer options', () => {
  it('refuses an unknown layer class, naming it and the layer', () => {
    const error = configError(() => parseConfig(sequential([inputLayer([null, 4, 5]), layer('UnitNormalization', { name: 'norm' })])));
    expect(error).toMatchObject({ layer: 'norm', field: 'class_name', actual: 'UnitNormalization' });
    expect(error.message).toMatch(/"norm".*"UnitNormalization".*not supported/);
  });

  it('refuses an unknown option of a recurrent layer: it could change results', () => {
    const error = configError(() => parseConfig(lstm({ peephole: true })));
    expect(error).toMatchObject({ layer: 'lstm', field: 'peephole', actual: true });
    expect(error.message).toContain('unknown option "peephole"');
  });

  it('refuses options of another cell type (reset_after on an LSTM)', () => {
    expect(configError(() => parseConfig(lstm({ reset_after: true }))).field).toBe('reset_after');
  });

  it('accepts harmless keys: regularizers, constraints, dropout, seed, implementation, use_cudnn', () => {
    const spec = parseConfig(
      lstm({ kernel_regularizer: { class_name: 'L2', config: { l2: 0.01 } }, dropout: 0.3, recurrent_dropout: 0.2, implementation: 2, use_cudnn: 'auto', seed: 7 }),
    );
    expect(spec.layers[0]).toMatchObject({ kind: 'rnn', units: 3 });
  });

  it.each([
    [0, 'a positive integer'],
    [2.5, 'a positive integer'],
    ['4', 'a positive integer'],
    [undefined, 'a positive integer'],
  ])('refuses units %j', (units, expected) => {
    const error = configError(() => parseConfig(lstm({ units })));
    expect(error).toMatchObject({ layer: 'lstm', field: 'units', expected });
    expect(error.message).toContain('field "units" must be a positive integer, got');
  });

  it('refuses a boolean option of the wrong type', () => {
    const error = configError(() => parseConfig(lstm({ return_sequences: 'yes' })));
    expect(error).toMatchObject({ field: 'return_sequences', actual: 'yes' });
    expect(error.message).toContain('must be true or false, got "yes"');
  });

  it('refuses an unknown activation, naming the layer and field', () => {
    const error = configError(() => parseConfig(lstm({ recurrent_activation: 'swishy' })));
    expect(error).toMatchObject({ layer: 'lstm', field: 'recurrent_activation', actual: 'swishy' });
    expect(error.message).toMatch(/"lstm".*"recurrent_activation".*"swishy"/);
  });

  it('refuses softmax inside a cell and activations from other modules', () => {
    expect(configError(() => parseConfig(lstm({ activation: 'softmax' }))).field).toBe('activation');
    expect(configError(() => parseConfig(lstm({ activation: 'mypkg.tanh' }))).field).toBe('activation');
  });

  it('accepts the serialized activation forms Keras writes', () => {
    const act = (activation: unknown) => (parseConfig(lstm({ activation })).layers[0] as { activation: string }).activation;
    expect(act('keras.activations.relu')).toBe('relu');
    expect(act({ module: 'keras.activations', class_name: 'function', config: 'elu', registered_name: 'function' })).toBe('elu');
    expect(act({ class_name: 'gelu', config: { approximate: true } })).toBe('gelu_approximate');
    expect(act('gelu')).toBe('gelu');
    expect(act('swish')).toBe('silu');
    expect(act(null)).toBe('linear');
  });

  it('refuses time_major true', () => {
    const error = configError(() => parseConfig(lstm({ time_major: true })));
    expect(error).toMatchObject({ layer: 'lstm', field: 'time_major', actual: true });
  });

  it('refuses a quantized Dense', () => {
    const error = configError(() => parseConfig(sequential([inputLayer([null, 4, 5]), lstm(), dense(2, { quantization_config: { mode: 'int8' } })])));
    expect(error).toMatchObject({ layer: 'dense', field: 'quantization_config' });
  });

  it('refuses a malformed initializer', () => {
    expect(configError(() => parseConfig(lstm({ kernel_initializer: 3 }))).field).toBe('kernel_initializer');
  });
});

describe('Bidirectional', () => {
  const gru = (config: Record<string, unknown> = {}) => recurrent('GRU', { units: 3, ...config }, [null, 4, 5]);

  it('refuses an invalid merge_mode', () => {
    expect(configError(() => parseConfig(bidirectional(gru(), { merge_mode: 'max' }))).field).toBe('merge_mode');
  });

  it('requires the backward layer to read backwards', () => {
    const error = configError(() => parseConfig(bidirectional(gru({ name: 'forward_gru' }), { backward_layer: gru({ name: 'back' }) })));
    expect(error).toMatchObject({ layer: 'bidirectional', field: 'backward_layer.go_backwards' });
  });

  it('requires matching return_sequences on both halves', () => {
    const backward = gru({ name: 'back', go_backwards: true, return_sequences: true });
    expect(configError(() => parseConfig(bidirectional(gru(), { backward_layer: backward }))).field).toBe('backward_layer.return_sequences');
  });

  it('needs equal units to sum two directions', () => {
    const backward = gru({ name: 'back', go_backwards: true, units: 2 });
    expect(configError(() => parseConfig(bidirectional(gru(), { backward_layer: backward, merge_mode: 'sum' }))).field).toBe('backward_layer.units');
  });

  it('wraps only recurrent layers', () => {
    expect(configError(() => parseConfig(bidirectional(dense(3)))).field).toBe('layer');
  });

  it('forces zero_output_for_mask = return_sequences on both halves', () => {
    const spec = parseConfig(bidirectional(gru({ return_sequences: true, zero_output_for_mask: false })));
    const bi = spec.layers[0] as { forward: { maskedOutput: string }; backward: { maskedOutput: string; goBackwards: boolean } };
    expect(bi.forward.maskedOutput).toBe('zeros');
    expect(bi.backward).toMatchObject({ maskedOutput: 'zeros', goBackwards: true });
  });
});

describe('chains', () => {
  it('refuses return_state in the middle of a chain', () => {
    const error = configError(() =>
      parseConfig(sequential([inputLayer([null, 4, 5]), lstm({ return_sequences: true, return_state: true }), dense(2)])),
    );
    expect(error).toMatchObject({ layer: 'lstm', field: 'return_state' });
  });

  it('refuses a rank-2 output fed into a recurrent layer', () => {
    const error = configError(() => parseConfig(sequential([inputLayer([null, 4, 5]), lstm(), recurrent('GRU', { units: 2 })])));
    expect(error).toMatchObject({ layer: 'gru', field: 'input_shape' });
    expect(error.message).toContain('(None, 3)');
  });

  it('refuses merge_mode null in the middle of a chain', () => {
    const bi = bidirectional(recurrent('GRU', { units: 2, return_sequences: true }), { merge_mode: null });
    expect(configError(() => parseConfig(sequential([inputLayer([null, 4, 5]), bi, dense(1)]))).field).toBe('merge_mode');
  });

  it('refuses an Embedding that is not first', () => {
    const embedding = layer('Embedding', { name: 'embedding', input_dim: 10, output_dim: 3 });
    expect(configError(() => parseConfig(sequential([inputLayer([null, 4, 5]), lstm(), embedding]))).layer).toBe('embedding');
  });

  it('refuses a build_config that disagrees with the layer before', () => {
    const error = configError(() => parseConfig(sequential([inputLayer([null, 4, 5]), lstm(), dense(2, { name: 'd' })].map((l, i) => (i === 2 ? { ...l, build_config: { input_shape: [null, 7] } } : l)))));
    expect(error).toMatchObject({ layer: 'd', field: 'build_config.input_shape', expected: 3, actual: 7 });
  });

  it('says "input features unknown" when nothing records them', () => {
    const error = configError(() => parseConfig({ class_name: 'LSTM', config: { units: 3 } }));
    expect(error).toMatchObject({ layer: 'lstm', field: 'input_shape' });
    expect(error.message).toContain('input features unknown');
    expect(parseConfig({ class_name: 'LSTM', config: { units: 3 } }, { inputFeatures: 2 }).input.features).toBe(2);
  });

  it('refuses inputFeatures that contradict the config', () => {
    const error = configError(() => parseConfig(lstm(), { inputFeatures: 9 }));
    expect(error).toMatchObject({ field: 'input_shape', expected: 5, actual: 9 });
  });

  it('refuses a chain with nothing to compute', () => {
    expect(() => parseConfig(sequential([inputLayer([null, 4, 5]), layer('Dropout', { rate: 0.1 })]))).toThrow(ConfigError);
  });

  it('refuses what is not a Keras config', () => {
    expect(configError(() => parseConfig({ units: 3 })).field).toBe('class_name');
    expect(configError(() => parseConfig('{not json')).field).toBe('config');
  });
});

describe('functional models', () => {
  const tensor = (from: string) => ({ class_name: '__keras_tensor__', config: { shape: [null, 4, 5], dtype: 'float32', keras_history: [from, 0, 0] } });
  const node = (...from: string[]) => [{ args: from.length === 1 ? [tensor(from[0])] : [from.map(tensor)], kwargs: {} }];
  const functional = (layers: unknown[], output = 'dense') => ({
    class_name: 'Functional',
    config: { name: 'model', trainable: true, layers, input_layers: [['input', 0, 0]], output_layers: [[output, 0, 0]] },
  });
  const input = { ...inputLayer([null, 4, 5]), name: 'input', inbound_nodes: [] };

  it('accepts a single chain in any listing order', () => {
    const spec = parseConfig(
      functional([
        { ...dense(2), name: 'dense', inbound_nodes: node('lstm') },
        input,
        { ...lstm(), name: 'lstm', inbound_nodes: node('input') },
      ]),
    );
    expect(spec.layers.map((l) => l.name)).toEqual(['lstm', 'dense']);
    expect(spec.outputs).toEqual([{ name: 'output', shape: [null, 2] }]);
  });

  it('refuses a branch and a merge, naming what is unsupported', () => {
    const error = configError(() =>
      parseConfig(
        functional(
          [
            input,
            { ...lstm(), name: 'lstm', inbound_nodes: node('input') },
            { ...recurrent('GRU', { units: 3 }), name: 'gru', inbound_nodes: node('input') },
            { ...layer('Add', { name: 'add' }), name: 'add', inbound_nodes: node('lstm', 'gru') },
          ],
          'add',
        ),
      ),
    );
    expect(error.message).toMatch(/layer "add" takes 2 input tensors.*single chain/);
    expect(error.layer).toBe('model');
  });

  it('refuses layers off the chain', () => {
    const error = configError(() =>
      parseConfig(
        functional([
          input,
          { ...lstm(), name: 'lstm', inbound_nodes: node('input') },
          { ...dense(2), name: 'dense', inbound_nodes: node('lstm') },
          { ...dense(2, { name: 'side' }), name: 'side', inbound_nodes: node('lstm') },
        ]),
      ),
    );
    expect(error.message).toContain('"side" are not on the input-to-output chain');
  });

  it('refuses a layer called with an initial state', () => {
    const error = configError(() =>
      parseConfig(
        functional([
          input,
          { ...lstm(), name: 'lstm', inbound_nodes: [{ args: [tensor('input')], kwargs: { initial_state: [tensor('input')] } }] },
          { ...dense(2), name: 'dense', inbound_nodes: node('lstm') },
        ]),
      ),
    );
    expect(error.message).toContain('initial_state');
  });
});
