import {
  BackendError,
  DisposedError,
  isStatefulLayer,
  type Availability,
  type Backend,
  type CompiledModel,
  type ModelSpec,
  type ModelWeights,
  type RunRequest,
  type RunResult,
  type Tensor,
  UnsupportedError,
} from '@rnn/core';
import { compileLayer, outputCount, type Flow } from './layers.js';

/**
 * The pure TypeScript backend: runs every layer kind of the spec on Float32Arrays, in any
 * JavaScript runtime. Weights are packed once in `compile`; each `run` allocates its buffers once.
 */
export const cpuBackend: Backend = {
  name: 'cpu',
  available: async (): Promise<Availability> => ({ ok: true, detail: 'pure TypeScript, runs everywhere' }),
  compile: async (spec, weights) => compileModel(spec, weights),
};

function compileModel(spec: ModelSpec, weights: ModelWeights): CompiledModel {
  if (weights.length !== spec.layers.length) {
    throw new BackendError(`${spec.name}: got weights for ${weights.length} layers, the spec has ${spec.layers.length}`, {
      field: 'weights',
      expected: spec.layers.length,
      actual: weights.length,
    });
  }
  checkOutputs(spec);
  const layers = spec.layers.map((layer, i) => compileLayer(layer, weights[i]));
  let disposed = false;

  const run = (request: RunRequest): RunResult => {
    if (disposed) throw new DisposedError(`cpu model "${spec.name}"`);
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
    backend: 'cpu',
    run: async (request) => run(request),
    dispose: () => {
      disposed = true;
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
