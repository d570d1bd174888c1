import type { OnnxCompileOptions, OnnxTarget, OrtModule } from './runtime.js';
import { WEBGPU_OPERATOR_ACTIVATIONS } from './targets.js';

/** The providers of onnxruntime-node. */

const loadNode = async (): Promise<OrtModule> => (await import('onnxruntime-node')) as OrtModule;

export const nodeCpuTarget: OnnxTarget = {
  name: 'onnx:cpu',
  runtime: 'onnxruntime-node',
  load: loadNode,
  executionProvider: () => 'cpu',
  explainFailure: (message) => `onnxruntime-node could not start its CPU provider: ${message}`,
  serializeRuns: false,
};

export const nodeCudaTarget: OnnxTarget = {
  name: 'onnx:cuda',
  runtime: 'onnxruntime-node',
  load: loadNode,
  executionProvider: (options: OnnxCompileOptions) => ({ name: 'cuda', deviceId: options.deviceId ?? 0 }),
  prepare: () => {
    // Keras's numbers are float32: cuBLAS/cuDNN must not round matmul inputs to TF32. The Node
    // binding cannot pass the CUDA provider's `use_tf32` option, but both libraries read this
    // variable when they start, which happens after this point. A value the user set stays.
    const { env } = (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process;
    env.NVIDIA_TF32_OVERRIDE ??= '0';
  },
  explainFailure: (message) =>
    `onnxruntime-node's CUDA provider did not start (${message}). Its libraries ` +
    '(libonnxruntime_providers_cuda.so and libonnxruntime_providers_shared.so) are not in the npm package: ' +
    "onnxruntime-node's install script downloads them only when run with ONNXRUNTIME_NODE_INSTALL=cuda12 and network access " +
    '(with pnpm, also allow its build: `allowBuilds: { onnxruntime-node: true }`), e.g. ' +
    '`ONNXRUNTIME_NODE_INSTALL=cuda12 pnpm install --force`; they need an NVIDIA driver, CUDA 12 and cuDNN 9 on the library path',
  serializeRuns: false,
};

export const nodeWebGpuTarget: OnnxTarget = {
  name: 'onnx:webgpu',
  runtime: 'onnxruntime-node',
  load: loadNode,
  executionProvider: () => 'webgpu',
  operatorActivations: WEBGPU_OPERATOR_ACTIVATIONS,
  explainFailure: (message) =>
    `onnxruntime-node's WebGPU provider found no adapter (${message}). It needs a GPU with Vulkan, Metal or D3D12 ` +
    'drivers; without one, the SwiftShader Vulkan driver works on the CPU: on Debian `apt-get install chromium libvulkan1` ' +
    'and set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json',
  serializeRuns: false,
};
