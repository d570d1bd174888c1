import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  InputError,
  createModel,
  registerBackend,
  unregisterBackend,
  averagePooling1D,
  conv1D,
  convolutionWindow,
  maxPooling1D,
  batchNormalization,
  dense,
  flatten,
  globalAveragePooling1D,
  globalMaxPooling1D,
  gru,
  layerNormalization,
  lstm,
  masking,
  modelFlops,
  parametricActivation,
  parseConfig,
  repeatVector,
  sequential,
  timeDistributed,
  weightSlots,
  type KerasConfig,
} from '../src/index.js';
import { counterBackend } from './fake-backend.js';

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

describe('Conv1D and 1-D pooling', () => {
  it('place windows by the TensorFlow rule every backend uses', () => {
    expect(convolutionWindow(5, 3, 1, 1, 'valid')).toEqual({ outSteps: 3, padBefore: 0, padAfter: 0 });
    expect(convolutionWindow(5, 3, 1, 1, 'same')).toEqual({ outSteps: 5, padBefore: 1, padAfter: 1 });
    // Even kernels and strides put the odd padded step after the input.
    expect(convolutionWindow(5, 2, 2, 1, 'same')).toEqual({ outSteps: 3, padBefore: 0, padAfter: 1 });
    expect(convolutionWindow(6, 4, 1, 1, 'same')).toEqual({ outSteps: 6, padBefore: 1, padAfter: 2 });
    expect(convolutionWindow(5, 3, 1, 2, 'causal')).toEqual({ outSteps: 5, padBefore: 4, padAfter: 0 });
    expect(convolutionWindow(5, 3, 2, 1, 'causal')).toEqual({ outSteps: 3, padBefore: 2, padAfter: 0 });
    expect(convolutionWindow(2, 3, 1, 1, 'valid')).toEqual({ outSteps: 0, padBefore: 0, padAfter: 0 });
  });

  it('parse Keras 3 and tf.keras 2 spellings with their output shapes and weights', () => {
    const spec = parseConfig(
      sequential([conv1D({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }), maxPooling1D({ padding: 'same' }), lstm({ units: 2 })], {
        inputShape: [9, 3],
      }),
    );
    expect(spec.layers[0]).toMatchObject({ kind: 'conv1d', filters: 4, kernelSize: 3, strides: 2, dilation: 1, padding: 'same', inputDim: 3, activation: 'relu' });
    expect(spec.layers[1]).toEqual({ kind: 'pooling1d', name: 'max_pooling1d', pooling: 'max', poolSize: 2, strides: 2, padding: 'same' });
    expect(spec.layers[2]).toMatchObject({ kind: 'rnn', inputDim: 4 });
    expect(weightSlots(spec).slice(0, 2).map((s) => s.shape)).toEqual([[3, 3, 4], [4]]);
    // 9 steps → conv same stride 2 → 5 → pool same 2 → 3.
    const shapes = parseConfig(sequential([conv1D({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' }), averagePooling1D({ padding: 'same' })], { inputShape: [9, 3] }));
    expect(shapes.outputs[0].shape).toEqual([null, 3, 4]);
    // tf.keras 2 writes bare ints (or one-entry lists) and strides null for a pooling.
    const legacy = parseConfig(sequential([{ class_name: 'MaxPool1D', config: { name: 'p', pool_size: 3, strides: null, padding: 'valid' } }], { inputShape: [7, 2] }));
    expect(legacy.layers[0]).toMatchObject({ pooling: 'max', poolSize: 3, strides: 3 });
    expect(legacy.outputs[0].shape).toEqual([null, 2, 2]);
  });

  it('refuse grouped, channels_first and unknown paddings, naming the field', () => {
    const parse = (layer: KerasConfig) => () => parseConfig(sequential([layer], { inputShape: [6, 2] }));
    expect(parse(withConfig(conv1D({ filters: 2, kernelSize: 2 }), { groups: 2 }))).toThrow(/field "groups" must be 1/);
    expect(parse(withConfig(conv1D({ filters: 2, kernelSize: 2 }), { data_format: 'channels_first' }))).toThrow(/field "data_format"/);
    expect(parse(withConfig(maxPooling1D(), { padding: 'causal' }))).toThrow(/field "padding" must be "valid" or "same"/);
    expect(parse(withConfig(conv1D({ filters: 2, kernelSize: 2, strides: 2 }), { dilation_rate: [2] }))).toThrow(/field "dilation_rate"/);
  });
});

describe('window checks on the input', () => {
  it('refuse a call whose steps leave a valid window nothing, naming the layer', async () => {
    registerBackend(counterBackend('windows'), 0);
    try {
      const config = sequential([conv1D({ filters: 1, kernelSize: 3 }), maxPooling1D({ poolSize: 2 }), lstm({ units: 1 })], { inputShape: [null, 1] });
      const model = await createModel(config, { backend: 'windows' });
      const steps = (n: number) => ({ shape: [1, n, 1], data: new Float32Array(n) });
      await expect(model.run(steps(4))).resolves.toHaveLength(1);
      // 3 steps: the conv leaves 1, too few for the pooling's 2.
      await expect(model.run(steps(3))).rejects.toThrow(/max_pooling1d: a "valid" window of 2 steps needs at least 2 timesteps, got 1/);
      await expect(model.run(steps(2))).rejects.toBeInstanceOf(InputError);
    } finally {
      unregisterBackend('windows');
    }
  });
});

describe('LeakyReLU, ELU, ReLU and Softmax layers', () => {
  const layer = (className: string, config: Record<string, unknown> = {}): KerasConfig => ({ class_name: className, config: { name: 'act', ...config } });
  const activationOf = (config: KerasConfig, kerasVersion: 2 | 3 = 3) =>
    (parseConfig(sequential([lstm({ units: 2, returnSequences: true }), config], { inputShape: [3, 2] }), { kerasVersion }).layers[1] as { activation: unknown })
      .activation;

  it('parse to the named activation where one fits, else to a parametric one with Keras\'s defaults', () => {
    expect(activationOf(layer('LeakyReLU'))).toEqual({ fn: 'leaky_relu', negativeSlope: 0.3 });
    expect(activationOf(layer('LeakyReLU', { negative_slope: 0.1 }))).toEqual({ fn: 'leaky_relu', negativeSlope: 0.1 });
    // Keras 2 spelled it alpha.
    expect(activationOf(layer('LeakyReLU', { alpha: 0.02 }), 2)).toEqual({ fn: 'leaky_relu', negativeSlope: 0.02 });
    expect(activationOf(layer('ELU'))).toEqual({ fn: 'elu', alpha: 1 });
    expect(activationOf(layer('ReLU', { max_value: null, negative_slope: 0, threshold: 0 }))).toBe('relu');
    expect(activationOf(layer('ReLU', { max_value: 6 }))).toBe('relu6');
    expect(activationOf(layer('ReLU', { max_value: 2, negative_slope: 0.5 }))).toEqual({ fn: 'relu', negativeSlope: 0.5, maxValue: 2 });
    expect(activationOf(layer('Softmax', { axis: -1 }))).toBe('softmax');
  });

  it('compute Keras\'s formulas', () => {
    const at = (a: Parameters<typeof parametricActivation>[0], xs: number[]) => xs.map(parametricActivation(a));
    expect(at({ fn: 'leaky_relu', negativeSlope: 0.3 }, [-2, 0, 3])).toEqual([-0.6, 0, 3]);
    expect(at({ fn: 'elu', alpha: 0.5 }, [-1, 2])).toEqual([0.5 * Math.expm1(-1), 2]);
    expect(at({ fn: 'relu', negativeSlope: 0.1, maxValue: 0.25 }, [-1, 0.1, 3])).toEqual([-0.1, 0.1, 0.25]);
  });

  it('refuse what they cannot compute, naming the field', () => {
    expect(() => activationOf(layer('ReLU', { threshold: 0.5 }))).toThrow(/ReLU layer "act".*threshold/);
    expect(() => activationOf(layer('Softmax', { axis: 1 }))).toThrow(/axis/);
    expect(() => activationOf(layer('ELU', { alpha: 'big' }))).toThrow(ConfigError);
  });
});

describe('LayerNormalization', () => {
  it('parses over the last axis with gamma then beta, as Keras stores them', () => {
    const spec = parseConfig(sequential([lstm({ units: 3, returnSequences: true }), layerNormalization({ center: false, epsilon: 0.01 })], { inputShape: [4, 2] }));
    expect(spec.layers[1]).toMatchObject({ kind: 'layer-normalization', features: 3, epsilon: 0.01, center: false, scale: true });
    expect(weightSlots(spec).slice(3).map((s) => [s.name, s.shape])).toEqual([['layer_normalization/gamma', [3]]]);
    expect(spec.outputs[0].shape).toEqual([null, 4, 3]);
  });

  it('refuses rms_scaling and another axis, naming the field', () => {
    const on = (config: Record<string, unknown>) => () =>
      parseConfig(sequential([lstm({ units: 3, returnSequences: true }), withConfig(layerNormalization(), config)], { inputShape: [4, 2] }));
    expect(on({ rms_scaling: true })).toThrow(/rms_scaling/);
    expect(on({ axis: 1 })).toThrow(/axis/);
    expect(on({ axis: [2] })).not.toThrow();
  });
});

describe('Reshape', () => {
  const on = (target: unknown, inputShape: (number | null)[] = [4, 3]) => () =>
    parseConfig(sequential([lstm({ units: 2, returnSequences: true }), { class_name: 'Reshape', config: { name: 'rs', target_shape: target } }], { inputShape }));

  it('resolves -1 from the input size and gives the Keras output shape', () => {
    const spec = on([-1, 4])();
    expect(spec.layers[1]).toEqual({ kind: 'reshape', name: 'rs', targetShape: [2, 4] });
    expect(spec.outputs[0].shape).toEqual([null, 2, 4]);
    expect(on([8])().outputs[0].shape).toEqual([null, 8]);
  });

  it('refuses sizes that do not fit, ranks other than 1 or 2, and unknown timesteps, naming the layer', () => {
    expect(on([3, 3])).toThrow(/Reshape layer "rs".*target_shape.*8 values/);
    expect(on([2, 2, 2])).toThrow(/target_shape/);
    expect(on([-1, -1])).toThrow(/at most one -1/);
    expect(on([8], [null, 3])).toThrow(/Reshape layer "rs" needs every input dimension/);
  });
});
