import { registerBackend } from '@rnn/core';
import { nodeCpuTarget, nodeCudaTarget, nodeWebGpuTarget } from './node-targets.js';
import { createOnnxBackend } from './runtime.js';
import { webWasmTarget } from './targets.js';

/**
 * The Node entry: importing it registers `onnx:cpu`, `onnx:cuda`, `onnx:webgpu` (onnxruntime-node)
 * and `onnx-web:wasm` (onnxruntime-web's WebAssembly build, which runs in Node too).
 * Priorities: a GPU first, then native CPU; WebGPU here often means a software driver.
 */
export const onnxCpu = createOnnxBackend(nodeCpuTarget);
export const onnxCuda = createOnnxBackend(nodeCudaTarget);
export const onnxWebGpu = createOnnxBackend(nodeWebGpuTarget);
export const onnxWebWasm = createOnnxBackend(webWasmTarget);

registerBackend(onnxCuda, 30);
registerBackend(onnxCpu, 20);
registerBackend(onnxWebGpu, 10);
registerBackend(onnxWebWasm, 5);

export * from './common.js';
