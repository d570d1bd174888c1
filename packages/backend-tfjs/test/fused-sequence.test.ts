import '../src/node.js';
import * as tf from '@tensorflow/tfjs-core';
import { bidirectional, createModel, dense, gru, lstm, sequential } from '@rnn/core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FUSED_SEQUENCE_BACKENDS, RECURRENT_SEQUENCE_KERNEL } from '../src/fused-sequence.js';
import { NODE_BACKENDS, useTfBackend } from './helpers.js';

const config = sequential([bidirectional(lstm({ units: 4, returnSequences: true })), gru({ units: 3, returnSequences: true }), dense({ units: 2 })], {
  inputShape: [6, 3],
});
const input = { shape: [2, 6, 3], data: Array.from({ length: 36 }, (_, i) => Math.cos(i)) };

beforeAll(() => useTfBackend('cpu'));
afterEach(() => vi.restoreAllMocks());

describe.each(NODE_BACKENDS)('recurrent layers on $name', ({ name, tfBackend }) => {
  it('are one RnnRecurrentSequence kernel per direction; the other layers stay tfjs ops', async () => {
    expect(FUSED_SEQUENCE_BACKENDS).toContain(tfBackend);
    const model = await createModel(config, { backend: name, seed: 5 });
    const profile = await tf.profile(async () => {
      await model.run(input);
    });
    // Two for the Bidirectional LSTM, one for the GRU; no per-step kernel such as the recurrent _FusedMatMul.
    expect(profile.kernels.filter((k) => k.name === RECURRENT_SEQUENCE_KERNEL)).toHaveLength(3);
    expect(profile.kernels.filter((k) => k.name === '_FusedMatMul')).toHaveLength(1);
    await model.dispose();
  });

  it('registers the kernel once, however many models compile', async () => {
    const warn = vi.spyOn(console, 'warn');
    const models = [await createModel(config, { backend: name, seed: 1 }), await createModel(config, { backend: name, seed: 2 })];
    expect(tf.getKernel(RECURRENT_SEQUENCE_KERNEL, tfBackend)).toBeDefined();
    expect(warn).not.toHaveBeenCalled();
    await Promise.all(models.map((m) => m.dispose()));
  });
});
