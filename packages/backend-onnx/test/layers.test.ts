import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import {
  InputError,
  averagePooling1D,
  conv1D,
  convolutionWindow,
  maxPooling1D,
  parseConfig,
  sequential,
  structureWeights,
  tensor,
  type CompiledModel,
} from '@rnn/core';
import { exportOnnx, onnxIoNames, onnxCpu, onnxWebWasm } from '../src/index.js';
import { decodeModel } from '../src/proto.js';
import { LAYER_CASES, WINDOW_CASES } from './layer-cases.js';
import { caseModel, caseRows, checkCaseOnBackend, expectRows } from './layer-checks.js';

/**
 * RepeatVector, Flatten, GlobalAverage/MaxPooling1D, BatchNormalization, Conv1D and
 * Max/AveragePooling1D against hand-computed values: in the runtime graphs of both CPU runtimes, and
 * in exported files run in a plain session.
 */

const cases = [...LAYER_CASES, ...WINDOW_CASES].map((c) => [c.name, c] as const);

describe.each([onnxCpu, onnxWebWasm])('new layers on %s', (backend) => {
  it.each(cases)('%s', async (_name, c) => {
    await checkCaseOnBackend(backend, c);
  });
});

describe('new layers in an exported file', () => {
  it.each(cases)('%s', async (_name, c) => {
    const { spec, weights } = caseModel(c);
    const names = onnxIoNames(spec);
    const session = await ort.InferenceSession.create(exportOnnx(spec, weights), { logSeverityLevel: 3 });
    try {
      for (const rows of [[0, 1], [0]]) {
        const { input, mask } = caseRows(c, rows);
        const feeds: Record<string, ort.Tensor> = { [names.input]: new ort.Tensor('float32', input.data, input.shape) };
        if (names.mask) feeds[names.mask] = mask ? new ort.Tensor('float32', mask.data, mask.shape) : new ort.Tensor('float32', new Float32Array(0), [0, 0]);
        spec.layers.forEach((_layer, i) =>
          names.initialStates[i].forEach((name) => (feeds[name] = new ort.Tensor('float32', new Float32Array(rows.length), [rows.length, 1]))),
        );
        const results = await session.run(feeds);
        const out = results[names.outputs[0]];
        expectRows(c, rows, out.dims, out.data as Float32Array, `export rows [${rows}]`);
      }
    } finally {
      await session.release();
    }
  });

  it('takes a mask input only when a run mask reaches a layer that reads it', () => {
    const maskInputs = (name: string) => {
      const { spec, weights } = caseModel([...LAYER_CASES, ...WINDOW_CASES].find((c) => c.name === name)!);
      return decodeModel(exportOnnx(spec, weights)).graph!.input!.map((i) => i.name);
    };
    expect(maskInputs('GlobalAveragePooling1D with a run mask leaves masked steps out')).toEqual(['input', 'mask']);
    expect(maskInputs('GlobalMaxPooling1D ignores a run mask')).toEqual(['input']);
    expect(maskInputs('Flatten (batch, 3, 2) → (batch, 6) in row-major order')).toEqual(['input']);
    expect(maskInputs("GlobalAveragePooling1D uses Masking's mask")).toEqual(['input']);
    // Conv1D and the poolings drop a run mask before any layer could read it.
    expect(maskInputs('Conv1D drops a run mask: the SimpleRNN after it runs every step')).toEqual(['input', 'simple_rnn.initial_h']);
    expect(maskInputs('MaxPooling1D → SimpleRNN runs the pooled steps')).toEqual(['input', 'simple_rnn.initial_h']);
  });
});

/**
 * Windows over every count of steps from 1 to 12 in graphs that do not know the steps, where the
 * `same` pads depend on T: against a plain loop over the windows core's `convolutionWindow` places
 * (the rule Keras follows), which skips padded places (zeros for Conv1D, left out of the max and the
 * average). Covers fixed pads, `SAME_UPPER` and the `Pad` looked up by `T mod strides`, each remainder.
 */
