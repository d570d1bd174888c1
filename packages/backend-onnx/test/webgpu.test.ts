import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';
import { loadFixtures } from '@rnn/conformance/node';
import { describeConformance } from '@rnn/conformance/vitest';
import { onnxWebGpu } from '../src/index.js';
import { LAYER_CASES, WINDOW_CASES } from './layer-cases.js';
import { checkCaseOnBackend } from './layer-checks.js';

/**
 * onnx:webgpu on a sample of fixtures: each kind of graph once (the LSTM/GRU operators, which run
 * on the WebGPU provider; the RNN operator, which falls back to its CPU kernel; Scans for masks and
 * for activations the WebGPU kernels lack; a Bidirectional node; a model; a stateful sequence).
 * All 164 pass too, but a software Vulkan driver makes that take minutes. Then every model of the
 * `extra/` fixtures and the hand-computed cases of the RepeatVector/Flatten/pooling/BatchNormalization
 * and Conv1D/MaxPooling1D/AveragePooling1D layers. Skipped without a WebGPU adapter; Debian's SwiftShader driver (from the chromium package) is used when present.
 */
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER)) process.env.VK_ICD_FILENAMES = SWIFTSHADER;

const SAMPLE = new Set([
  'lstm-seq-b3-t4-i5-u3-seed172',
  'gru-seq-b3-t4-i5-u3-seed126',
  'gru-resetbefore-seq-b3-t4-i5-u3-seed149',
  'simplernn-seq-b3-t13-i1-u3-seed105',
  'bi-lstm-mconcat-state-b3-t13-i5-u8-seed238',
  'lstm-seq-state-racthardsigmoid-b1-t1-i16-u3-seed180',
  'gru-seq-state-masktrail-b3-t7-i5-u3-seed141',
  'model-masking-bilstm-gru-dense-b3-t6-i5-seed901',
  'lstm-stateful-state-reset-b2-t5-i3-u4-seed255',
]);

/** Every fixture of the `extra/` set: the RepeatVector/Flatten/pooling/BatchNormalization/Conv1D models. */
const EXTRA = new Set(loadFixtures().filter((f) => /[/\\]extra[/\\]/.test(f.source)).map((f) => f.id));

describeConformance(onnxWebGpu, { filter: (id) => SAMPLE.has(id) || EXTRA.has(id), skipUnavailable: true });

describe('new layers on onnx:webgpu', () => {
  it.for([...LAYER_CASES, ...WINDOW_CASES].map((c) => [c.name, c] as const))('%s', async ([, c], context) => {
    const availability = await onnxWebGpu.available();
    if (!availability.ok) context.skip(availability.reason);
    await checkCaseOnBackend(onnxWebGpu, c);
  });
});
