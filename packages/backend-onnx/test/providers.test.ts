import { describe, expect, it } from 'vitest';
import {
  BackendError,
  DisposedError,
  createModel,
  getRegisteredBackend,
  initializeWeights,
  listBackends,
  lstm,
  masking,
  parseConfig,
  sequential,
  resolveBackend,
  tensor,
} from '@rnn/core';
import { onnxCpu, onnxCuda, onnxWebWasm } from '../src/index.js';

/** Registration, availability, typed errors for missing providers, and the compiled model's lifecycle. */

const spec = parseConfig(lstm({ units: 3, returnSequences: true, returnState: true, inputShape: [4, 2] }));
const weights = initializeWeights(spec, 7);
const input = tensor(Array.from({ length: 2 * 4 * 2 }, (_, i) => Math.sin(i)), [2, 4, 2]);

describe('registration', () => {
  it('registers the Node entry backends by name, GPU first', () => {
    const names = listBackends().filter((n) => n.startsWith('onnx'));
    expect(names).toEqual(['onnx:cuda', 'onnx:cpu', 'onnx:webgpu', 'onnx-web:wasm']);
    expect(getRegisteredBackend('onnx:cpu')).toBe(onnxCpu);
  });
});

describe('available providers', () => {
  it.each([
    [onnxCpu, /^onnxruntime-node 1\.\d+/],
    [onnxWebWasm, /^onnxruntime-web 1\.\d+/],
  ])('%s is available and says which runtime it is', async (backend, detail) => {
    const availability = await backend.available();
    expect(availability.ok).toBe(true);
    expect(availability.ok && availability.detail).toMatch(detail);
  });

  it.each([onnxCpu, onnxWebWasm])('a model compiled on %s reports its provider and runs the same numbers', async (backend) => {
    const compiled = await backend.compile(spec, weights);
    expect(compiled.backend).toBe(backend.name);
    const result = await compiled.run({ input, mask: null, initialStates: [null] });
    expect(result.outputs.map((o) => o.shape)).toEqual([[2, 4, 3], [2, 3], [2, 3]]);
    // The final states are the `h` and `c` outputs, and the last step of the sequence is `h`.
    expect(result.finalStates[0]!.map((s) => Array.from(s.data))).toEqual([Array.from(result.outputs[1].data), Array.from(result.outputs[2].data)]);
    expect(Array.from(result.outputs[0].data.slice(9, 12))).toEqual(Array.from(result.outputs[1].data.slice(0, 3)));
    await compiled.dispose();
  });
});

describe('a provider that is not installed (CUDA on this machine)', () => {
  const hasCuda = async () => (await onnxCuda.available()).ok;

  it('is reported unavailable with what is missing and how to get it', async (context) => {
    if (await hasCuda()) context.skip('this machine has a working CUDA provider');
    const availability = await onnxCuda.available();
    expect(availability.ok).toBe(false);
    const reason = availability.ok ? '' : availability.reason;
    expect(reason).toContain('libonnxruntime_providers_cuda.so');
    expect(reason).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12');
  });

  it('fails compile with a typed BackendError, never falling back to another provider', async (context) => {
    if (await hasCuda()) context.skip('this machine has a working CUDA provider');
    const failure = await onnxCuda.compile(spec, weights).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BackendError);
    expect((failure as BackendError).code).toBe('BACKEND');
    expect((failure as BackendError).message).toMatch(/^backend "onnx:cuda" is not available: .*CUDA provider did not start/);
    await expect(resolveBackend('onnx:cuda')).rejects.toBeInstanceOf(BackendError);
    await expect(createModel(lstm({ units: 3, inputShape: [4, 2] }), { backend: 'onnx:cuda' })).rejects.toBeInstanceOf(BackendError);
  });

  it('leaves TF32 off for CUDA unless the user chose otherwise', async () => {
    await onnxCuda.available();
    expect(process.env.NVIDIA_TF32_OVERRIDE).toBe('0');
  });
});

describe('outputs that are also states', () => {
  it('returns h both as an output and as the final state, in a graph without a mask input', async () => {
    const masked = parseConfig(sequential([masking(0), lstm({ units: 3, returnState: true })], { inputShape: [4, 2] }));
    const compiled = await onnxCpu.compile(masked, initializeWeights(masked, 3));
    const result = await compiled.run({ input, mask: null, initialStates: [null, null] });
    expect(result.outputs.map((o) => o.shape)).toEqual([[2, 3], [2, 3], [2, 3]]);
    const [h, c] = result.finalStates[1]!;
    expect(Array.from(h.data)).toEqual(Array.from(result.outputs[1].data));
    expect(Array.from(c.data)).toEqual(Array.from(result.outputs[2].data));
    expect(Array.from(result.outputs[0].data)).toEqual(Array.from(h.data));
    await compiled.dispose();
  });
});