describe.each([onnxCpu, onnxWebWasm])('Conv1D and 1-D pooling over 1 to 12 unknown steps on %s', (backend) => {
  const FEATURES = 2;
  const signal = (batch: number, steps: number) =>
    Float32Array.from({ length: batch * steps * FEATURES }, (_, i) => (((i * 7 + 3) % 11) - 5) / 2);
  const KERNEL_VALUES = [0.5, -1, 2, 0.25, -0.75, 1.5, 1, -2, 0.125, 3, -0.5, 0.75, 2.5, -1.25, 0.375, -3];

  /** out[b, t, f] over windows of `size` taps; `reduce` folds the real places of one window. */
  function expectedWindows(x: Float32Array, batch: number, steps: number, size: number, strides: number, dilation: number, padding: 'valid' | 'same' | 'causal', outFeatures: number, reduce: (places: number[], f: number) => number): Float32Array {
    const { outSteps, padBefore } = convolutionWindow(steps, size, strides, dilation, padding);
    const out = new Float32Array(batch * outSteps * outFeatures);
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < outSteps; t++) {
        const places = Array.from({ length: size }, (_, k) => t * strides + k * dilation - padBefore).map((step) => (step >= 0 && step < steps ? b * steps + step : -1));
        for (let f = 0; f < outFeatures; f++) out[(b * outSteps + t) * outFeatures + f] = reduce(places, f);
      }
    }
    return out;
  }

  const convs = [
    { kernelSize: 3, strides: 2, padding: 'same' },
    { kernelSize: 3, strides: 4, padding: 'same' },
    { kernelSize: 2, strides: 3, padding: 'same' },
    { kernelSize: 4, strides: 2, padding: 'same' },
    { kernelSize: 3, dilationRate: 2, padding: 'same' },
    { kernelSize: 3, strides: 2, padding: 'causal' },
    { kernelSize: 4, strides: 2, padding: 'valid' },
  ] as const;
  it.each(convs.map((o) => [JSON.stringify(o), o] as const))('Conv1D %s', async (_name, options) => {
    const { kernelSize, padding } = options;
    const strides = 'strides' in options ? options.strides : 1;
    const dilation = 'dilationRate' in options ? options.dilationRate : 1;
    const filters = 2;
    const kernel = KERNEL_VALUES.slice(0, kernelSize * FEATURES * filters);
    const bias = [0.25, -0.5];
    const spec = parseConfig(sequential([conv1D({ filters, ...options })], { inputShape: [null, FEATURES] }));
    const compiled = await backend.compile(spec, structureWeights(spec, [{ shape: [kernelSize, FEATURES, filters], data: kernel }, { shape: [filters], data: bias }]));
    try {
      for (let steps = 1; steps <= 12; steps++) {
        for (const batch of [2, 1]) {
          const x = signal(batch, steps);
          const want = expectedWindows(x, batch, steps, kernelSize, strides, dilation, padding, filters, (places, f) =>
            places.reduce((sum, row, k) => (row < 0 ? sum : sum + Array.from({ length: FEATURES }, (_, c) => x[row * FEATURES + c] * kernel[(k * FEATURES + c) * filters + f]).reduce((a, v) => a + v, 0)), bias[f]),
          );
          await expectWindows(compiled, x, batch, steps, want, filters);
        }
      }
    } finally {
      await compiled.dispose();
    }
  });

  const pools = [
    { poolSize: 2, padding: 'same' },
    { poolSize: 3, strides: 4, padding: 'same' },
    { poolSize: 2, strides: 3, padding: 'same' },
    { poolSize: 4, strides: 3, padding: 'same' },
    { poolSize: 3, strides: 1, padding: 'same' },
    { poolSize: 3, strides: 2, padding: 'valid' },
  ] as const;
  it.each(pools.flatMap((o) => (['max', 'average'] as const).map((pooling) => [`${pooling} ${JSON.stringify(o)}`, pooling, o] as const)))('%s', async (_name, pooling, options) => {
    const strides = 'strides' in options ? options.strides : options.poolSize;
    const layer = pooling === 'max' ? maxPooling1D(options) : averagePooling1D(options);
    const spec = parseConfig(sequential([layer], { inputShape: [null, FEATURES] }));
    const compiled = await backend.compile(spec, []);
    try {
      for (let steps = 1; steps <= 12; steps++) {
        for (const batch of [2, 1]) {
          const x = signal(batch, steps);
          const want = expectedWindows(x, batch, steps, options.poolSize, strides, 1, options.padding, FEATURES, (places, f) => {
            const values = places.filter((row) => row >= 0).map((row) => x[row * FEATURES + f]);
            return pooling === 'max' ? Math.max(...values) : values.reduce((a, v) => a + v, 0) / values.length;
          });
          await expectWindows(compiled, x, batch, steps, want, FEATURES);
        }
      }
    } finally {
      await compiled.dispose();
    }
  });

  /** A call with fewer steps than a `valid` window is refused (Keras's answer is an empty sequence). */
  async function expectWindows(compiled: CompiledModel, x: Float32Array, batch: number, steps: number, want: Float32Array, outFeatures: number): Promise<void> {
    const call = compiled.run({ input: tensor(x, [batch, steps, FEATURES]), mask: null, initialStates: [null] });
    if (want.length === 0) {
      await expect(call).rejects.toThrow(InputError);
      return;
    }
    const [out] = (await call).outputs;
    const where = `${steps} steps, batch ${batch}`;
    expect(out.shape, where).toEqual([batch, want.length / batch / outFeatures, outFeatures]);
    want.forEach((w, i) => expect(Math.abs(out.data[i] - w) / Math.max(1, Math.abs(w)), `${where}[${i}]: got ${out.data[i]}, want ${w}`).toBeLessThanOrEqual(1e-5));
  }
});

describe('too few steps for a valid window', () => {
  it('is core\'s InputError naming the layer and the steps it needs, not an ONNX Runtime failure or a partial window', async () => {
    const spec = parseConfig(sequential([conv1D({ filters: 1, kernelSize: 2 }), maxPooling1D({ poolSize: 3 })], { inputShape: [null, 1] }));
    const compiled = await onnxCpu.compile(spec, structureWeights(spec, [{ shape: [2, 1, 1], data: [1, 1] }, { shape: [1], data: [0] }]));
    try {
      // Conv1D: T − 1 steps; the pooling needs 3 of them, so T ≥ 4.
      const run = (steps: number) => compiled.run({ input: tensor(new Float32Array(steps), [1, steps, 1]), mask: null, initialStates: [null, null] });
      await expect(run(3)).rejects.toMatchObject({ code: 'INPUT', layer: 'max_pooling1d', field: 'timesteps', expected: 3, actual: 2 });
      await expect(run(1)).rejects.toMatchObject({ layer: 'conv1d', expected: 2, actual: 1 });
      expect((await run(4)).outputs[0].shape).toEqual([1, 1, 1]);
    } finally {
      await compiled.dispose();
    }
  });

  it('fails compile when the input shape fixes too few steps', async () => {
    const spec = parseConfig(sequential([conv1D({ filters: 1, kernelSize: 3 })], { inputShape: [2, 1] }));
    const weights = structureWeights(spec, [{ shape: [3, 1, 1], data: [1, 1, 1] }, { shape: [1], data: [0] }]);
    await expect(onnxCpu.compile(spec, weights)).rejects.toMatchObject({ code: 'INPUT', layer: 'conv1d', expected: 3, actual: 2 });
  });
});
