import '@rnn/backend-cpu';
import { InputError, RnnError, conv1D, createModel, embedding, gru, lstm, maxPooling1D, sequential, type KerasConfig, type RunOptions, type TensorLike } from '@rnn/core';
import { describe, expect, it } from 'vitest';
import '../src/node.js';
import { NODE_BACKENDS } from './helpers.js';

interface BadCall {
  readonly what: string;
  readonly config: KerasConfig;
  readonly input: TensorLike;
  readonly options?: RunOptions;
  readonly code: string;
  readonly field: string;
}

const values = (n: number) => Array.from({ length: n }, (_, i) => i / n);
const lstmConfig = lstm({ units: 3, inputShape: [4, 2] });

const BAD_CALLS: readonly BadCall[] = [
  { what: 'rank 2 input', config: lstmConfig, input: { shape: [4, 2], data: values(8) }, code: 'INPUT', field: 'input' },
  { what: 'wrong feature count', config: lstmConfig, input: { shape: [1, 4, 3], data: values(12) }, code: 'INPUT', field: 'input' },
  { what: 'data shorter than shape', config: lstmConfig, input: { shape: [1, 4, 2], data: values(7) }, code: 'INPUT', field: 'input' },
  {
    what: 'mask of the wrong shape',
    config: lstmConfig,
    input: { shape: [1, 4, 2], data: values(8) },
    options: { mask: { shape: [1, 3], data: [1, 1, 0] } },
    code: 'INPUT',
    field: 'mask',
  },
  {
    what: 'mask value that is not 0 or 1',
    config: lstmConfig,
    input: { shape: [1, 4, 2], data: values(8) },
    options: { mask: { shape: [1, 4], data: [1, 0.5, 1, 1] } },
    code: 'INPUT',
    field: 'mask',
  },
  {
    what: 'too few initial states',
    config: lstmConfig,
    input: { shape: [1, 4, 2], data: values(8) },
    options: { initialState: [{ shape: [1, 3], data: [0, 0, 0] }] },
    code: 'INPUT',
    field: 'initialState',
  },
  {
    what: 'initial state of the wrong batch',
    config: gru({ units: 3, inputShape: [4, 2] }),
    input: { shape: [1, 4, 2], data: values(8) },
    options: { initialState: [{ shape: [2, 3], data: values(6) }] },
    code: 'INPUT',
    field: 'initialState[0]',
  },
  {
    what: 'token id outside the vocabulary',
    config: sequential([embedding({ inputDim: 5, outputDim: 2 }), gru({ units: 2 })], { inputShape: [3] }),
    input: { shape: [1, 3], data: [1, 5, 2] },
    code: 'INPUT',
    field: 'input',
  },
];

async function errorOf(backend: string, bad: BadCall): Promise<RnnError> {
  const model = await createModel(bad.config, { backend, seed: 1 });
  try {
    await model.run(bad.input, bad.options);
  } catch (error) {
    return error as RnnError;
  } finally {
    await model.dispose();
  }
  throw new Error(`${bad.what}: ${backend} accepted it`);
}

describe.each(NODE_BACKENDS)('bad input on $name', ({ name }) => {
  it.each(BAD_CALLS.map((bad) => [bad.what, bad] as const))('%s: the same typed error as the cpu backend', async (_what, bad) => {
    const [ours, reference] = [await errorOf(name, bad), await errorOf('cpu', bad)];
    expect(ours).toBeInstanceOf(RnnError);
    expect({ code: ours.code, field: ours.field }).toEqual({ code: bad.code, field: bad.field });
    expect({ type: ours.constructor, message: ours.message, layer: ours.layer, expected: ours.expected, actual: ours.actual }).toEqual({
      type: reference.constructor,
      message: reference.message,
      layer: reference.layer,
      expected: reference.expected,
      actual: reference.actual,
    });
  });

  it('refuses a run after dispose with DisposedError, as the cpu backend does', async () => {
    const model = await createModel(lstmConfig, { backend: name, seed: 1 });
    await model.dispose();
    expect(() => model.run({ shape: [1, 4, 2], data: values(8) })).toThrowError(expect.objectContaining({ code: 'DISPOSED' }));
  });

  it('refuses an input shorter than a valid Conv1D or pooling window with InputError naming the layer', async () => {
    // Timesteps are open (null), so only the run can tell; tfjs cannot make a window that does not fit.
    const cases = [
      { config: sequential([conv1D({ filters: 1, kernelSize: 3, dilationRate: 2, name: 'wide' })], { inputShape: [null, 1] }), span: 5 },
      { config: sequential([maxPooling1D({ poolSize: 4, name: 'wide' })], { inputShape: [null, 1] }), span: 4 },
    ];
    for (const { config, span } of cases) {
      const model = await createModel(config, { backend: name, seed: 1 });
      try {
        await expect(model.run({ shape: [1, 3, 1], data: [1, 2, 3] })).rejects.toThrowError(
          expect.objectContaining({ constructor: InputError, layer: 'wide', field: 'timesteps', expected: span, actual: 3 }),
        );
      } finally {
        await model.dispose();
      }
    }
  });
});
