import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { computeFans, initializeWeights } from '../src/initializers.js';
import { SeededRandom } from '../src/random.js';
import type { DenseWeights, EmbeddingWeights, RecurrentWeights } from '../src/spec.js';
import type { Tensor } from '../src/tensor.js';
import { dense, inputLayer, layer, recurrent, sequential, thrown } from './helpers.js';

const init = (className: string, config: Record<string, unknown> = {}) => ({ class_name: className, config });

function one<T>(config: Parameters<typeof parseConfig>[0], seed = 1): T {
  return initializeWeights(parseConfig(config), seed)[0] as T;
}

function stats(t: Tensor): { min: number; max: number; mean: number; std: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of t.data) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  const mean = sum / t.data.length;
  let sq = 0;
  for (const v of t.data) sq += (v - mean) ** 2;
  return { min, max, mean, std: Math.sqrt(sq / t.data.length) };
}

/** M Mᵀ (rows) or Mᵀ M (columns) of a row-major 2D tensor. */
function gram(t: Tensor, of: 'rows' | 'columns'): number[][] {
  const [r, c] = t.shape;
  const n = of === 'rows' ? r : c;
  const at = (i: number, k: number) => (of === 'rows' ? t.data[i * c + k] : t.data[k * c + i]);
  const len = of === 'rows' ? c : r;
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => {
      let s = 0;
      for (let k = 0; k < len; k++) s += at(i, k) * at(j, k);
      return s;
    }),
  );
}

function expectIdentity(m: number[][], gain = 1): void {
  m.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(i === j ? gain * gain : 0, 5)));
}

const bigLstm = recurrent('LSTM', { units: 32 }, [null, 4, 200]);

