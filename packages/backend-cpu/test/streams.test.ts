import { describe, expect, it } from 'vitest';
import { createModel, gru, lstm, sequential, simpleRNN, tensor } from '@rnn/core';
import type { Tensor } from '@rnn/core';
import '../src/index.js';

const BATCH = 2;
const STEPS = 6;
const FEATURES = 3;

/** Deterministic, varied input `(BATCH, STEPS, FEATURES)`. */
const input = tensor(
  Float32Array.from({ length: BATCH * STEPS * FEATURES }, (_, i) => Math.sin(i * 0.7) * 1.5),
  [BATCH, STEPS, FEATURES],
);

function stepSlice(x: Tensor, t: number): Tensor {
  const data = new Float32Array(BATCH * FEATURES);
  for (let b = 0; b < BATCH; b++) data.set(x.data.subarray((b * STEPS + t) * FEATURES, (b * STEPS + t + 1) * FEATURES), b * FEATURES);
  return tensor(data, [BATCH, FEATURES]);
}

function outputAt(sequence: Tensor, t: number): number[] {
  const [, steps, units] = sequence.shape;
  const row: number[] = [];
  for (let b = 0; b < BATCH; b++) row.push(...sequence.data.subarray((b * steps + t) * units, (b * steps + t + 1) * units));
  return row;
}

const stacked = () =>
  sequential([lstm({ units: 4, returnSequences: true }), gru({ units: 3, returnSequences: true }), simpleRNN({ units: 2, returnSequences: true })], {
    inputShape: [null, FEATURES],
  });

describe('streams and stateful layers on real math', () => {
  it('a stream fed one step at a time gives the full-sequence outputs, step by step', async () => {
    const model = await createModel(stacked(), { backend: 'cpu', seed: 7 });
    const [full] = await model.run(input);
    const stream = model.createStream();
    for (let t = 0; t < STEPS; t++) {
      const [out] = await stream.step(stepSlice(input, t));
      expect(out.shape).toEqual([BATCH, 1, 2]);
      const want = outputAt(full, t);
      Array.from(out.data).forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
    }
    await model.dispose();
  });

  it('a stateful layer called on two halves ends in the states of one full call', async () => {
    const whole = await createModel(lstm({ units: 4, returnState: true, inputShape: [null, FEATURES] }), { backend: 'cpu', seed: 3 });
    const halves = await createModel(lstm({ units: 4, returnState: true, stateful: true, inputShape: [null, FEATURES] }), {
      backend: 'cpu',
      weights: whole.getWeights(),
    });
    const [, h, c] = await whole.run(input);
    const half = (from: number) => {
      const data = new Float32Array(BATCH * 3 * FEATURES);
      for (let b = 0; b < BATCH; b++) data.set(input.data.subarray((b * STEPS + from) * FEATURES, (b * STEPS + from + 3) * FEATURES), b * 3 * FEATURES);
      return tensor(data, [BATCH, 3, FEATURES]);
    };
    await halves.run(half(0));
    const [, h2, c2] = await halves.run(half(3));
    Array.from(h2.data).forEach((v, i) => expect(v).toBeCloseTo(h.data[i], 6));
    Array.from(c2.data).forEach((v, i) => expect(v).toBeCloseTo(c.data[i], 6));
    halves.resetStates();
    const [, fresh] = await halves.run(half(3));
    expect(Array.from(fresh.data)).not.toEqual(Array.from(h2.data));
  });
});
