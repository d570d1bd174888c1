import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BackendError,
  ConfigError,
  DisposedError,
  InputError,
  UnsupportedError,
  bidirectional,
  createModel,
  dense,

  embedding,
  flatten,
  gru,
  lstm,
  registerBackend,
  resolveBackend,
  sequential,
  simpleRNN,
  tensor,
  unregisterBackend,
  zeros,
} from '../src/index.js';
import { counterBackend } from './fake-backend.js';

let backend: ReturnType<typeof counterBackend>;

beforeEach(() => {
  backend = counterBackend();
  registerBackend(backend, 100);
});

afterEach(() => {
  unregisterBackend('counter');
});

const x = (batch: number, steps: number, features: number, value = 0.5) =>
  tensor(new Float32Array(batch * steps * features).fill(value), [batch, steps, features]);

describe('createModel and run', () => {
  it('returns outputs in Keras order with their names and shapes', async () => {
    const model = await createModel(lstm({ units: 3, returnSequences: true, returnState: true, inputShape: [4, 5] }), {
      backend: 'counter',
    });
    const outputs = await model.run(x(2, 4, 5));
    expect(outputs.map((o) => o.name)).toEqual(['output', 'h', 'c']);
    expect(outputs.map((o) => o.shape)).toEqual([[2, 4, 3], [2, 3], [2, 3]]);
    expect(model.backend).toBe('counter');
    expect(model.getWeights().map((w) => w.shape)).toEqual([[5, 12], [3, 12], [12]]);
  });

  it('builds a config without input shape on its first call, from the input features', async () => {
    const model = await createModel(gru({ units: 2 }), { backend: 'counter' });
    expect(model.spec).toBeNull();
    await model.run(x(1, 3, 7));
    expect(model.spec?.input.features).toBe(7);
    expect(model.getWeights()[0].shape).toEqual([7, 6]);
  });

  it('reads the input features from the config before the weights, whose first kernel may follow a Flatten', async () => {
    const config = sequential([flatten(), dense({ units: 1 })], { inputShape: [2, 3] });
    const model = await createModel(config, { backend: 'counter', weights: [zeros([6, 1]), zeros([1])] });
    expect(model.spec?.input.features).toBe(3);
    expect(model.spec?.layers[1]).toMatchObject({ kind: 'dense', inputDim: 6 });
  });

  it('takes the input features from the weights when the config lacks them', async () => {
    const weights = [zeros([6, 2]), zeros([2, 2]), zeros([2])];
    const model = await createModel(simpleRNN({ units: 2 }), { backend: 'counter', weights });
    expect(model.spec?.input.features).toBe(6);
  });

  it('passes explicit initial states and masks through to the backend', async () => {
    const model = await createModel(lstm({ units: 2, inputShape: [3, 1] }), { backend: 'counter' });
    const h = tensor([1, 2, 3, 4], [2, 2]);
    const c = tensor([5, 6, 7, 8], [2, 2]);
    const mask = tensor([1, 0, 1, 1, 1, 1], [2, 3]);
    await model.run(x(2, 3, 1), { initialState: [h, c], mask });
    const request = backend.requests.at(-1)!;
    expect(request.initialStates[0]?.map((s) => Array.from(s.data))).toEqual([[1, 2, 3, 4], [5, 6, 7, 8]]);
    expect(Array.from(request.mask!.data)).toEqual([1, 0, 1, 1, 1, 1]);
  });

  it('tells the backend whether it reads the final states: only stateful models and streams do', async () => {
    const plain = await createModel(lstm({ units: 2, inputShape: [3, 1] }), { backend: 'counter' });
    await plain.run(x(1, 3, 1));
    expect(backend.requests.at(-1)!.returnStates).toBe(false);
    await plain.createStream().step(tensor([1], [1, 1]));
    expect(backend.requests.at(-1)!.returnStates).not.toBe(false);
    const stateful = await createModel(lstm({ units: 2, stateful: true, inputShape: [3, 1] }), { backend: 'counter' });
    await stateful.run(x(1, 3, 1));
    expect(backend.requests.at(-1)!.returnStates).toBe(true);
  });
});

