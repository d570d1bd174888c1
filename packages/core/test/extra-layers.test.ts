import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  batchNormalization,
  dense,
  flatten,
  globalAveragePooling1D,
  globalMaxPooling1D,
  gru,
  lstm,
  masking,
  modelFlops,
  parseConfig,
  repeatVector,
  sequential,
  timeDistributed,
  weightSlots,
  type KerasConfig,
} from '../src/index.js';

const withConfig = (layer: KerasConfig, extra: Record<string, unknown>): KerasConfig => ({ ...layer, config: { ...layer.config, ...extra } });

describe('RepeatVector, Flatten, global pooling and BatchNormalization configs', () => {
  it('parse into specs with Keras output shapes', () => {
    const autoencoder = parseConfig(
      sequential([lstm({ units: 4 }), repeatVector(5), lstm({ units: 3, returnSequences: true }), timeDistributed(dense({ units: 2 }))], { inputShape: [7, 6] }),
    );
    expect(autoencoder.layers.map((l) => l.kind)).toEqual(['rnn', 'repeat-vector', 'rnn', 'dense']);
    expect(autoencoder.outputs).toEqual([{ name: 'output', shape: [null, 5, 2] }]);

    const classifier = parseConfig(sequential([gru({ units: 3, returnSequences: true }), flatten(), dense({ units: 2 })], { inputShape: [4, 5] }));
    expect(classifier.layers[2]).toMatchObject({ kind: 'dense', inputDim: 12 });

    const pooled = parseConfig(sequential([masking(0), globalAveragePooling1D({ keepDims: true })], { inputShape: [null, 5] }));
    expect(pooled.layers[1]).toEqual({ kind: 'global-pooling', name: 'global_average_pooling1d', pooling: 'average', keepDims: true });
    expect(pooled.outputs[0].shape).toEqual([null, 1, 5]);
    const alias = parseConfig(sequential([{ class_name: 'GlobalMaxPool1D', config: { name: 'pool' } }], { inputShape: [3, 2] }));
    expect(alias.layers[0]).toMatchObject({ kind: 'global-pooling', pooling: 'max', keepDims: false });

    const normalised = parseConfig(sequential([lstm({ units: 4, returnSequences: true }), batchNormalization({ center: false })], { inputShape: [3, 2] }));
    expect(normalised.layers[1]).toMatchObject({ kind: 'batch-normalization', features: 4, epsilon: 1e-3, center: false, scale: true });
    expect(weightSlots(normalised).slice(3).map((s) => [s.name, s.shape])).toEqual([
      ['batch_normalization/gamma', [4]],
      ['batch_normalization/moving_mean', [4]],
      ['batch_normalization/moving_variance', [4]],
    ]);
  });

  it('accept tf.keras 2 spellings: a built BatchNormalization axis as a one-entry list, `fused`, `momentum`', () => {
    const layer = withConfig(batchNormalization(), { axis: [2], momentum: 0.99, fused: null });
    expect(parseConfig(sequential([layer], { inputShape: [3, 2] })).layers[0].kind).toBe('batch-normalization');
  });

  it('refuse what they cannot compute, naming the layer and field', () => {
    const parse = (layers: KerasConfig[], inputShape: (number | null)[]) => () => parseConfig(sequential(layers, { inputShape }));
    expect(parse([repeatVector(2)], [3, 2])).toThrow(/RepeatVector layer "repeat_vector" needs a \(batch, features\) input/);
    expect(parse([flatten()], [null, 2])).toThrow(/Flatten layer "flatten" needs every input dimension but the batch known/);
    expect(parse([globalMaxPooling1D()], [2])).toThrow(ConfigError);
    expect(parse([withConfig(batchNormalization(), { axis: 1 })], [3, 2])).toThrow(/field "axis" must be -1 or 2 \(the last axis\), got 1/);
    expect(parse([withConfig(globalAveragePooling1D(), { data_format: 'channels_first' })], [3, 2])).toThrow(/field "data_format"/);
    expect(parse([withConfig(batchNormalization(), { virtual_batch_size: 8 })], [3, 2])).toThrow(/ghost batch normalisation/);
    expect(parse([withConfig(flatten(), { mystery: 1 })], [3, 2])).toThrow(/unknown option "mystery"/);
  });

  it('count FLOPs per repeated step after RepeatVector and per row after pooling', () => {
    const spec = parseConfig(sequential([lstm({ units: 4 }), repeatVector(5), dense({ units: 2 })], { inputShape: [7, 6] }));
    // LSTM: 2·4·4·(6+4) per step for 7 steps; Dense: 2·2·4 per repeated step for 5 steps.
    expect(modelFlops(spec, 3, 7)).toBe(3 * (7 * 320 + 5 * 16));
    const pooled = parseConfig(sequential([lstm({ units: 4, returnSequences: true }), globalAveragePooling1D(), dense({ units: 2 })], { inputShape: [7, 6] }));
    expect(modelFlops(pooled, 1, 7)).toBe(7 * 320 + 16);
  });
});
