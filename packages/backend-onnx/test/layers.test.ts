import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { exportOnnx, onnxIoNames, onnxCpu, onnxWebWasm } from '../src/index.js';
import { decodeModel } from '../src/proto.js';
import { LAYER_CASES } from './layer-cases.js';
import { caseModel, caseRows, checkCaseOnBackend, expectRows } from './layer-checks.js';

/**
 * RepeatVector, Flatten, GlobalAverage/MaxPooling1D and BatchNormalization against hand-computed
 * values: in the runtime graphs of both CPU runtimes, and in exported files run in a plain session.
 */

const cases = LAYER_CASES.map((c) => [c.name, c] as const);

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
      const { spec, weights } = caseModel(LAYER_CASES.find((c) => c.name === name)!);
      return decodeModel(exportOnnx(spec, weights)).graph!.input!.map((i) => i.name);
    };
    expect(maskInputs('GlobalAveragePooling1D with a run mask leaves masked steps out')).toEqual(['input', 'mask']);
    expect(maskInputs('GlobalMaxPooling1D ignores a run mask')).toEqual(['input']);
    expect(maskInputs('Flatten (batch, 3, 2) → (batch, 6) in row-major order')).toEqual(['input']);
    expect(maskInputs("GlobalAveragePooling1D uses Masking's mask")).toEqual(['input']);
  });
});
