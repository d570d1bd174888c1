import {
  BackendError,
  DisposedError,
  checkWindowSteps,
  isStatefulLayer,
  type Availability,
  type Backend,
  type CompileOptions,
  type CompiledModel,
  type ModelSpec,
  type ModelWeights,
  type RunRequest,
  type RunResult,
  type Tensor,
  UnsupportedError,
} from '@rnn/core';
import { compileLayer, outputCount, type CompiledLayer, type Flow } from './layers.js';
import { typescriptRecurrent, wasmRecurrent } from './recurrent-sequence.js';
import { KernelHeap } from './wasm/heap.js';
import { instantiateKernels, wasmKernelsUnavailable } from './wasm/module.js';

/**
 * Which kernels run the recurrent layers (compile option `kernels`): `wasm` (WebAssembly SIMD),
 * `js` (pure TypeScript, runs everywhere), or `auto` (default: `wasm` where the runtime supports
 * WebAssembly SIMD, else `js`). Both give Keras's results; every other layer kind runs in TypeScript.
 */
export type KernelChoice = 'auto' | 'wasm' | 'js';

const KERNEL_CHOICES: readonly KernelChoice[] = ['auto', 'wasm', 'js'];

/**
 * The CPU backend. Weights are packed once in `compile`; each `run` allocates its buffers once.
 * The compiled model's `backend` says which kernels run it: `cpu:wasm` or `cpu:js`.
 */
export const cpuBackend: Backend = {
  name: 'cpu',
  available: async (): Promise<Availability> => {
    const missing = wasmKernelsUnavailable();
    return { ok: true, detail: missing === null ? 'WebAssembly SIMD kernels' : `pure TypeScript kernels (${missing})` };
  },
  compile: async (spec, weights, options) => compileModel(spec, weights, kernelChoice('cpu', options, 'auto')),
};

/** The same backend held to its pure TypeScript kernels: the fallback, and a second reference. */
export const cpuJsBackend: Backend = {
  name: 'cpu:js',
  available: async (): Promise<Availability> => ({ ok: true, detail: 'pure TypeScript kernels, run everywhere' }),
  compile: async (spec, weights, options) => {
    const choice = kernelChoice('cpu:js', options, 'js');
    if (choice !== 'js') {
      throw new BackendError(`cpu:js: runs the TypeScript kernels only, got kernels "${choice}" (use backend "cpu" for WebAssembly)`, {
        field: 'kernels',
        expected: 'js',
        actual: choice,
      });
    }
    return compileModel(spec, weights, 'js');
  },
};

function kernelChoice(backend: string, options: CompileOptions | undefined, fallback: KernelChoice): KernelChoice {
  const value = options?.kernels;
  if (value === undefined) return fallback;
  if (!KERNEL_CHOICES.includes(value as KernelChoice)) {
    throw new BackendError(`${backend}: compile option "kernels" must be ${KERNEL_CHOICES.map((k) => `"${k}"`).join(', ')}, got ${JSON.stringify(value)}`, {
      field: 'kernels',
      expected: KERNEL_CHOICES,
      actual: value,
    });
  }
  return value as KernelChoice;
}

async function compileModel(spec: ModelSpec, weights: ModelWeights, choice: KernelChoice): Promise<CompiledModel> {
  if (weights.length !== spec.layers.length) {
    throw new BackendError(`${spec.name}: got weights for ${weights.length} layers, the spec has ${spec.layers.length}`, {
      field: 'weights',
      expected: spec.layers.length,
      actual: weights.length,
    });
  }
  checkOutputs(spec);
  const missing = wasmKernelsUnavailable();
  if (choice === 'wasm' && missing !== null) {
    throw new UnsupportedError(`cpu: kernels "wasm" were requested, but ${missing}`, { field: 'kernels', expected: 'wasm', actual: missing });
  }
  const wasm = choice !== 'js' && missing === null;
  const recurrent = wasm ? wasmRecurrent(new KernelHeap(await instantiateKernels())) : typescriptRecurrent;
  let layers: CompiledLayer[] | null = spec.layers.map((layer, i) => compileLayer(layer, weights[i], recurrent));
  const name = wasm ? 'cpu:wasm' : 'cpu:js';

  const run = (request: RunRequest): RunResult => {
    if (layers === null) throw new DisposedError(`${name} model "${spec.name}"`);
    // A `valid` Conv1D/pooling window over too few steps would give an empty sequence: core's rule refuses it, as in model.run.
    checkWindowSteps(spec, request.input.shape[1]);
    let flow: Flow = { data: request.input.data, shape: request.input.shape, mask: request.mask?.data ?? null };
    let outputs: Tensor[] = [];
    const finalStates = layers.map((runLayer, i) => {
      const result = runLayer(flow, request.initialStates[i] ?? null);
      flow = result.next;
      outputs = result.outputs;
      return result.states;
    });
    return { outputs, finalStates };
  };

  return {
    backend: name,
    run: async (request) => run(request),
    dispose: () => {
      // Dropping the layers releases the kernel instance and its memory.
      layers = null;
    },
  };
}

/**
 * Only the last layer's outputs leave the model, so every earlier layer must return exactly one
 * tensor, and the last one exactly as many as `spec.outputs` names.
 */
function checkOutputs(spec: ModelSpec): void {
  spec.layers.forEach((layer, i) => {
    const count = outputCount(layer);
    const last = i === spec.layers.length - 1;
    if (!last && count !== 1) {
      throw new UnsupportedError(
        `${layer.name}: returns ${count} tensors (return_state or merge_mode null) but is not the last layer of the chain`,
        { layer: layer.name, field: isStatefulLayer(layer) && layer.returnState ? 'return_state' : 'merge_mode', expected: 1, actual: count },
      );
    }
    if (last && count !== spec.outputs.length) {
      throw new BackendError(
        `${layer.name}: returns ${count} tensors, the spec names ${spec.outputs.length} (${spec.outputs.map((o) => o.name).join(', ')})`,
        { layer: layer.name, field: 'outputs', expected: spec.outputs.length, actual: count },
      );
    }
  });
}
