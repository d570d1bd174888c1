import { ACTIVATION_FUNCTIONS, GATE_COUNT, type ElementwiseActivation, type ModelSpec, type RecurrentLayerSpec, type Tensor } from '@rnn/core';
import { describe, expect, it, vi } from 'vitest';
import { cpuBackend, cpuJsBackend } from '../src/index.js';
import { ABI_CONSTANTS, PANEL_WIDTH, WASM_ACTIVATIONS } from '../src/wasm/abi.js';
import { KernelHeap } from '../src/wasm/heap.js';
import { instantiateKernels, wasmKernelsUnavailable } from '../src/wasm/module.js';
import { packPanels } from '../src/wasm/recurrent.js';
import { bidirectional, model, recurrent, rnnWeights } from './specs.js';

/** Deterministic values in [-scale, scale). */
function values(count: number, seed: number, scale = 1): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 2 ** 32 - 0.5) * 2 * scale;
  });
}

async function freshHeap(): Promise<KernelHeap> {
  return new KernelHeap(await instantiateKernels());
}

describe('kernel module', () => {
  it('runs here (Node has WebAssembly SIMD) and exports the codes the TypeScript side assumes', async () => {
    expect(wasmKernelsUnavailable()).toBeNull();
    const exports = (await instantiateKernels()) as unknown as Record<string, { value: number }>;
    for (const [name, value] of Object.entries(ABI_CONSTANTS)) expect([name, exports[name].value]).toEqual([name, value]);
  });

  it('evaluates each activation within 2e-7 of @rnn/core’s formula (|error| / max(1, |want|)), with correct limits', async () => {
    const heap = await freshHeap();
    // A dense grid over [-20, 20] plus values around the series/saturation boundaries.
    const grid = Float32Array.from([...values(20001, 1, 20), 0, -0, 0.1249, 0.1251, -0.1251, 1e-30, -1e-30, 9, -9, 50, -50, 100, -100, 1e4, -1e4]);
    const address = heap.scratch(grid.length * 4);
    for (const [name, code] of Object.entries(WASM_ACTIVATIONS) as [ElementwiseActivation, number][]) {
      heap.floats.set(grid, address / 4);
      heap.kernels.activate(code, address, address, grid.length);
      const got = heap.floats.subarray(address / 4, address / 4 + grid.length);
      let worst = 0;
      grid.forEach((x, i) => {
        const want = ACTIVATION_FUNCTIONS[name](x);
        worst = Math.max(worst, Math.abs(got[i] - want) / Math.max(1, Math.abs(want)));
      });
      expect([name, worst < 2e-7]).toEqual([name, true]);
    }
    heap.floats.set([0, -0, 1e-30, 1e4, -1e4], address / 4);
    heap.kernels.activate(WASM_ACTIVATIONS.tanh!, address, address, 5);
    expect(Array.from(heap.floats.subarray(address / 4, address / 4 + 5))).toEqual([0, -0, Math.fround(1e-30), 1, -1]);
    expect(Object.is(heap.floats[address / 4], 0)).toBe(true);
  });

  it('gemm matches a naive product for every blocking path, strides and a bias', async () => {
    // rows 9 = two 4-row blocks + 1 leftover; 5 panels = one 4-panel group + 1 for the leftover row.
    for (const [rows, inner, cols] of [
      [9, 7, 37],
      [1, 3, 8],
      [4, 1, 5],
      [2, 300, 70],
    ]) {
      const heap = await freshHeap();
      const aStride = inner + 3;
      const a = values(rows * aStride, rows + inner);
      const w = values(inner * cols, cols);
      const bias = values(cols, 7);
      const panels = Math.ceil(cols / PANEL_WIDTH);
      const outStride = panels * PANEL_WIDTH + 4;
      const packed = heap.store(packPanels(w, inner, cols, 0, cols));
      const paddedBias = new Float32Array(panels * PANEL_WIDTH);
      paddedBias.set(bias);
      const biasAddress = heap.store(paddedBias);
      for (const withBias of [true, false]) {
        heap.resetScratch();
        const aAddress = heap.scratch(a.length * 4);
        const out = heap.scratch(rows * outStride * 4);
        heap.floats.set(a, aAddress / 4);
        heap.kernels.gemm(aAddress, aStride, rows, inner, packed, panels, withBias ? biasAddress : 0, out, outStride);
        for (let r = 0; r < rows; r++) {
          for (let j = 0; j < cols; j++) {
            let want = withBias ? bias[j] : 0;
            for (let k = 0; k < inner; k++) want += a[r * aStride + k] * w[k * cols + j];
            expect(heap.floats[out / 4 + r * outStride + j]).toBeCloseTo(want, 4);
          }
        }
      }
    }
  });

  it('packs panels column block by column block, zero-padded', () => {
    // (inner 2, cols 10), columns 1..9: panel 0 = columns 1..8, panel 1 = column 9 + 7 zeros.
    const matrix = Float32Array.from({ length: 20 }, (_, i) => i);
    const packed = packPanels(matrix, 2, 10, 1, 10);
    expect(Array.from(packed)).toEqual([
      ...[1, 2, 3, 4, 5, 6, 7, 8],
      ...[11, 12, 13, 14, 15, 16, 17, 18],
      ...[9, 0, 0, 0, 0, 0, 0, 0],
      ...[19, 0, 0, 0, 0, 0, 0, 0],
    ]);
  });
});