describe('stateful layers', () => {
  it('carry states between calls until resetStates()', async () => {
    const model = await createModel(simpleRNN({ units: 2, stateful: true, inputShape: [3, 1] }), { backend: 'counter' });
    const first = await model.run(x(1, 3, 1));
    const second = await model.run(x(1, 3, 1));
    expect(first[0].data[0]).toBe(3);
    expect(second[0].data[0]).toBe(6);
    model.resetStates();
    const third = await model.run(x(1, 3, 1));
    expect(third[0].data[0]).toBe(3);
  });

  it('keep the batch size of the first call', async () => {
    const model = await createModel(gru({ units: 2, stateful: true, inputShape: [3, 1] }), { backend: 'counter' });
    await model.run(x(2, 3, 1));
    await expect(model.run(x(3, 3, 1))).rejects.toThrow(/keeps batch size 2 until resetStates\(\); got batch 3/);
    model.resetStates();
    await expect(model.run(x(3, 3, 1))).resolves.toHaveLength(1);
  });

  it('do not carry states for non-stateful layers', async () => {
    const model = await createModel(simpleRNN({ units: 2, inputShape: [3, 1] }), { backend: 'counter' });
    await model.run(x(1, 3, 1));
    const second = await model.run(x(1, 3, 1));
    expect(second[0].data[0]).toBe(3);
  });

  it('serialise concurrent calls so no state update is lost', async () => {
    const model = await createModel(simpleRNN({ units: 1, stateful: true, inputShape: [1, 1] }), { backend: 'counter' });
    const results = await Promise.all([1, 2, 3, 4].map(() => model.run(x(1, 1, 1))));
    expect(results.map((r) => r[0].data[0])).toEqual([1, 2, 3, 4]);
  });

  it('start an idle model\'s call at once, and a call behind a pending one only after it settles', async () => {
    const model = await createModel(simpleRNN({ units: 1, stateful: true, inputShape: [1, 1] }), { backend: 'counter' });
    const before = backend.requests.length;
    const first = model.run(x(1, 1, 1));
    expect(backend.requests.length).toBe(before + 1);
    const second = model.run(x(1, 1, 1));
    expect(backend.requests.length).toBe(before + 1);
    await first;
    await second;
    expect(backend.requests.length).toBe(before + 2);
    // A rejected call does not stall the queue: the model is idle again after it.
    await expect(model.run(x(2, 1, 1))).rejects.toThrow(/keeps batch size 1/);
    void model.run(x(1, 1, 1));
    expect(backend.requests.length).toBe(before + 3);
  });

  it('count a call as ended however it fails: the calls queued behind it run, then the model is idle', async () => {
    const inner = counterBackend('flaky');
    registerBackend({
      ...inner,
      async compile(spec, weights, options) {
        const compiled = await inner.compile(spec, weights, options);
        return { ...compiled, run: (request) => (request.input.data[0] < 0 ? Promise.reject(new Error('backend failed')) : compiled.run(request)) };
      },
    });
    try {
      const model = await createModel(simpleRNN({ units: 1, stateful: true, inputShape: [1, 1] }), { backend: 'flaky' });
      // Rejected by the backend, after the call started; a call queued behind it still runs.
      const failing = model.run(x(1, 1, 1, -1));
      const queued = model.run(x(1, 1, 1));
      await expect(failing).rejects.toThrow('backend failed');
      expect((await queued)[0].data[0]).toBe(1);
      // Refused before reaching the backend (data does not fit the shape).
      await expect(model.run({ shape: [1, 1, 1], data: [1, 2] })).rejects.toBeInstanceOf(InputError);
      const before = inner.requests.length;
      const next = model.run(x(1, 1, 1));
      expect(inner.requests.length).toBe(before + 1);
      expect((await next)[0].data[0]).toBe(2);
    } finally {
      unregisterBackend('flaky');
    }
  });
});

describe('streams', () => {
  it('carry every recurrent layer state from step to step, independently per stream', async () => {
    const model = await createModel(sequential([lstm({ units: 2, returnSequences: true }), simpleRNN({ units: 3 })], { inputShape: [null, 4] }), {
      backend: 'counter',
    });
    const a = model.createStream();
    const b = model.createStream();
    const step = tensor(new Float32Array(4).fill(1), [1, 4]);
    await a.step(step);
    await a.step(step);
    const out = await b.step(step);
    expect(out[0].data[0]).toBe(1);
    expect(a.layerStates[1]?.[0].data[0]).toBe(2);
    expect(backend.requests.at(-1)!.input.shape).toEqual([1, 1, 4]);
    a.reset();
    expect(a.layerStates).toEqual([]);
  });

  it('refuse layers that need the whole sequence', async () => {
    const model = await createModel(bidirectional(lstm({ units: 2 }), { inputShape: [null, 3] }), { backend: 'counter' });
    const stream = model.createStream();
    await expect(stream.step(zeros([1, 3]))).rejects.toBeInstanceOf(UnsupportedError);
    const backwards = await createModel(gru({ units: 2, goBackwards: true, inputShape: [null, 3] }), { backend: 'counter' });
    await expect(backwards.createStream().step(zeros([1, 3]))).rejects.toThrow(/go_backwards/);
  });

  it('keep their batch size until reset', async () => {
    const model = await createModel(gru({ units: 2, inputShape: [null, 3] }), { backend: 'counter' });
    const stream = model.createStream();
    await stream.step(zeros([2, 3]));
    await expect(stream.step(zeros([1, 3]))).rejects.toThrow(/carries batch size 2; got 1/);
  });
});

