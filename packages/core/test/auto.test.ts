import { afterEach, describe, expect, it } from 'vitest';
import { clearAutoCalibration, createModel, gru, modelFlops, parseConfig, registerBackend, sequential, dense, lstm, unregisterBackend, zeros } from '../src/index.js';
import type { Backend } from '../src/index.js';
import { counterBackend } from './fake-backend.js';

/** Busy-waits, so a fake backend's cost is real wall time the calibration can measure. */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** A counter backend whose every call costs `overheadMs + flops / flopsPerMs` milliseconds. */
function costedBackend(name: string, overheadMs: number, flopsPerMs: number): Backend {
  const inner = counterBackend(name);
  return {
    ...inner,
    async compile(spec, weights) {
      const compiled = await inner.compile(spec, weights);
      return {
        ...compiled,
        run: async (request) => {
          spin(overheadMs + modelFlops(spec, request.input.shape[0], request.input.shape[1]) / flopsPerMs);
          return compiled.run(request);
        },
      };
    },
  };
}

afterEach(() => {
  unregisterBackend('overhead-heavy');
  unregisterBackend('throughput-poor');
  clearAutoCalibration();
});

describe('auto backend', () => {
  it('counts FLOPs as 2·G·H·(I+H)·B·T plus dense layers on the last step', () => {
    const spec = parseConfig(sequential([lstm({ units: 8 }), dense({ units: 2 })], { inputShape: [null, 4] }));
    expect(modelFlops(spec, 3, 10)).toBe(3 * 10 * 2 * 4 * 8 * (4 + 8) + 3 * 2 * 2 * 8);
  });

  it('sends each call to the backend predicted fastest for its shape, carrying no state of its own', async () => {
    // A GRU of 64 units on 64 features: 49k FLOPs per row and step.
    registerBackend(costedBackend('overhead-heavy', 15, 1e9), 1);
    registerBackend(costedBackend('throughput-poor', 0, 2e5), 0);
    const model = await createModel(gru({ units: 64, inputShape: [null, 64] }), { backend: 'auto' });
    // One step: ~0.25 ms on throughput-poor against 15 ms of overhead.
    await model.run(zeros([1, 1, 64]));
    expect(model.backend).toBe('auto(throughput-poor)');
    // 8 × 64 steps: ~126 ms on throughput-poor against ~15 ms.
    const outputs = await model.run(zeros([8, 64, 64]));
    expect(model.backend).toBe('auto(overhead-heavy)');
    expect(outputs[0].data[0]).toBe(64);
  });

  it('fails with every reason when no backend can run the model', async () => {
    const spec = gru({ units: 2, inputShape: [null, 2] });
    registerBackend({ ...counterBackend('overhead-heavy'), supports: () => ({ ok: false, reason: 'no GRU here' }) });
    await expect(createModel(spec, { backend: 'auto', compileOptions: { candidates: ['overhead-heavy'] } })).rejects.toThrow(
      /auto: no backend can run model .*\n  overhead-heavy: no GRU here/,
    );
  });
});
