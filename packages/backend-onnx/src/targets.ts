import type { OnnxTarget, OrtModule } from './runtime.js';

/**
 * The providers of onnxruntime-web. No Node builtins here: this file is part of the browser entry.
 * In Node, `onnxruntime-web` resolves to its Node build, which has the WebAssembly provider only.
 */

/** ONNX Runtime's WebGPU LSTM/GRU kernels implement these activations only (others fail to load). */
export const WEBGPU_OPERATOR_ACTIVATIONS: readonly string[] = ['Sigmoid', 'Tanh', 'Relu'];

const loadWeb = async (): Promise<OrtModule> => (await import('onnxruntime-web')) as OrtModule;

export const webWasmTarget: OnnxTarget = {
  name: 'onnx-web:wasm',
  runtime: 'onnxruntime-web',
  load: loadWeb,
  executionProvider: () => 'wasm',
  explainFailure: (message) => `onnxruntime-web could not start its WebAssembly provider: ${message}`,
  serializeRuns: true,
};

export const webWebGpuTarget: OnnxTarget = {
  name: 'onnx-web:webgpu',
  runtime: 'onnxruntime-web',
  load: loadWeb,
  executionProvider: () => 'webgpu',
  operatorActivations: WEBGPU_OPERATOR_ACTIVATIONS,
  precheck: () =>
    (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu
      ? null
      : 'onnx-web:webgpu runs in browsers only (it needs navigator.gpu); in Node use onnx:webgpu from onnxruntime-node',
  explainFailure: (message) =>
    `onnxruntime-web found no usable WebGPU device (${message}); the browser must support WebGPU and expose an adapter`,
  serializeRuns: true,
};
