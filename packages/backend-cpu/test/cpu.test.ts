import { describe, expect, it } from 'vitest';
import {
  getRegisteredBackend,
  listBackends,
  tensor,
  type LayerWeights,
  type MaskedOutput,
  type MergeMode,
  type ModelSpec,
  type RecurrentLayerSpec,
  type RunRequest,
  type Tensor,
} from '@rnn/core';
import { cpuBackend } from '../src/index.js';
import { bidirectional, model, recurrent, rnnWeights, values } from './specs.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

async function run(spec: ModelSpec, weights: LayerWeights[], request: Partial<RunRequest> & { input: Tensor }): Promise<Tensor[]> {
  const compiled = await cpuBackend.compile(spec, weights);
  const result = await compiled.run({ mask: null, initialStates: spec.layers.map(() => null), ...request });
  return [...result.outputs];
}

function expectClose(actual: Tensor, shape: number[], expected: number[]): void {
  expect(actual.shape).toEqual(shape);
  expect(values(actual).length).toBe(expected.length);
  values(actual).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
}

/** A linear 1-unit SimpleRNN, h = 2x + 1 + 0.5 h₋: on x = 1, 2, 3 it gives 3, 6.5, 10.25. */
const linearRnn = (overrides: Partial<RecurrentLayerSpec> = {}) =>
  recurrent({ cell: 'SimpleRNN', units: 1, inputDim: 1, activation: 'linear', ...overrides });
const linearWeights = rnnWeights([[2]], [[0.5]], [1]);
const steps123 = tensor([1, 2, 3], [1, 3, 1]);

describe('registration', () => {
  it('registers itself as "cpu" on import and is always available', async () => {
    expect(listBackends()).toContain('cpu');
    expect(getRegisteredBackend('cpu')).toBe(cpuBackend);
    expect(await cpuBackend.available()).toEqual({ ok: true, detail: expect.any(String) });
  });
});

describe('SimpleRNN', () => {
  it('runs a hand-computed sequence with its final state', async () => {
    const spec = model([linearRnn({ returnSequences: true, returnState: true })], ['output', 'h']);
    const [out, h] = await run(spec, [linearWeights], { input: steps123 });
    expectClose(out, [1, 3, 1], [3, 6.5, 10.25]);
    expectClose(h, [1, 1], [10.25]);
  });

  it('go_backwards reads last to first and keeps outputs in processing order', async () => {
    // Reads 3, 2, 1: h = 7, then 5 + 3.5 = 8.5, then 3 + 4.25 = 7.25.
    const spec = model([linearRnn({ returnSequences: true, returnState: true, goBackwards: true })], ['output', 'h']);
    const [out, h] = await run(spec, [linearWeights], { input: steps123 });
    expectClose(out, [1, 3, 1], [7, 8.5, 7.25]);
    expectClose(h, [1, 1], [7.25]);
  });

  it('starts from an initial state and applies tanh', async () => {
    const spec = model([recurrent({ cell: 'SimpleRNN', units: 1, inputDim: 1 })], ['output']);
    const [out] = await run(spec, [linearWeights], { input: tensor([1], [1, 1, 1]), initialStates: [[tensor([[4]])]] });
    expectClose(out, [1, 1], [Math.tanh(2 + 1 + 2)]);
  });
});