describe('initializeWeights', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const spec = parseConfig(bigLstm);
    const a = initializeWeights(spec, 42)[0] as RecurrentWeights;
    const b = initializeWeights(spec, 42)[0] as RecurrentWeights;
    const c = initializeWeights(spec, 43)[0] as RecurrentWeights;
    expect(Array.from(a.kernel.data)).toEqual(Array.from(b.kernel.data));
    expect(Array.from(a.recurrentKernel.data)).toEqual(Array.from(b.recurrentKernel.data));
    expect(Array.from(a.kernel.data)).not.toEqual(Array.from(c.kernel.data));
  });

  it('draws glorot_uniform within ±sqrt(6/(fan_in+fan_out)), filling the range', () => {
    const { kernel } = one<RecurrentWeights>(bigLstm);
    const limit = Math.sqrt(6 / (200 + 128));
    const s = stats(kernel);
    expect(s.max).toBeLessThanOrEqual(limit);
    expect(s.min).toBeGreaterThanOrEqual(-limit);
    expect(s.max).toBeGreaterThan(0.99 * limit);
    expect(s.min).toBeLessThan(-0.99 * limit);
    expect(Math.abs(s.mean)).toBeLessThan(0.01 * limit);
    expect(s.std).toBeCloseTo(limit / Math.sqrt(3), 2);
  });

  it('makes the recurrent kernel orthogonal: orthonormal rows of (u, 4u)', () => {
    const { recurrentKernel } = one<RecurrentWeights>(bigLstm);
    expect(recurrentKernel.shape).toEqual([32, 128]);
    expectIdentity(gram(recurrentKernel, 'rows'));
  });

  it('makes a tall orthogonal kernel with orthonormal columns, scaled by gain', () => {
    const config = sequential([inputLayer([null, 3, 20]), recurrent('SimpleRNN', { units: 6, kernel_initializer: init('Orthogonal', { gain: 2 }) })]);
    const { kernel } = one<RecurrentWeights>(config);
    expect(kernel.shape).toEqual([20, 6]);
    expectIdentity(gram(kernel, 'columns'), 2);
  });

  it('puts ones in the forget quarter of an LSTM bias (unit_forget_bias)', () => {
    const { bias } = one<RecurrentWeights>(recurrent('LSTM', { units: 3 }, [null, 2, 4]));
    expect(Array.from(bias!.data)).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    const plain = one<RecurrentWeights>(recurrent('LSTM', { units: 3, unit_forget_bias: false }, [null, 2, 4]));
    expect(Array.from(plain.bias!.data)).toEqual(new Array(12).fill(0));
  });

  it('applies the bias initializer around the forget ones', () => {
    const { bias } = one<RecurrentWeights>(recurrent('LSTM', { units: 2, bias_initializer: init('Constant', { value: 0.5 }) }, [null, 2, 4]));
    expect(Array.from(bias!.data)).toEqual([0.5, 0.5, 1, 1, 0.5, 0.5, 0.5, 0.5]);
  });

  it('shapes a GRU reset_after bias (2, 3u)', () => {
    const { bias } = one<RecurrentWeights>(recurrent('GRU', { units: 2, bias_initializer: 'ones' }, [null, 2, 4]));
    expect(bias!.shape).toEqual([2, 6]);
    expect(Array.from(bias!.data)).toEqual(new Array(12).fill(1));
  });

  it('leaves out the bias without use_bias', () => {
    const w = one<RecurrentWeights>(recurrent('SimpleRNN', { units: 2, use_bias: false }, [null, 2, 4]));
    expect(w.bias).toBeNull();
  });

  it('draws random_uniform within [minval, maxval)', () => {
    const config = sequential([
      inputLayer([null, 7]),
      layer('Embedding', { name: 'embedding', input_dim: 500, output_dim: 64, embeddings_initializer: init('RandomUniform', { minval: 1, maxval: 3 }) }),
      recurrent('GRU', { units: 2 }),
    ]);
    const s = stats(one<EmbeddingWeights>(config).embeddings);
    expect(s.min).toBeGreaterThanOrEqual(1);
    expect(s.max).toBeLessThan(3);
    expect(s.mean).toBeCloseTo(2, 1);
  });

  it('draws random_normal with its mean and stddev', () => {
    const config = sequential([inputLayer([null, 3, 400]), dense(250, { kernel_initializer: init('RandomNormal', { mean: 1, stddev: 0.5 }) })]);
    const s = stats(one<DenseWeights>(config).kernel);
    expect(s.mean).toBeCloseTo(1, 2);
    expect(s.std).toBeCloseTo(0.5, 2);
  });

  it('truncates truncated_normal at two standard deviations', () => {
    const config = sequential([inputLayer([null, 3, 400]), dense(250, { kernel_initializer: init('TruncatedNormal', { stddev: 0.1 }) })]);
    const s = stats(one<DenseWeights>(config).kernel);
    expect(s.max).toBeLessThanOrEqual(0.2);
    expect(s.min).toBeGreaterThanOrEqual(-0.2);
    // A unit normal truncated to ±2 has stddev 0.8796.
    expect(s.std).toBeCloseTo(0.1 * 0.87962566, 2);
  });

  it.each([
    ['HeNormal', Math.sqrt(2 / 400)],
    ['LecunNormal', Math.sqrt(1 / 400)],
    ['GlorotNormal', Math.sqrt(2 / 650)],
  ])('gives %s the variance-scaling stddev after truncation', (name, stddev) => {
    const config = sequential([inputLayer([null, 3, 400]), dense(250, { kernel_initializer: init(name, { seed: null }) })]);
    const s = stats(one<DenseWeights>(config).kernel);
    expect(s.std / stddev).toBeCloseTo(1, 1);
    expect(s.max).toBeLessThanOrEqual((2 * stddev) / 0.87962566 + 1e-6);
  });

  it('reads a Keras 2 VarianceScaling config', () => {
    const kernel_initializer = init('VarianceScaling', { scale: 2, mode: 'fan_out', distribution: 'uniform', seed: null });
    const config = sequential([inputLayer([null, 3, 100]), dense(50, { kernel_initializer })]);
    const s = stats(one<DenseWeights>(config).kernel);
    const limit = Math.sqrt((3 * 2) / 50);
    expect(s.max).toBeLessThanOrEqual(limit);
    expect(s.max).toBeGreaterThan(0.98 * limit);
  });

  it('draws identity and constant exactly', () => {
    const config = sequential([inputLayer([null, 3, 2]), dense(3, { kernel_initializer: init('Identity', { gain: 3 }), bias_initializer: init('Constant', { value: -1 }) })]);
    const w = one<DenseWeights>(config);
    expect(Array.from(w.kernel.data)).toEqual([3, 0, 0, 0, 3, 0]);
    expect(Array.from(w.bias!.data)).toEqual([-1, -1, -1]);
  });

  it('gives an initializer with its own integer seed the same values whatever the global seed', () => {
    const config = recurrent('SimpleRNN', { units: 4, kernel_initializer: init('GlorotUniform', { seed: 123 }) }, [null, 2, 3]);
    const a = one<RecurrentWeights>(config, 1);
    const b = one<RecurrentWeights>(config, 2);
    expect(Array.from(a.kernel.data)).toEqual(Array.from(b.kernel.data));
    expect(Array.from(a.recurrentKernel.data)).not.toEqual(Array.from(b.recurrentKernel.data));
  });

  it('refuses an initializer it cannot draw from, naming layer and field', () => {
    const spec = parseConfig(recurrent('GRU', { units: 2, recurrent_initializer: init('MyInit') }, [null, 2, 3]));
    const error = thrown(() => initializeWeights(spec, 0));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ layer: 'gru', field: 'recurrent_initializer', actual: 'my_init' });
  });

  it('refuses initializer options it does not know', () => {
    const spec = parseConfig(recurrent('GRU', { units: 2, kernel_initializer: init('GlorotUniform', { input_axes: [0] }) }, [null, 2, 3]));
    expect(() => initializeWeights(spec, 0)).toThrow(/input_axes/);
    const bad = parseConfig(recurrent('GRU', { units: 2, kernel_initializer: init('RandomNormal', { sigma: 1 }) }, [null, 2, 3]));
    expect(() => initializeWeights(bad, 0)).toThrow(/unknown option "sigma"/);
  });

  it('initializes every layer of a Bidirectional model', () => {
    const config = sequential([
      inputLayer([null, 5, 3]),
      layer('Bidirectional', { name: 'bidirectional', merge_mode: 'concat', layer: recurrent('LSTM', { units: 4 }) }),
      dense(2),
    ]);
    const weights = initializeWeights(parseConfig(config), 7);
    expect(weights).toHaveLength(2);
    expect((weights[1] as DenseWeights).kernel.shape).toEqual([8, 2]);
  });
});

describe('computeFans', () => {
  it('follows Keras', () => {
    expect(computeFans([])).toEqual({ fanIn: 1, fanOut: 1 });
    expect(computeFans([7])).toEqual({ fanIn: 7, fanOut: 7 });
    expect(computeFans([3, 5])).toEqual({ fanIn: 3, fanOut: 5 });
    expect(computeFans([2, 3, 5])).toEqual({ fanIn: 6, fanOut: 10 });
  });
});

describe('SeededRandom', () => {
  it('repeats per seed and stream and stays in [0, 1)', () => {
    const a = new SeededRandom(5);
    const b = new SeededRandom(5);
    const c = new SeededRandom(5, 1);
    const xs = Array.from({ length: 1000 }, () => a.uniform());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b.uniform()));
    expect(xs).not.toEqual(Array.from({ length: 1000 }, () => c.uniform()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });

  it('draws standard normals', () => {
    const rng = new SeededRandom(9);
    const n = 200_000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      sum += z;
      sq += z * z;
    }
    expect(sum / n).toBeCloseTo(0, 2);
    expect(sq / n).toBeCloseTo(1, 1);
  });
});
