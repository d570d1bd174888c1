import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { WeightError } from '../src/errors.js';
import { flattenWeights, structureWeights, weightSlots } from '../src/weights.js';
import type { RecurrentWeights } from '../src/spec.js';
import { fixture } from './fixtures.js';
import { recurrent, thrown } from './helpers.js';

const LSTM_CASE = 'lstm-seq-b3-t4-i5-u3-seed172';

function weightError(fn: () => unknown): WeightError {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(WeightError);
  return error as WeightError;
}

describe('structureWeights', () => {
  const f = fixture(LSTM_CASE);
  const spec = parseConfig(f.layer, { inputFeatures: 5 });

  it('groups a layer\'s weights by role, as float32', () => {
    const [lstm] = structureWeights(spec, f.weights) as [RecurrentWeights];
    expect(lstm.kernel.shape).toEqual([5, 12]);
    expect(lstm.recurrentKernel.shape).toEqual([3, 12]);
    expect(lstm.bias?.shape).toEqual([12]);
    expect(lstm.kernel.data).toBeInstanceOf(Float32Array);
    expect(lstm.kernel.data[7]).toBe(Math.fround(f.weights[0].data[7]));
  });

  it('names the Keras slots', () => {
    expect(weightSlots(spec)).toEqual([
      { layer: 'lstm', name: 'lstm/lstm_cell/kernel', shape: [5, 12] },
      { layer: 'lstm', name: 'lstm/lstm_cell/recurrent_kernel', shape: [3, 12] },
      { layer: 'lstm', name: 'lstm/lstm_cell/bias', shape: [12] },
    ]);
  });

  it('names the missing slot when the list is short', () => {
    const error = weightError(() => structureWeights(spec, f.weights.slice(0, 2)));
    expect(error.message).toContain('expected 3 weights in get_weights() order, got 2: missing lstm/lstm_cell/bias (12,)');
    expect(error).toMatchObject({ layer: 'lstm', field: 'lstm/lstm_cell/bias', expected: 3, actual: 2 });
  });

  it('says where a list with a slot left out stops matching', () => {
    const error = weightError(() => structureWeights(spec, [f.weights[0], f.weights[2]]));
    expect(error.message).toContain('lstm/lstm_cell/recurrent_kernel (3, 12) but the list holds (12,)');
  });

  it('reports extra entries', () => {
    const error = weightError(() => structureWeights(spec, [...f.weights, { shape: [2], data: [1, 2] }]));
    expect(error.message).toContain('1 extra entries after the last slot, shapes (2,)');
  });

  it('names layer, weight and both shapes on a shape mismatch', () => {
    const wrong = [{ shape: [5, 16], data: new Array(80).fill(0) }, f.weights[1], f.weights[2]];
    const error = weightError(() => structureWeights(spec, wrong));
    expect(error.message).toContain('lstm/lstm_cell/kernel');
    expect(error.message).toContain('"lstm"');
    expect(error.message).toContain('(5, 16)');
    expect(error.message).toContain('(5, 12)');
    expect(error).toMatchObject({ layer: 'lstm', field: 'lstm/lstm_cell/kernel', expected: [5, 12], actual: [5, 16] });
  });

  it('refuses data whose length does not fit the shape', () => {
    const short = [{ shape: [5, 12], data: [1, 2, 3] }, f.weights[1], f.weights[2]];
    expect(weightError(() => structureWeights(spec, short)).message).toContain('needs 60 values, got 3');
  });

  it.each([
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [1e39, 'Infinity'],
  ])('refuses a non-finite value (%s), naming the weight and index', (value, shown) => {
    const data = [...f.weights[1].data];
    data[13] = value;
    const error = weightError(() => structureWeights(spec, [f.weights[0], { shape: [3, 12], data }, f.weights[2]]));
    expect(error.message).toContain(`lstm/lstm_cell/recurrent_kernel of layer "lstm" holds ${shown} at flat index 13 (index [1, 1]`);
    expect(error.message).toContain('poison results silently');
  });

  it('hints at reset_after when a GRU bias has the other layout', () => {
    const spec = parseConfig(recurrent('GRU', { units: 2 }, [null, 3, 4]));
    const zeros = (shape: number[]) => ({ shape, data: new Array(shape.reduce((a, b) => a * b, 1)).fill(0) });
    const error = weightError(() => structureWeights(spec, [zeros([4, 6]), zeros([2, 6]), zeros([6])]));
    expect(error.message).toContain('gru/gru_cell/bias of layer "gru" has shape (6,), but the layer expects (2, 6)');
    expect(error.message).toContain('reset_after false');
  });

  it('expects no bias without use_bias', () => {
    const spec = parseConfig(recurrent('SimpleRNN', { units: 2, use_bias: false }, [null, 3, 4]));
    expect(weightSlots(spec).map((s) => s.name)).toEqual(['simple_rnn/simple_rnn_cell/kernel', 'simple_rnn/simple_rnn_cell/recurrent_kernel']);
  });
});

describe('flattenWeights', () => {
  it('round-trips a model with weightless layers', () => {
    const f = fixture('model-masking-bilstm-gru-dense-b3-t6-i5-seed901');
    const spec = parseConfig(f.layer);
    const structured = structureWeights(spec, f.weights);
    expect(structured.map((w) => w === null)).toEqual([true, false, false, false]);
    const flat = flattenWeights(spec, structured);
    expect(flat.map((t) => t.shape)).toEqual(f.weights.map((w) => w.shape));
  });

  it('refuses a per-layer list of the wrong length or kind', () => {
    const f = fixture(LSTM_CASE);
    const spec = parseConfig(f.layer, { inputFeatures: 5 });
    expect(() => flattenWeights(spec, [])).toThrow(WeightError);
    const [lstm] = structureWeights(spec, f.weights) as [RecurrentWeights];
    expect(() => flattenWeights(spec, [{ ...lstm, bias: null }])).toThrow(/uses a bias but none is given/);
  });
});