describe('masked steps', () => {
  // x = 1, 2, 3 with mask 0, 1, 0 and initial h = 2: only step 1 is real, h = 4 + 1 + 1 = 6.
  const mask = tensor([0, 1, 0], [1, 3]);
  const initialStates = [[tensor([[2]])]];
  const cases: [MaskedOutput, number[], number][] = [
    ['state', [2, 6, 6], 6],
    ['zeros', [0, 6, 0], 0],
    ['previous-output', [0, 6, 6], 6],
  ];

  it.each(cases)('maskedOutput %s: sequence and last output follow the rule, states skip masked steps', async (rule, sequence, last) => {
    const seqSpec = model([linearRnn({ maskedOutput: rule, returnSequences: true, returnState: true })], ['output', 'h']);
    const [out, h] = await run(seqSpec, [linearWeights], { input: steps123, mask, initialStates });
    expectClose(out, [1, 3, 1], sequence);
    expectClose(h, [1, 1], [6]);
    const lastSpec = model([linearRnn({ maskedOutput: rule })], ['output']);
    const [lastOut] = await run(lastSpec, [linearWeights], { input: steps123, mask, initialStates });
    expectClose(lastOut, [1, 1], [last]);
  });

  it('go_backwards applies the mask to the input step it reads', async () => {
    // Reads 3 (masked), 2 (real: 4 + 1 + 1 = 6), 1 (masked); processing order.
    const spec = model([linearRnn({ goBackwards: true, returnSequences: true })], ['output']);
    const [out] = await run(spec, [linearWeights], { input: steps123, mask, initialStates });
    expectClose(out, [1, 3, 1], [2, 6, 6]);
  });

  it('a fully masked row returns its initial states while other rows run', async () => {
    const lstm = recurrent({ cell: 'LSTM', units: 1, inputDim: 1, returnState: true });
    const weights = rnnWeights([[0.5, -0.5, 1, 2]], [[0.1, 0.2, 0.3, 0.4]], [0, 1, 0, 0]);
    const spec = model([lstm], ['output', 'h', 'c']);
    const [out, h, c] = await run(spec, [weights], {
      input: tensor([1, 1, 1, 1], [2, 2, 1]),
      mask: tensor([1, 1, 0, 0], [2, 2]),
      initialStates: [[tensor([[0], [0.25]]), tensor([[0], [-0.75]])]],
    });
    expect(values(h)[1]).toBeCloseTo(0.25, 6);
    expect(values(c)[1]).toBeCloseTo(-0.75, 6);
    expect(values(out)[1]).toBeCloseTo(0.25, 6);
    expect(values(h)[0]).not.toBeCloseTo(0, 3);
  });
});

