import { existsSync } from 'node:fs';
import { describeConformance } from '@rnn/conformance/vitest';
import { onnxWebGpu } from '../src/index.js';

/**
 * onnx:webgpu on a sample of fixtures: each kind of graph once (the LSTM/GRU operators, which run
 * on the WebGPU provider; the RNN operator, which falls back to its CPU kernel; Scans for masks and
 * for activations the WebGPU kernels lack; a Bidirectional node; a model; a stateful sequence).
 * All 164 pass too, but a software Vulkan driver makes that take minutes. Skipped without a WebGPU
 * adapter; Debian's SwiftShader driver (from the chromium package) is used when present.
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

describeConformance(onnxWebGpu, { filter: (id) => SAMPLE.has(id), skipUnavailable: true });
