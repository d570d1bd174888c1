import { listBackends, tensor, type RecurrentLayerSpec } from '@rnn/core';
import { describe, expect, it } from 'vitest';
import { compileRecurrentSequence } from '../src/recurrent-sequence.js';
import { recurrent, rnnWeights } from './specs.js';

// An LSTM with 1 input and 1 unit, weights chosen so each step is easy to follow.
const lstmSpec = recurrent({ cell: 'LSTM', units: 1, inputDim: 1, returnSequences: true });
const lstmWeights = rnnWeights([[0.5, -0.25, 1, 0.75]], [[0.1, 0.2, -0.3, 0.4]], [0, 1, 0, 0]);
const input = Float32Array.from([1, -2, 0.5]);
const sequenceOptions = { keepSequence: true, order: 'processing' } as const;

/** Keras's LSTM step (gates i, f, c, o) in float64, for one unit. */
function lstmReference(xs: readonly number[], h0 = 0, c0 = 0, act: (v: number) => number = Math.tanh): { outputs: number[]; h: number; c: number } {
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  const [w, u, b] = [[0.5, -0.25, 1, 0.75], [0.1, 0.2, -0.3, 0.4], [0, 1, 0, 0]];
  let [h, c] = [h0, c0];
  const outputs: number[] = [];
  for (const x of xs) {
    const z = w.map((wk, k) => x * wk + h * u[k] + b[k]);
    c = sigmoid(z[1]) * c + sigmoid(z[0]) * act(z[2]);
    h = sigmoid(z[3]) * act(c);
    outputs.push(h);
  }
  return { outputs, h, c };
}

describe('compileRecurrentSequence (@rnn/backend-cpu/sequence)', () => {
  it('registers no backend when imported', () => {
    expect(listBackends()).toEqual([]);
  });

  it('runs a whole LSTM sequence on the WebAssembly kernels, with Keras’s numbers', async () => {
    const sequence = await compileRecurrentSequence(lstmSpec, lstmWeights);
    expect(sequence.kernels).toBe('wasm');
    const result = sequence.run(input, 1, 3, null, null, sequenceOptions);
    const want = lstmReference([1, -2, 0.5]);
    want.outputs.forEach((v, t) => expect(result.output[t]).toBeCloseTo(v, 6));
    expect(result.states.map((s) => s[0])).toEqual([expect.closeTo(want.h, 6), expect.closeTo(want.c, 6)]);
  });

  it('applies initial states, the mask and time order like the backend does', async () => {
    const backward: RecurrentLayerSpec = { ...lstmSpec, goBackwards: true };
    const sequence = await compileRecurrentSequence(backward, lstmWeights);
    const states = [tensor([[0.3]]), tensor([[-0.6]])];
    // Step 1 (x = -2) is masked: read order 2, 0 leaves states as after step 2; time order puts outputs at their input steps.
    const result = sequence.run(input, 1, 3, Float32Array.from([1, 0, 1]), states, { keepSequence: true, order: 'time' });
    const afterStep2 = lstmReference([0.5], 0.3, -0.6);
    const afterStep0 = lstmReference([1], afterStep2.h, afterStep2.c);
    expect(Array.from(result.output)).toEqual([
      expect.closeTo(afterStep0.h, 6),
      expect.closeTo(afterStep2.h, 6), // masked, maskedOutput 'state': the carried h
      expect.closeTo(afterStep2.h, 6),
    ]);
    // The caller's initial states are only read.
    expect([states[0].data[0], states[1].data[0]]).toEqual([Math.fround(0.3), Math.fround(-0.6)]);
  });

  it('runs a layer whose activation the WebAssembly kernels lack on the TypeScript kernels', async () => {
    const softsign: RecurrentLayerSpec = { ...lstmSpec, activation: 'softsign' };
    const sequence = await compileRecurrentSequence(softsign, lstmWeights);
    expect(sequence.kernels).toBe('js');
    const result = sequence.run(input, 1, 3, null, null, sequenceOptions);
    const want = lstmReference([1, -2, 0.5], 0, 0, (v) => v / (1 + Math.abs(v)));
    expect(Array.from(result.output)).toEqual(want.outputs.map((v) => expect.closeTo(v, 6)));
  });

  it('rejects input and mask lengths that do not match the shape, with InputError', async () => {
    const sequence = await compileRecurrentSequence(lstmSpec, lstmWeights);
    expect(() => sequence.run(input, 1, 4, null, null, sequenceOptions)).toThrowError(expect.objectContaining({ code: 'INPUT', field: 'input' }));
    expect(() => sequence.run(input, 1, 3, Float32Array.from([1, 1]), null, sequenceOptions)).toThrowError(
      expect.objectContaining({ code: 'INPUT', field: 'mask' }),
    );
  });

  it('refuses to run after dispose', async () => {
    const sequence = await compileRecurrentSequence(lstmSpec, lstmWeights);
    sequence.dispose();
    expect(() => sequence.run(input, 1, 3, null, null, sequenceOptions)).toThrowError(expect.objectContaining({ code: 'DISPOSED' }));
  });
});