describe('cells, one step by hand', () => {
  const x = 1;
  const h0 = 0.5;

  it('LSTM: gates i, f, c, o', async () => {
    const c0 = -1;
    const spec = model([recurrent({ cell: 'LSTM', units: 1, inputDim: 1, returnState: true })], ['output', 'h', 'c']);
    const weights = rnnWeights([[0.5, -0.5, 1, 2]], [[0.1, 0.2, 0.3, 0.4]], [0, 1, 0, 0]);
    const [, h, c] = await run(spec, [weights], { input: tensor([x], [1, 1, 1]), initialStates: [[tensor([[h0]]), tensor([[c0]])]] });
    const i = sigmoid(0.5 * x + 0.1 * h0);
    const f = sigmoid(-0.5 * x + 0.2 * h0 + 1);
    const g = Math.tanh(1 * x + 0.3 * h0);
    const o = sigmoid(2 * x + 0.4 * h0);
    const cExpected = f * c0 + i * g;
    expectClose(c, [1, 1], [cExpected]);
    expectClose(h, [1, 1], [o * Math.tanh(cExpected)]);
  });

  it('GRU reset_after=true: the reset gate scales h U + b₁', async () => {
    const spec = model([recurrent({ cell: 'GRU', units: 1, inputDim: 1, resetAfter: true })], ['output']);
    const weights = rnnWeights([[0.5, -1, 2]], [[0.3, 0.6, -0.4]], [[0.1, 0.2, 0.3], [-0.1, 0.05, 0.7]]);
    const [out] = await run(spec, [weights], { input: tensor([x], [1, 1, 1]), initialStates: [[tensor([[h0]])]] });
    const z = sigmoid(0.5 * x + 0.1 + 0.3 * h0 - 0.1);
    const r = sigmoid(-1 * x + 0.2 + 0.6 * h0 + 0.05);
    const candidate = Math.tanh(2 * x + 0.3 + r * (-0.4 * h0 + 0.7));
    expectClose(out, [1, 1], [z * h0 + (1 - z) * candidate]);
  });

  it('GRU reset_after=false: the reset gate scales h before U_h', async () => {
    const spec = model([recurrent({ cell: 'GRU', units: 1, inputDim: 1, resetAfter: false })], ['output']);
    const weights = rnnWeights([[0.5, -1, 2]], [[0.3, 0.6, -0.4]], [0.1, 0.2, 0.3]);
    const [out] = await run(spec, [weights], { input: tensor([x], [1, 1, 1]), initialStates: [[tensor([[h0]])]] });
    const z = sigmoid(0.5 * x + 0.1 + 0.3 * h0);
    const r = sigmoid(-1 * x + 0.2 + 0.6 * h0);
    const candidate = Math.tanh(2 * x + 0.3 + -0.4 * (r * h0));
    expectClose(out, [1, 1], [z * h0 + (1 - z) * candidate]);
  });

  it('multi-unit LSTM matches a direct evaluation of the equations', async () => {
    // u = 2, f = 3, batch 2, two steps; reference computed here in float64 from Keras's equations.
    const units = 2;
    const features = 3;
    const kernel = [...Array(features)].map((_, r) => [...Array(4 * units)].map((_, c) => Math.sin(r * 7 + c) / 2));
    const recurrentKernel = [...Array(units)].map((_, r) => [...Array(4 * units)].map((_, c) => Math.cos(r * 5 + c) / 2));
    const bias = [...Array(4 * units)].map((_, c) => c / 10 - 0.3);
    const input = [...Array(2 * 2 * features)].map((_, i) => Math.sin(i + 0.5));
    const spec = model([recurrent({ cell: 'LSTM', units, inputDim: features, returnSequences: true })], ['output']);
    const [out] = await run(spec, [rnnWeights(kernel, recurrentKernel, bias)], { input: tensor(input, [2, 2, features]) });
    const expected: number[] = [];
    for (let b = 0; b < 2; b++) {
      let h = [0, 0];
      let c = [0, 0];
      for (let t = 0; t < 2; t++) {
        const xt = input.slice((b * 2 + t) * features, (b * 2 + t + 1) * features);
        const z = bias.map((bj, j) => bj + xt.reduce((s, xk, k) => s + xk * kernel[k][j], 0) + h.reduce((s, hk, k) => s + hk * recurrentKernel[k][j], 0));
        c = c.map((cj, j) => sigmoid(z[units + j]) * cj + sigmoid(z[j]) * Math.tanh(z[2 * units + j]));
        h = h.map((_, j) => sigmoid(z[3 * units + j]) * Math.tanh(c[j]));
        expected.push(...h);
      }
    }
    expectClose(out, [2, 2, units], expected);
  });
});

