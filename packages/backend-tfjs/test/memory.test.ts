import '../src/node.js';
import * as tf from '@tensorflow/tfjs-core';
import {
  averagePooling1D,
  batchNormalization,
  conv1D,
  createModel,
  dense,
  embedding,
  flatten,
  globalAveragePooling1D,
  globalMaxPooling1D,
  gru,
  lstm,
  maxPooling1D,
  repeatVector,
  sequential,
  type Model,
  type ModelSpec,
} from '@rnn/core';
import { loadFixtures, type Fixture } from '@rnn/conformance/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { NODE_BACKENDS, useTfBackend } from './helpers.js';

// Every layer kind, mask pattern, direction and stateful path, without the 500-step spam model
// (its Embedding path is covered by the hand-built model below). `model-` includes the extra/
// models with RepeatVector, Flatten, global pooling, BatchNormalization, Conv1D and 1-D pooling.
const LEAK_CASES = [
  'bi-lstm-mconcat-seq-state-init-masktrail-',
  'bi-gru-mnone-state-masklead-',
  'bi-simplernn-mave-seq-state-sat-',
  'bi-lstm-mconcat-stateful-seq-',
  'gru-resetbefore-seq-state-init-maskmid-',
  'gru-seq-back-masklead-unroll-',
  'lstm-seq-state-maskfull-',
  'lstm-stateful-state-reset-',
  'simplernn-seq-state-sat-',
  'model-',
  'ext-aind-',
  'ext-bilstm-',
  'ext-hko-',
];
const fixtures = loadFixtures()
  .map((f) => f.fixture)
  .filter((f) => LEAK_CASES.some((prefix) => f.id.startsWith(prefix)));

async function runFixture(model: Model, f: Fixture): Promise<void> {
  if (f.sequence) {
    for (const step of f.sequence) {
      if (step.reset_states_before) model.resetStates();
      await model.run(step.inputs);
    }
    return;
  }
  await model.run(f.inputs!, { initialState: f.call.initial_state ?? undefined, mask: f.call.mask ?? undefined });
}

/**
 * The weight tensors a compiled model keeps in tfjs. On cpu and wasm (the fused-kernel backends)
 * recurrent weights live in the kernel's own memory, so only Dense, Conv1D, Embedding,
 * BatchNormalization (its folded per-feature scale and shift) and LayerNormalization (gamma, beta) hold tensors.
 */
function heldWeightTensors(spec: ModelSpec): number {
  return spec.layers.reduce((held, layer) => {
    if (layer.kind === 'dense' || layer.kind === 'conv1d') return held + (layer.useBias ? 2 : 1);
    if (layer.kind === 'batch-normalization') return held + 2;
    if (layer.kind === 'layer-normalization') return held + (layer.scale ? 1 : 0) + (layer.center ? 1 : 0);
    return held + (layer.kind === 'embedding' ? 1 : 0);
  }, 0);
}

/** Compiles, runs three times and disposes, checking tfjs's tensor count at each stage. */
async function expectNoLeak(backend: string, open: () => Promise<Model>, run: (model: Model) => Promise<void>): Promise<void> {
  const before = tf.memory();
  const model = await open();
  const compiled = tf.memory();
  expect(compiled.numTensors - before.numTensors, `${backend}: weight tensors after compile`).toBe(heldWeightTensors(model.spec!));
  for (let i = 0; i < 3; i++) {
    await run(model);
    expect(tf.memory().numTensors, `${backend}: tensors after run ${i + 1}`).toBe(compiled.numTensors);
    expect(tf.memory().numBytes, `${backend}: bytes after run ${i + 1}`).toBe(compiled.numBytes);
  }
  await model.dispose();
  expect(tf.memory().numTensors, `${backend}: tensors after dispose`).toBe(before.numTensors);
  expect(tf.memory().numBytes, `${backend}: bytes after dispose`).toBe(before.numBytes);
}

// tf.memory() needs an active tfjs backend, as the user's own tfjs code would have.
beforeAll(() => useTfBackend('cpu'));

describe.each(NODE_BACKENDS)('tensor lifetime on $name', ({ name }) => {
  it('covers the chosen fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(LEAK_CASES.length + 2);
  });

  it.each(fixtures.map((f) => [f.id, f] as const))('%s leaves no tensor behind', async (_id, f) => {
    await expectNoLeak(name, () => createModel(f.layer, { backend: name, weights: f.weights }), (model) => runFixture(model, f));
  });

  it('an Embedding(mask_zero) → GRU → Dense model leaves no tensor behind', async () => {
    const config = sequential([embedding({ inputDim: 10, outputDim: 4, maskZero: true }), gru({ units: 3 })], { inputShape: [5] });
    const ids = { shape: [2, 5], data: [1, 2, 3, 0, 0, 9, 8, 0, 0, 0] };
    await expectNoLeak(name, () => createModel(config, { backend: name, seed: 3 }), async (model) => {
      await model.run(ids);
    });
  });

  it('a model with every new layer kind (masked average, BatchNormalization, RepeatVector, Conv1D, both 1-D poolings, max, Flatten) leaves no tensor behind', async () => {
    const config = sequential(
      [
        embedding({ inputDim: 10, outputDim: 4, maskZero: true }),
        lstm({ units: 3, returnSequences: true }),
        batchNormalization(),
        globalAveragePooling1D(),
        repeatVector(4),
        gru({ units: 3, returnSequences: true }),
        conv1D({ filters: 4, kernelSize: 2, padding: 'causal', activation: 'relu' }),
        // 4 → 2 steps; 'same' pads one place, so the average is rescaled by a per-step factor tensor.
        averagePooling1D({ poolSize: 3, strides: 2, padding: 'same' }),
        // 2 → 1 step, over −∞ padding.
        maxPooling1D({ poolSize: 3, padding: 'same' }),
        globalMaxPooling1D({ keepDims: true }),
        flatten(),
        dense({ units: 2, activation: 'softmax' }),
      ],
      { inputShape: [5] },
    );
    const ids = { shape: [2, 5], data: [1, 2, 3, 0, 0, 9, 8, 0, 0, 0] };
    await expectNoLeak(name, () => createModel(config, { backend: name, seed: 5 }), async (model) => {
      const [probabilities] = await model.run(ids);
      expect(probabilities.shape).toEqual([2, 2]);
    });
  });

  it('a streaming session leaves no tensor behind', async () => {
    const config = gru({ units: 4, inputShape: [null, 2] });
    await expectNoLeak(name, () => createModel(config, { backend: name, seed: 1 }), async (model) => {
      const stream = model.createStream();
      for (let t = 0; t < 4; t++) await stream.step({ shape: [1, 2], data: [t, -t] });
      stream.dispose();
    });
  });
});
