import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { flattenWeights, structureWeights, weightSlots } from '../src/weights.js';
import { initializeWeights } from '../src/initializers.js';
import type { BidirectionalLayerSpec, DenseLayerSpec, RecurrentLayerSpec, RecurrentWeights } from '../src/spec.js';
import { fixture } from './fixtures.js';
import { bidirectional, recurrent, sequential } from './helpers.js';

const keras2 = (file: string): unknown => JSON.parse(readFileSync(new URL(`./keras2/${file}`, import.meta.url), 'utf8'));
const AIND = 'aind-gru-timedistributed-keras2-0-4.json';
const BILSTM = 'bilstm-forecast-tfkeras2-10.json';

describe('Keras 2.0.4 functional Model (GRU without reset_after, TimeDistributed Dense)', () => {
  it('reads Keras 2 semantics with kerasVersion 2', () => {
    const spec = parseConfig(keras2(AIND), { kerasVersion: 2 });
    expect(spec.kerasVersion).toBe(2);
    expect(spec.name).toBe('model_2');
    expect(spec.source).toBe('sequential');
    expect(spec.ignoredLayers).toEqual(['input_2']);
    expect(spec.input).toEqual({ batch: null, timesteps: 21, features: 1, tokenIds: false });
    const [gru, head] = spec.layers as [RecurrentLayerSpec, DenseLayerSpec];
    expect(gru).toMatchObject({ cell: 'GRU', units: 64, inputDim: 1, resetAfter: false, recurrentActivation: 'hard_sigmoid_keras2' });
    expect(gru.returnSequences).toBe(true);
    expect(gru.initializers.kernel).toEqual({
      name: 'variance_scaling',
      config: { scale: 1.0, mode: 'fan_avg', distribution: 'uniform', seed: null },
    });
    expect(head).toMatchObject({ kind: 'dense', name: 'time_distributed_2', timeDistributed: true, units: 344, inputDim: 64, activation: 'softmax' });
    expect(spec.outputs).toEqual([{ name: 'output', shape: [null, 21, 344] }]);
  });

  it('still sees the missing reset_after as Keras 2 without kerasVersion, but keeps Keras 3 hard_sigmoid', () => {
    const gru = parseConfig(keras2(AIND)).layers[0] as RecurrentLayerSpec;
    expect(gru.resetAfter).toBe(false);
    expect(gru.recurrentActivation).toBe('hard_sigmoid');
  });

  it('loads the weights stored in the file: a (192,) GRU bias', () => {
    const spec = parseConfig(keras2(AIND), { kerasVersion: 2 });
    const f = fixture('ext-aind-gru-timedistributed-keras2-0-4-b3-t21');
    expect(weightSlots(spec).map((s) => s.shape)).toEqual([[1, 192], [64, 192], [192], [64, 344], [344]]);
    expect(() => structureWeights(spec, f.weights)).not.toThrow();
  });

  it('the Keras 3 reading of the same model keeps Keras 3 hard_sigmoid unless told kerasVersion 2', () => {
    const config = fixture('ext-aind-gru-timedistributed-keras2-0-4-b3-t21').layer;
    expect((parseConfig(config).layers[0] as RecurrentLayerSpec).recurrentActivation).toBe('hard_sigmoid');
    expect((parseConfig(config, { kerasVersion: 2 }).layers[0] as RecurrentLayerSpec).recurrentActivation).toBe('hard_sigmoid_keras2');
  });
});