describe('Bidirectional', () => {
  // Forward reads 1, 2, 3 → 3, 6.5, 10.25; backward reads 3, 2, 1 → 7, 8.5, 7.25, i.e. 7.25, 8.5, 7 in time order.
  const forwardSeq = [3, 6.5, 10.25];
  const backwardSeq = [7.25, 8.5, 7];
  const merges: [MergeMode, number[]][] = [
    ['concat', [3, 7.25, 6.5, 8.5, 10.25, 7]],
    ['sum', forwardSeq.map((f, i) => f + backwardSeq[i])],
    ['mul', forwardSeq.map((f, i) => f * backwardSeq[i])],
    ['ave', forwardSeq.map((f, i) => (f + backwardSeq[i]) / 2)],
  ];
  const weights = { forward: linearWeights, backward: linearWeights };

  it.each(merges)('merge %s of sequences in time order', async (mode, expected) => {
    const spec = model([bidirectional(linearRnn(), mode, { returnSequences: true })], ['output']);
    const [out] = await run(spec, [weights], { input: steps123 });
    expectClose(out, [1, 3, mode === 'concat' ? 2 : 1], expected);
  });

  it('merge null returns both halves, then forward and backward states', async () => {
    const spec = model([bidirectional(linearRnn(), null, { returnSequences: true, returnState: true })], [
      'forward_output',
      'backward_output',
      'forward_h',
      'backward_h',
    ]);
    const [f, b, fh, bh] = await run(spec, [weights], { input: steps123 });
    expectClose(f, [1, 3, 1], forwardSeq);
    expectClose(b, [1, 3, 1], backwardSeq);
    expectClose(fh, [1, 1], [10.25]);
    expectClose(bh, [1, 1], [7.25]);
  });

  it('without sequences merges the final outputs and splits initial states per direction', async () => {
    const spec = model([bidirectional(linearRnn(), 'concat', { returnState: true })], ['output', 'forward_h', 'backward_h']);
    const [out, fh, bh] = await run(spec, [weights], {
      input: tensor([1], [1, 1, 1]),
      initialStates: [[tensor([[2]]), tensor([[-4]])]],
    });
    // forward: 2 + 1 + 1 = 4; backward: 2 + 1 - 2 = 1.
    expectClose(out, [1, 2], [4, 1]);
    expectClose(fh, [1, 1], [4]);
    expectClose(bh, [1, 1], [1]);
  });

  it('with sequences, masked steps give zeros in both halves', async () => {
    const spec = model([bidirectional(linearRnn(), 'concat', { returnSequences: true })], ['output']);
    const [out] = await run(spec, [weights], { input: steps123, mask: tensor([1, 1, 0], [1, 3]) });
    // forward: 3, 6.5, (masked); backward reads 2 → 5, then 1 → 2 + 1 + 2.5 = 5.5.
    expectClose(out, [1, 3, 2], [3, 5.5, 6.5, 5, 0, 0]);
  });
});

