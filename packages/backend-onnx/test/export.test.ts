import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { TOLERANCE, compareOutputs, type FixtureTensor, type LoadedFixture } from '@rnn/conformance';
import { loadFixtures } from '@rnn/conformance/node';
import { parseConfig, stateShapes, structureWeights, type ModelSpec, type StatefulLayerSpec } from '@rnn/core';
import { exportOnnx, onnxIoNames } from '../src/index.js';
import { decodeModel } from '../src/proto.js';

/**
 * Every golden fixture exported to a standalone .onnx file and run in a fresh, plain ONNX Runtime
 * session (no @rnn code on the run path): states go in and out through the documented names.
 */

function specOf({ fixture }: LoadedFixture): ModelSpec {
  const first = fixture.weights[0];
  return parseConfig(fixture.layer, { inputFeatures: first?.shape.length === 2 ? first.shape[0] : undefined });
}

const tensorOf = (t: FixtureTensor) => new ort.Tensor('float32', Float32Array.from(t.data), t.shape);

describe('exportOnnx', () => {
  it.each(loadFixtures().map((f) => [f.id, f] as const))('%s runs in a plain InferenceSession', async (_id, loaded) => {
    const { fixture } = loaded;
    const spec = specOf(loaded);
    const names = onnxIoNames(spec);
    const bytes = exportOnnx(spec, structureWeights(spec, fixture.weights));
    const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
    try {
      const calls = fixture.sequence ?? [{ reset_states_before: false, inputs: fixture.inputs!, outputs: fixture.outputs! }];
      let states: Record<string, ort.Tensor> = {};
      for (const call of calls) {
        const batch = call.inputs.shape[0];
        const feeds: Record<string, ort.Tensor> = { [names.input]: tensorOf(call.inputs) };
        if (names.mask) feeds[names.mask] = fixture.call.mask ? tensorOf(fixture.call.mask) : new ort.Tensor('float32', new Float32Array(0), [0, 0]);
        names.initialStates.forEach((inputs, layer) =>
          inputs.forEach((name, k) => {
            const given = layer === 0 && !fixture.sequence ? fixture.call.initial_state?.[k] : undefined;
            const carried = call.reset_states_before ? undefined : states[names.finalStates[layer][k]];
            const shape = stateShapes(spec.layers[layer] as StatefulLayerSpec, batch)[k];
            feeds[name] = given ? tensorOf(given) : (carried ?? new ort.Tensor('float32', new Float32Array(shape[0] * shape[1]), shape));
          }),
        );
        const results = await session.run(feeds);
        states = results;
        const got = names.outputs.map((name) => ({ name, shape: results[name].dims, data: results[name].data as Float32Array }));
        const comparison = compareOutputs(got, call.outputs);
        expect(comparison.message).toBe('');
        expect(comparison.maxError).toBeLessThanOrEqual(TOLERANCE);
      }
    } finally {
      await session.release();
    }
  });

  it('writes a mask-free file with maskInput: false, with the same numbers', async () => {
    const loaded = loadFixtures().find((f) => f.id === 'lstm-seq-state-init-b3-t4-i5-u3-seed185')!;
    const spec = specOf(loaded);
    const weights = structureWeights(spec, loaded.fixture.weights);
    const bytes = exportOnnx(spec, weights, { maskInput: false });
    expect(decodeModel(bytes).graph!.input!.map((i) => i.name)).toEqual(['input', 'lstm.initial_h', 'lstm.initial_c']);
    expect(decodeModel(bytes).graph!.node!.map((n) => n.opType)).not.toContain('If');
    const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
    const [h0, c0] = loaded.fixture.call.initial_state!.map(tensorOf);
    const results = await session.run({ input: tensorOf(loaded.fixture.inputs!), 'lstm.initial_h': h0, 'lstm.initial_c': c0 });
    const got = onnxIoNames(spec).outputs.map((name) => ({ name, shape: results[name].dims, data: results[name].data as Float32Array }));
    expect(compareOutputs(got, loaded.fixture.outputs!).maxError).toBeLessThanOrEqual(TOLERANCE);
    await session.release();
  });

  it('names inputs and outputs as documented, states included', () => {
    const loaded = loadFixtures().find((f) => f.id === 'bi-lstm-mconcat-state-b3-t13-i5-u8-seed238')!;
    const spec = specOf(loaded);
    const model = decodeModel(exportOnnx(spec, structureWeights(spec, loaded.fixture.weights), { producerVersion: '9.9.9' }));
    const graph = model.graph!;
    expect(graph.input!.map((i) => i.name)).toEqual([
      'input',
      'mask',
      'bidirectional.initial_forward_h',
      'bidirectional.initial_forward_c',
      'bidirectional.initial_backward_h',
      'bidirectional.initial_backward_c',
    ]);
    expect(graph.output!.map((o) => o.name)).toEqual([
      'output',
      'forward_h',
      'forward_c',
      'backward_h',
      'backward_c',
      'bidirectional.final_forward_h',
      'bidirectional.final_forward_c',
      'bidirectional.final_backward_h',
      'bidirectional.final_backward_c',
    ]);
    expect(model.producerVersion).toBe('9.9.9');
    expect(model.opsetImport!.map((o) => [o.domain, Number(o.version)])).toEqual([['', 17]]);
  });
});