describe('input validation gives typed errors naming the layer, field and shapes', () => {
  const build = () => createModel(lstm({ name: 'enc', units: 3, inputShape: [4, 5] }), { backend: 'counter' });

  it('wrong rank', async () => {
    const model = await build();
    const error = await model.run(zeros([4, 5])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ layer: 'enc', field: 'input' });
    expect(String(error)).toMatch(/enc: input must have rank 3 \(batch, timesteps, 5\), got shape \(4, 5\)/);
  });

  it('wrong feature size', async () => {
    const model = await build();
    await expect(model.run(x(1, 4, 6))).rejects.toThrow(/enc: input has 6 features per step, the layer expects 5/);
  });

  it('mask shape and values', async () => {
    const model = await build();
    await expect(model.run(x(2, 4, 5), { mask: zeros([2, 3]) })).rejects.toThrow(/mask must have shape \(2, 4\).*got \(2, 3\)/);
    await expect(model.run(x(1, 4, 5), { mask: tensor([1, 0.5, 1, 1], [1, 4]) })).rejects.toThrow(/mask values must be 0 or 1, got 0.5/);
  });

  it('initial state count and shapes', async () => {
    const model = await build();
    await expect(model.run(x(2, 4, 5), { initialState: [zeros([2, 3])] })).rejects.toThrow(/enc: initialState needs 2 tensors \(h, c\), got 1/);
    await expect(model.run(x(2, 4, 5), { initialState: [zeros([2, 3]), zeros([1, 3])] })).rejects.toThrow(
      /enc: initialState\[1\] \(c\) must have shape \(2, 3\), got \(1, 3\)/,
    );
  });

  it('token ids outside the vocabulary', async () => {
    const model = await createModel(sequential([embedding({ inputDim: 10, outputDim: 4, maskZero: true }), gru({ units: 2 })]), {
      backend: 'counter',
    });
    await expect(model.run(tensor([1, 2, 10], [1, 3]))).rejects.toThrow(/embedding: token ids must be integers in \[0, 10\), got 10/);
    await expect(model.run(tensor([1, 2.5, 3], [1, 3]))).rejects.toThrow(/got 2.5/);
  });

  it('a disposed model', async () => {
    const model = await build();
    await model.dispose();
    expect(backend.disposed).toBe(1);
    expect(() => model.run(x(1, 4, 5))).toThrow(DisposedError);
  });
});

describe('backend registry', () => {
  it('names unknown backends and lists the registered ones', async () => {
    await expect(resolveBackend('nope')).rejects.toBeInstanceOf(BackendError);
    await expect(resolveBackend('nope')).rejects.toThrow(/registered: .*counter/);
  });

  it('reports why an unavailable backend cannot run, with no fallback', async () => {
    registerBackend({ name: 'broken', available: async () => ({ ok: false, reason: 'no GPU adapter' }), compile: async () => { throw new Error('unreachable'); } });
    try {
      await expect(createModel(gru({ units: 2, inputShape: [2, 2] }), { backend: 'broken' })).rejects.toThrow(/"broken" is not available: no GPU adapter/);
    } finally {
      unregisterBackend('broken');
    }
  });

  it('refuses a spec the backend does not support', async () => {
    registerBackend({ ...counterBackend('picky'), supports: () => ({ ok: false, reason: 'no GRU' }) });
    try {
      await expect(createModel(gru({ units: 2, inputShape: [2, 2] }), { backend: 'picky' })).rejects.toThrow(/cannot run .*: no GRU/);
    } finally {
      unregisterBackend('picky');
    }
  });
});

describe('configs', () => {
  it('rejects unknown layer classes with a ConfigError', async () => {
    await expect(createModel({ class_name: 'ConvLSTM2D', config: { name: 'conv', units: 2 } }, { backend: 'counter' })).rejects.toBeInstanceOf(
      ConfigError,
    );
  });
});