describe('chains', () => {
  it('Masking zeroes all-mask steps and its mask reaches the recurrent layer; Dense softmax per row', async () => {
    const spec = model(
      [
        { kind: 'masking', name: 'masking', maskValue: 0 },
        linearRnn({ returnSequences: true }),
        { kind: 'dense', name: 'dense', units: 2, inputDim: 1, activation: 'softmax', useBias: true, timeDistributed: false, initializers: {} },
      ],
      ['output'],
      1,
    );
    const dense = { kernel: tensor([[1, -1]]), bias: tensor([0, 0.5]) };
    const [out] = await run(spec, [null, linearWeights, dense], { input: tensor([1, 0, 3], [1, 3, 1]) });
    // RNN: 3, (masked → 3), 2·3 + 1 + 1.5 = 8.5; dense logits [h, 0.5 − h].
    const softmax = (h: number) => {
      const a = Math.exp(h);
      const b = Math.exp(0.5 - h);
      return [a / (a + b), b / (a + b)];
    };
    expectClose(out, [1, 3, 2], [...softmax(3), ...softmax(3), ...softmax(8.5)]);
  });

  it('Embedding with mask_zero masks id 0; the mask stops after a non-sequence layer', async () => {
    const spec = model(
      [
        { kind: 'embedding', name: 'embedding', vocabulary: 3, outputDim: 1, maskZero: true, initializers: {} },
        linearRnn(),
        { kind: 'activation', name: 'activation', activation: 'relu' },
      ],
      ['output'],
    );
    const embeddings = { embeddings: tensor([[100], [1], [-3]]) };
    const [out] = await run(spec, [embeddings, linearWeights, null], { input: tensor([1, 0, 2, 0, 0, 0], [2, 3]) });
    // Row 0: x = 1 → 3; masked; x = −3 → −6 + 1 + 1.5 = −3.5 → relu 0. Row 1 fully masked → 0.
    expectClose(out, [2, 1], [0, 0]);
    const [seq] = await run(model([spec.layers[0], linearRnn({ returnSequences: true })], ['output']), [embeddings, linearWeights], {
      input: tensor([1, 0, 2], [1, 3]),
    });
    expectClose(seq, [1, 3, 1], [3, 3, -3.5]);
  });

  it('Dense passes the mask on to a following recurrent layer; log_softmax over the last axis', async () => {
    const spec = model(
      [
        { kind: 'masking', name: 'masking', maskValue: 0 },
        { kind: 'dense', name: 'dense', units: 1, inputDim: 1, activation: 'linear', useBias: true, timeDistributed: true, initializers: {} },
        linearRnn({ returnSequences: true }),
        { kind: 'activation', name: 'activation', activation: 'log_softmax' },
      ],
      ['output'],
      1,
    );
    const dense = { kernel: tensor([[1]]), bias: tensor([0.5]) };
    // Masking zeroes step 1 and Dense turns it into 0.5, but the step stays masked: 2·1.5 + 1 = 4, 4, 2·3.5 + 1 + 2 = 10.
    const [rnnOut] = await run(model(spec.layers.slice(0, 3), ['output'], 1), [null, dense, linearWeights], {
      input: tensor([1, 0, 3], [1, 3, 1]),
    });
    expectClose(rnnOut, [1, 3, 1], [4, 4, 10]);
    // log_softmax of a single value is 0.
    const [out] = await run(spec, [null, dense, linearWeights, null], { input: tensor([1, 0, 3], [1, 3, 1]) });
    expectClose(out, [1, 3, 1], [0, 0, 0]);
    const logSoftmax = model([{ kind: 'activation', name: 'a', activation: 'log_softmax' }], ['output'], 2);
    const [pair] = await run(logSoftmax, [null], { input: tensor([0, Math.log(3)], [1, 1, 2]) });
    expectClose(pair, [1, 1, 2], [Math.log(1 / 4), Math.log(3 / 4)]);
  });

  it('Embedding without mask_zero ends the run mask', async () => {
    const spec = model(
      [{ kind: 'embedding', name: 'embedding', vocabulary: 2, outputDim: 1, maskZero: false, initializers: {} }, linearRnn()],
      ['output'],
    );
    const [out] = await run(spec, [{ embeddings: tensor([[1], [2]]) }, linearWeights], {
      input: tensor([1, 0], [1, 2]),
      mask: tensor([1, 0], [1, 2]),
    });
    // Both steps run: x = 2 → 5, then x = 1 → 2 + 1 + 2.5 = 5.5.
    expectClose(out, [1, 1], [5.5]);
  });

  it('rejects a layer with several outputs in the middle of a chain', async () => {
    const spec = model([linearRnn({ returnSequences: true, returnState: true }), linearRnn()], ['output']);
    await expect(cpuBackend.compile(spec, [linearWeights, linearWeights])).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('rejects weights of the wrong shape, naming the layer and field', async () => {
    const spec = model([linearRnn()], ['output']);
    const bad = rnnWeights([[2, 3]], [[0.5]], [1]);
    await expect(cpuBackend.compile(spec, [bad])).rejects.toMatchObject({ code: 'WEIGHTS', layer: 'simplernn', field: 'kernel' });
  });
});

describe('run contract', () => {
  it('returns final states per layer (null for stateless layers) and leaves inputs untouched', async () => {
    const spec = model(
      [
        { kind: 'masking', name: 'masking', maskValue: 0 },
        linearRnn(),
      ],
      ['output'],
      1,
    );
    const compiled = await cpuBackend.compile(spec, [null, linearWeights]);
    const input = tensor([1, 2, 3], [1, 3, 1]);
    const initial = tensor([[2]]);
    const result = await compiled.run({ input, mask: null, initialStates: [null, [initial]] });
    expect(result.finalStates[0]).toBeNull();
    expectClose(result.finalStates[1]![0], [1, 1], [2 * 3 + 1 + 0.5 * (2 * 2 + 1 + 0.5 * (2 + 1 + 1))]);
    expect(values(input)).toEqual([1, 2, 3]);
    expect(values(initial)).toEqual([2]);
    await compiled.dispose();
    await expect(compiled.run({ input, mask: null, initialStates: [null, null] })).rejects.toMatchObject({ code: 'DISPOSED' });
  });
});