describe('compiled model lifecycle', () => {
  it('runs calls with and without a mask (the masked graph loads on first use) and rejects calls after dispose', async () => {
    const compiled = await onnxCpu.compile(spec, weights);
    const plain = await compiled.run({ input, mask: null, initialStates: [null] });
    const allReal = await compiled.run({ input, mask: tensor(new Array(8).fill(1), [2, 4]), initialStates: [null] });
    // The masked branch (Scan) and the unmasked one (LSTM operator) agree when every step is real.
    plain.outputs.forEach((o, i) => o.data.forEach((v, k) => expect(allReal.outputs[i].data[k]).toBeCloseTo(v, 5)));
    const lastMasked = await compiled.run({ input, mask: tensor([1, 1, 1, 0, 1, 1, 1, 0], [2, 4]), initialStates: [null] });
    // A masked last step repeats the previous output and keeps the states.
    expect(Array.from(lastMasked.outputs[0].data.slice(9, 12))).toEqual(Array.from(lastMasked.outputs[0].data.slice(6, 9)));
    expect(Array.from(lastMasked.outputs[1].data.slice(0, 3))).toEqual(Array.from(lastMasked.outputs[0].data.slice(6, 9)));
    await compiled.dispose();
    await expect(compiled.run({ input, mask: null, initialStates: [null] })).rejects.toBeInstanceOf(DisposedError);
    await compiled.dispose();
  });

  it('runs calls that drop their states on a graph without them, with the same outputs', async () => {
    // gelu is not an ONNX recurrent-operator activation: the layer is a Scan, which starts from zeros it makes itself.
    for (const config of [
      lstm({ units: 3, returnSequences: true, returnState: true, inputShape: [4, 2] }),
      lstm({ units: 3, activation: 'gelu', returnSequences: true, inputShape: [4, 2] }),
    ]) {
      const model = parseConfig(config);
      const compiled = await onnxCpu.compile(model, initializeWeights(model, 5));
      const withStates = await compiled.run({ input, mask: null, initialStates: [null] });
      const without = await compiled.run({ input, mask: null, initialStates: [null], returnStates: false });
      expect(without.finalStates).toEqual([null]);
      expect(withStates.finalStates[0]).toHaveLength(2);
      without.outputs.forEach((o, i) => expect(Array.from(o.data)).toEqual(Array.from(withStates.outputs[i].data)));
      // Given initial states still reach the layer when the final ones are not wanted.
      const resumed = await compiled.run({ input, mask: null, initialStates: [withStates.finalStates[0]], returnStates: false });
      expect(Array.from(resumed.outputs[0].data)).not.toEqual(Array.from(without.outputs[0].data));
      await compiled.dispose();
    }
  });

  it('reads the caller\'s input array at every call: the same array again, changed in place or with other dimensions', async () => {
    const model = parseConfig(lstm({ units: 3, returnSequences: true, inputShape: [null, 2] }));
    const compiled = await onnxCpu.compile(model, initializeWeights(model, 3));
    const run = async (shape: number[], data: Float32Array) => {
      const { outputs } = await compiled.run({ input: { shape, data }, mask: null, initialStates: [null], returnStates: false });
      return { shape: outputs[0].shape, data: Array.from(outputs[0].data) };
    };
    // Batch 1 runs the time-major graph, batch 2 the batch-major one.
    for (const shape of [[1, 12, 2], [2, 6, 2]]) {
      const data = Float32Array.from({ length: 24 }, (_, i) => Math.cos(i));
      const first = await run(shape, data);
      data[0] += 1;
      const changed = await run(shape, data);
      expect(changed.data).not.toEqual(first.data);
      expect(changed).toEqual(await run(shape, data.slice()));
    }
    const data = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i));
    await run([2, 6, 2], data);
    const regrouped = await run([4, 3, 2], data);
    expect(regrouped.shape).toEqual([4, 3, 3]);
    expect(regrouped).toEqual(await run([4, 3, 2], data.slice()));
    await compiled.dispose();
  });

  it('feeds given initial states and returns the final ones for the next call', async () => {
    const compiled = await onnxCpu.compile(spec, weights);
    const first = await compiled.run({ input, mask: null, initialStates: [null] });
    const resumed = await compiled.run({ input, mask: null, initialStates: [first.finalStates[0]] });
    const fresh = await compiled.run({ input, mask: null, initialStates: [null] });
    expect(Array.from(fresh.outputs[0].data)).toEqual(Array.from(first.outputs[0].data));
    expect(Array.from(resumed.outputs[0].data)).not.toEqual(Array.from(first.outputs[0].data));
    await compiled.dispose();
  });
});
