import * as tf from '@tensorflow/tfjs-core';
import { bidirectional, createModel, dense, getRegisteredBackend, listBackends, lstm, resolveBackend, sequential, type NamedTensor } from '@rnn/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromTfTensor, toTfTensor } from '../src/node.js';
import { useTfBackend } from './helpers.js';

const input = { shape: [2, 5, 3], data: Array.from({ length: 30 }, (_, i) => Math.sin(i)) };
const config = bidirectional(lstm({ units: 4, returnSequences: true, returnState: true }), { inputShape: [5, 3] });

function dataOf(outputs: readonly NamedTensor[]): number[][] {
  return outputs.map((o) => Array.from(o.data));
}

/** Tensors a tfjs backend holds right now (0 when it never initialised). */
function heldBy(tfBackend: string): number {
  return tf.engine().registry[tfBackend]?.numDataIds() ?? 0;
}

beforeAll(() => useTfBackend('cpu'));

describe('registration', () => {
  it('registers the four tfjs backends, wasm preferred over cpu', () => {
    const names = listBackends().filter((n) => n.startsWith('tfjs:'));
    expect(names).toEqual(['tfjs:webgpu', 'tfjs:webgl', 'tfjs:wasm', 'tfjs:cpu']);
  });

  it('reports webgl and webgpu unavailable in Node, naming the package to import', async () => {
    for (const name of ['webgl', 'webgpu']) {
      const availability = await getRegisteredBackend(`tfjs:${name}`)!.available();
      expect(availability).toEqual({
        ok: false,
        reason: `the tfjs backend "${name}" is not registered; import '@tensorflow/tfjs-backend-${name}' first`,
      });
    }
  });

  it('resolves the tfjs family to the best available member, tfjs:wasm', async () => {
    expect((await resolveBackend('tfjs')).name).toBe('tfjs:wasm');
  });
});

describe('sharing tfjs with other models and the user', () => {
  it('runs models on tfjs:cpu and tfjs:wasm side by side, each on its own tfjs backend', async () => {
    const withDense = sequential([bidirectional(lstm({ units: 4, returnSequences: true })), dense({ units: 2 })], { inputShape: [5, 3] });
    const onCpu = await createModel(withDense, { backend: 'tfjs:cpu', seed: 7 });
    const cpuHeld = heldBy('cpu');
    const wasmBefore = heldBy('wasm');
    const onWasm = await createModel(withDense, { backend: 'tfjs:wasm', seed: 7 });
    // The wasm model's Dense kernel and bias live on wasm (its LSTM weights in the fused kernel's
    // own memory); the cpu backend gained nothing.
    expect(heldBy('wasm') - wasmBefore).toBe(2);
    expect(heldBy('cpu')).toBe(cpuHeld);

    const alone = [dataOf(await onCpu.run(input)), dataOf(await onWasm.run(input))];
    const interleaved = await Promise.all([onCpu.run(input), onWasm.run(input), onCpu.run(input), onWasm.run(input)]);
    expect(interleaved.map(dataOf)).toEqual([alone[0], alone[1], alone[0], alone[1]]);
    // Same numbers from both tfjs backends, to float32 accumulation order.
    alone[0].forEach((values, k) => values.forEach((v, i) => expect(alone[1][k][i]).toBeCloseTo(v, 5)));

    // No weight moved between backends while the two models ran in turn.
    expect(heldBy('wasm') - wasmBefore).toBe(2);
    expect(heldBy('cpu')).toBe(cpuHeld);
    expect(onCpu.backend).toBe('tfjs:cpu');
    expect(onWasm.backend).toBe('tfjs:wasm');
    await onCpu.dispose();
    await onWasm.dispose();
  });

  it('leaves the user’s active tfjs backend as it was', async () => {
    const model = await createModel(config, { backend: 'tfjs:wasm', seed: 1 });
    await useTfBackend('cpu');
    await model.run(input);
    expect(tf.getBackend()).toBe('cpu');
    await useTfBackend('wasm');
    const cpuModel = await createModel(config, { backend: 'tfjs:cpu', seed: 1 });
    await cpuModel.run(input);
    expect(tf.getBackend()).toBe('wasm');
    await model.dispose();
    await cpuModel.dispose();
    await useTfBackend('cpu');
  });
});

describe('tf.Tensor interop', () => {
  it('round-trips values and shape, copying both ways', async () => {
    const source = new Float32Array([1, -2, 3.5, 4, 5, 6]);
    const t = toTfTensor({ shape: [2, 3], data: source });
    source[0] = 100;
    expect(Array.from(t.dataSync())).toEqual([1, -2, 3.5, 4, 5, 6]);
    const back = await fromTfTensor(t);
    expect(back.shape).toEqual([2, 3]);
    expect(Array.from(back.data)).toEqual([1, -2, 3.5, 4, 5, 6]);
    // The caller still owns the tf.Tensor it passed in.
    expect(t.isDisposed).toBe(false);
    t.dispose();
  });

  it('reads int32 token ids as float32', async () => {
    const ids = tf.tensor2d([[1, 0, 7]], [1, 3], 'int32');
    const read = await fromTfTensor(ids);
    expect(read.data).toBeInstanceOf(Float32Array);
    expect(Array.from(read.data)).toEqual([1, 0, 7]);
    ids.dispose();
  });

  it('runs a model on a tf.Tensor input with the same result as on a core tensor', async () => {
    const model = await createModel(config, { backend: 'tfjs:wasm', seed: 2 });
    const x = tf.tensor3d(input.data, [2, 5, 3]);
    const fromTf = await model.run(await fromTfTensor(x));
    expect(dataOf(fromTf)).toEqual(dataOf(await model.run(input)));
    x.dispose();
    await model.dispose();
  });
});