describe('tf.keras 2.10 Sequential (Bidirectional without backward_layer)', () => {
  const spec = parseConfig(keras2(BILSTM), { kerasVersion: 2 });

  it('builds both directions from the one layer config, as Keras does', () => {
    const bi = spec.layers[0] as BidirectionalLayerSpec;
    expect(bi.kind).toBe('bidirectional');
    expect(bi.mergeMode).toBe('concat');
    expect(bi.forward).toMatchObject({ name: 'forward_lstm', goBackwards: false, units: 64, inputDim: 1, zeroOutputForMask: false });
    expect(bi.backward).toMatchObject({ name: 'backward_lstm', goBackwards: true, units: 64, inputDim: 1, zeroOutputForMask: false });
    expect(spec.input).toEqual({ batch: null, timesteps: 12, features: 1, tokenIds: false });
    expect(spec.outputs).toEqual([{ name: 'output', shape: [null, 1] }]);
    expect((spec.layers[1] as DenseLayerSpec).inputDim).toBe(128);
  });

  it('names the weights as Keras 3 does after loading it', () => {
    const f = fixture('ext-bilstm-forecast-tfkeras2-10-b3-t12');
    expect(weightSlots(spec).map((s) => s.name)).toEqual(f.weights.map((w) => w.name!.replace(/^sequential\//, '')));
    expect(() => structureWeights(spec, f.weights)).not.toThrow();
  });

  it('takes the Keras version from to_json() text', () => {
    const document = { ...(keras2(BILSTM) as object), keras_version: '2.10.0', backend: 'tensorflow' };
    expect(parseConfig(JSON.stringify(document)).kerasVersion).toBe(2);
  });
});

describe('hand-written Keras 2 style configs', () => {
  const gru = {
    class_name: 'GRU',
    config: { name: 'gru', units: 4, recurrent_activation: 'hard_sigmoid', batch_input_shape: [null, 7, 3] },
  };

  it('a GRU without reset_after means false under Keras 2', () => {
    const spec = parseConfig(gru, { kerasVersion: 2 });
    expect(spec.layers[0]).toMatchObject({ resetAfter: false, recurrentActivation: 'hard_sigmoid_keras2', inputDim: 3 });
    expect(spec.input).toEqual({ batch: null, timesteps: 7, features: 3, tokenIds: false });
    expect(weightSlots(spec).map((s) => s.shape)).toEqual([[3, 12], [4, 12], [12]]);
  });

  it('a minimal Keras 3 GRU gets the Keras 3 defaults', () => {
    const spec = parseConfig({ class_name: 'GRU', config: { units: 4 } }, { inputFeatures: 3 });
    expect(spec.layers[0]).toMatchObject({
      name: 'gru',
      resetAfter: true,
      activation: 'tanh',
      recurrentActivation: 'sigmoid',
      useBias: true,
      maskedOutput: 'state',
    });
    expect(spec.kerasVersion).toBe(3);
  });

  it('reads the Keras 2.0 Sequential whose config is the bare layer list', () => {
    const spec = parseConfig({
      class_name: 'Sequential',
      config: [
        { class_name: 'LSTM', config: { name: 'lstm_1', units: 5, batch_input_shape: [null, null, 2], implementation: 0 } },
        { class_name: 'Dropout', config: { name: 'dropout_1', rate: 0.5 } },
        { class_name: 'Dense', config: { name: 'dense_1', units: 1, activation: 'sigmoid' } },
      ],
    });
    expect(spec.layers.map((l) => l.kind)).toEqual(['rnn', 'dense']);
    expect(spec.ignoredLayers).toEqual(['dropout_1']);
    expect(spec.input.features).toBe(2);
    expect(spec.outputs).toEqual([{ name: 'output', shape: [null, 1] }]);
  });

  it('accepts time_major false and input_dim as the feature count', () => {
    const spec = parseConfig(sequential([recurrent('LSTM', { units: 2, time_major: false, input_dim: 6, input_length: 9 })]));
    expect(spec.input).toMatchObject({ timesteps: 9, features: 6 });
  });
});

describe('Keras 2 CuDNNLSTM and CuDNNGRU', () => {
  const cudnn = (className: 'CuDNNLSTM' | 'CuDNNGRU', config: Record<string, unknown> = {}) => ({
    class_name: className,
    config: { name: 'cu', units: 2, return_sequences: false, return_state: false, go_backwards: false, stateful: false, ...config },
  });

  it('read as an LSTM (tanh, sigmoid gates) and a reset_after GRU whose weights arrive in cuDNN layout', () => {
    const lstm = parseConfig(sequential([cudnn('CuDNNLSTM', { unit_forget_bias: true, batch_input_shape: [null, 4, 3] })]), { kerasVersion: 2 });
    expect(lstm.layers[0]).toMatchObject({ cell: 'LSTM', activation: 'tanh', recurrentActivation: 'sigmoid', useBias: true, weightLayout: 'cudnn' });
    // Input and recurrent biases stored separately: (8u,) and (6u,).
    expect(weightSlots(lstm).map((s) => [s.name, s.shape])).toEqual([
      ['cu/kernel', [3, 8]],
      ['cu/recurrent_kernel', [2, 8]],
      ['cu/bias', [16]],
    ]);
    // A Keras 2 GRU without reset_after means false, but cuDNN's GRU is the reset-after one.
    const gru = parseConfig(sequential([bidirectional(cudnn('CuDNNGRU'), { batch_input_shape: [null, 4, 3] })]), { kerasVersion: 2 });
    const bi = gru.layers[0] as BidirectionalLayerSpec;
    for (const half of [bi.forward, bi.backward]) expect(half).toMatchObject({ cell: 'GRU', resetAfter: true, weightLayout: 'cudnn' });
    expect(weightSlots(gru).map((s) => s.shape)).toEqual([[3, 6], [2, 6], [12], [3, 6], [2, 6], [12]]);
  });

  it('convert each gate\'s kernel from cuDNN\'s (units, inputs) row-major order, transpose recurrent blocks, and sum LSTM biases', () => {
    const spec = parseConfig(sequential([cudnn('CuDNNLSTM', { units: 1, batch_input_shape: [null, 4, 2] })]), { kerasVersion: 2 });
    // One unit: each gate's (2, 1) kernel block is read as cuDNN's (1, 2) matrix, i.e. its two values in order.
    const kernel = { shape: [2, 4], data: [1, 2, 3, 4, 5, 6, 7, 8] };
    const recurrent = { shape: [1, 4], data: [9, 10, 11, 12] };
    const bias = { shape: [8], data: [1, 2, 3, 4, 0.5, 0.25, -1, -2] };
    const [weights] = structureWeights(spec, [kernel, recurrent, bias]) as RecurrentWeights[];
    expect(Array.from(weights.kernel.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(weights.recurrentKernel.data)).toEqual([9, 10, 11, 12]);
    expect(Array.from(weights.bias!.data)).toEqual([1.5, 2.25, 2, 2]);

    // Two units, two inputs: block g of the stored kernel [[a, b], [c, d]] holds cuDNN's W = [[a, b], [c, d]]
    // (rows = units), so Keras's kernel block is its transpose; recurrent blocks are transposed too.
    const two = parseConfig(sequential([cudnn('CuDNNGRU', { units: 2, batch_input_shape: [null, 4, 2] })]), { kerasVersion: 2 });
    const stored = { shape: [2, 6], data: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] };
    const [gru] = structureWeights(two, [stored, stored, { shape: [12], data: Array.from({ length: 12 }, (_, i) => i) }]) as RecurrentWeights[];
    expect(Array.from(gru.kernel.data)).toEqual([1, 7, 3, 9, 5, 11, 2, 8, 4, 10, 6, 12]);
    expect(Array.from(gru.recurrentKernel.data)).toEqual([1, 7, 3, 9, 5, 11, 2, 8, 4, 10, 6, 12]);
    expect(gru.bias!.shape).toEqual([2, 6]);
  });

  it('draw fresh weights in the layout the file would store, which round-trip through structureWeights', () => {
    const spec = parseConfig(sequential([cudnn('CuDNNLSTM', { units: 3, batch_input_shape: [null, 4, 2] })]), { kerasVersion: 2 });
    const fresh = initializeWeights(spec, 5);
    const stored = flattenWeights(spec, fresh);
    expect(stored.map((w) => w.shape)).toEqual([[2, 12], [3, 12], [24]]);
    const again = structureWeights(spec, stored) as RecurrentWeights[];
    const first = fresh[0] as RecurrentWeights;
    expect(again[0].kernel.data).toEqual(first.kernel.data);
    expect(again[0].recurrentKernel.data).toEqual(first.recurrentKernel.data);
    expect(again[0].bias!.data).toEqual(first.bias!.data);
    // unit_forget_bias: ones in the forget quarter, whichever half of the stored bias holds them.
    expect(Array.from(first.bias!.data.slice(3, 6))).toEqual([1, 1, 1]);
  });

  it('refuse keys cuDNN layers do not have, such as an activation', () => {
    expect(() => parseConfig(sequential([cudnn('CuDNNLSTM', { activation: 'relu', batch_input_shape: [null, 4, 3] })]), { kerasVersion: 2 })).toThrow(
      /activation/,
    );
  });
});