/** Compiles `spec` on both kernel sets and checks the wasm outputs and states against the TypeScript ones. */
async function expectKernelsAgree(spec: ModelSpec, weights: Parameters<typeof cpuBackend.compile>[1], input: Tensor, mask: Tensor | null, initialStates: (readonly Tensor[] | null)[]) {
  const wasm = await cpuBackend.compile(spec, weights, { kernels: 'wasm' });
  const js = await cpuJsBackend.compile(spec, weights);
  expect([wasm.backend, js.backend]).toEqual(['cpu:wasm', 'cpu:js']);
  const request = { input, mask, initialStates };
  const [got, want] = [await wasm.run(request), await js.run(request)];
  const tensors = (r: typeof got) => [...r.outputs, ...r.finalStates.flatMap((s) => s ?? [])];
  const [gotTensors, wantTensors] = [tensors(got), tensors(want)];
  expect(gotTensors.map((t) => t.shape)).toEqual(wantTensors.map((t) => t.shape));
  gotTensors.forEach((t, i) => {
    let worst = 0;
    t.data.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - wantTensors[i].data[k]) / Math.max(1, Math.abs(wantTensors[i].data[k])))));
    expect(worst).toBeLessThan(1e-5);
  });
  return got;
}

function randomWeights(spec: RecurrentLayerSpec, seed: number) {
  const width = GATE_COUNT[spec.cell] * spec.units;
  const kernel = values(spec.inputDim * width, seed, 0.6);
  const recurrentKernel = values(spec.units * width, seed + 1, 0.6);
  const bias = values(spec.resetAfter ? 2 * width : width, seed + 2, 0.3);
  return {
    kernel: { shape: [spec.inputDim, width], data: kernel },
    recurrentKernel: { shape: [spec.units, width], data: recurrentKernel },
    bias: spec.useBias ? { shape: spec.resetAfter ? [2, width] : [width], data: bias } : null,
  };
}

describe('WebAssembly kernels agree with the TypeScript kernels', () => {
  const batch = 5; // one 4-row gemm block plus a leftover row
  const timesteps = 6;
  const features = 3;
  const input = { shape: [batch, timesteps, features], data: values(batch * timesteps * features, 11, 1.5) };
  // Row 1 starts masked, row 3 is fully masked, row 4 has a hole.
  const mask = {
    shape: [batch, timesteps],
    data: Float32Array.from([1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 0]),
  };
  const cells: [string, Partial<RecurrentLayerSpec> & Pick<RecurrentLayerSpec, 'cell'>][] = [
    ['SimpleRNN', { cell: 'SimpleRNN' }],
    ['SimpleRNN relu, no bias', { cell: 'SimpleRNN', activation: 'relu', useBias: false }],
    ['LSTM', { cell: 'LSTM' }],
    ['LSTM hard_sigmoid (Keras 2)', { cell: 'LSTM', recurrentActivation: 'hard_sigmoid_keras2' }],
    ['GRU reset_after', { cell: 'GRU', resetAfter: true }],
    ['GRU reset_after=false, hard_sigmoid', { cell: 'GRU', resetAfter: false, recurrentActivation: 'hard_sigmoid' }],
    ['GRU linear activation', { cell: 'GRU', resetAfter: true, activation: 'linear' }],
  ];

  for (const [label, cell] of cells) {
    // 6 units: one 4-unit vector plus a 2-unit tail; gate blocks straddle panel boundaries.
    for (const units of [6, 17]) {
      it(`${label}, ${units} units: every mask rule, go_backwards, initial states`, async () => {
        for (const [maskedOutput, goBackwards] of [
          ['state', false],
          ['zeros', true],
          ['previous-output', false],
        ] as const) {
          const spec = recurrent({ ...cell, units, inputDim: features, returnSequences: true, returnState: true, maskedOutput, goBackwards });
          const stateNames = spec.cell === 'LSTM' ? ['h', 'c'] : ['h'];
          const initial = stateNames.map((_, k) => ({ shape: [batch, units], data: values(batch * units, 40 + k) }));
          await expectKernelsAgree(model([spec], ['output', ...stateNames]), [randomWeights(spec, units)], input, mask, [initial]);
        }
        const last = recurrent({ ...cell, units, inputDim: features });
        await expectKernelsAgree(model([last], ['output']), [randomWeights(last, 3)], input, null, [null]);
      });
    }
  }

  it('Bidirectional LSTM (time-ordered backward half) and a stacked GRU', async () => {
    const lstm = recurrent({ cell: 'LSTM', units: 5, inputDim: features });
    const bi = bidirectional(lstm, 'concat', { returnSequences: true });
    const gruSpec = recurrent({ cell: 'GRU', resetAfter: true, units: 4, inputDim: 10, name: 'gru_top' });
    const spec = model([bi, gruSpec], ['output'], features);
    const weights = [{ forward: randomWeights(bi.forward, 1), backward: randomWeights(bi.backward, 2) }, randomWeights(gruSpec, 3)];
    await expectKernelsAgree(spec, weights, input, mask, [null, null]);
  });

  it('an activation the kernels lack (elu) runs that layer on the TypeScript kernels, still exact', async () => {
    const spec = recurrent({ cell: 'SimpleRNN', units: 4, inputDim: features, activation: 'elu', returnSequences: true });
    const result = await expectKernelsAgree(model([spec], ['output']), [randomWeights(spec, 9)], input, null, [null]);
    expect(result.outputs[0].data.some((v) => v < -0.05)).toBe(true); // elu's negative branch was exercised
  });

  it('grows kernel memory for a larger call and keeps earlier results intact', async () => {
    const spec = recurrent({ cell: 'LSTM', units: 64, inputDim: 32, returnSequences: true });
    const compiled = await cpuBackend.compile(model([spec], ['output']), [randomWeights(spec, 5)]);
    const small = { shape: [1, 2, 32], data: values(64, 1) };
    const first = await compiled.run({ input: small, mask: null, initialStates: [null] });
    const kept = first.outputs[0].data.slice();
    const large = { shape: [16, 300, 32], data: values(16 * 300 * 32, 2) }; // ~ 6 MB of buffers: memory grows
    await compiled.run({ input: large, mask: null, initialStates: [null] });
    const again = await compiled.run({ input: small, mask: null, initialStates: [null] });
    expect(Array.from(first.outputs[0].data)).toEqual(Array.from(kept));
    expect(Array.from(again.outputs[0].data)).toEqual(Array.from(kept));
  });
});

