import { registerBackend } from '@rnn/core';
import { createOnnxBackend } from './runtime.js';
import { webWasmTarget, webWebGpuTarget } from './targets.js';

/**
 * The browser entry (`@rnn/backend-onnx/web`): onnxruntime-web only, no Node builtins. Importing it
 * registers `onnx-web:webgpu` and `onnx-web:wasm`.
 */
export const onnxWebWasm = createOnnxBackend(webWasmTarget);
export const onnxWebWebGpu = createOnnxBackend(webWebGpuTarget);

registerBackend(onnxWebWebGpu, 6);
registerBackend(onnxWebWasm, 5);

export * from './common.js';
