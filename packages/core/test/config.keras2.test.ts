import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { structureWeights, weightSlots } from '../src/weights.js';
import type { BidirectionalLayerSpec, DenseLayerSpec, RecurrentLayerSpec } from '../src/spec.js';
import { fixture } from './fixtures.js';
import { recurrent, sequential } from './helpers.js';

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