describe('kernel choice', () => {
  const spec = model([recurrent({ cell: 'SimpleRNN', units: 2, inputDim: 1 })], ['output']);
  const weights = [rnnWeights([[1, 2]], [[0.5, 0], [0, 0.5]], [0, 0])];

  it('cpu runs the WebAssembly kernels by default here, cpu:js and kernels "js" the TypeScript ones', async () => {
    expect((await cpuBackend.compile(spec, weights)).backend).toBe('cpu:wasm');
    expect((await cpuBackend.compile(spec, weights, { kernels: 'js' })).backend).toBe('cpu:js');
    expect((await cpuJsBackend.compile(spec, weights)).backend).toBe('cpu:js');
    expect(await cpuBackend.available()).toEqual({ ok: true, detail: 'WebAssembly SIMD kernels' });
  });

  it('rejects unknown kernel names, and WebAssembly on cpu:js', async () => {
    await expect(cpuBackend.compile(spec, weights, { kernels: 'gpu' })).rejects.toMatchObject({ code: 'BACKEND', field: 'kernels', actual: 'gpu' });
    await expect(cpuJsBackend.compile(spec, weights, { kernels: 'wasm' })).rejects.toMatchObject({ code: 'BACKEND', field: 'kernels' });
  });
});

describe('a runtime without WebAssembly SIMD', () => {
  it('cpu falls back to the TypeScript kernels and says why; forcing kernels "wasm" is an error', async () => {
    const spec = model([recurrent({ cell: 'SimpleRNN', units: 1, inputDim: 1, activation: 'linear' })], ['output']);
    const weights = [rnnWeights([[2]], [[0.5]], [1])];
    vi.resetModules();
    vi.stubGlobal('WebAssembly', { validate: () => false });
    try {
      const { cpuBackend: backend } = await import('../src/backend.js');
      expect(await backend.available()).toEqual({ ok: true, detail: 'pure TypeScript kernels (this runtime does not support WebAssembly SIMD)' });
      const compiled = await backend.compile(spec, weights);
      expect(compiled.backend).toBe('cpu:js');
      const result = await compiled.run({ input: { shape: [1, 2, 1], data: Float32Array.from([1, 2]) }, mask: null, initialStates: [null] });
      expect(Array.from(result.outputs[0].data)).toEqual([6.5]); // h = 2x + 1 + 0.5 h₋: 3, then 6.5
      await expect(backend.compile(spec, weights, { kernels: 'wasm' })).rejects.toMatchObject({ code: 'UNSUPPORTED', field: 'kernels' });
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });
});
