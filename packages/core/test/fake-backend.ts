import type { Backend, CompiledModel, RunRequest, RunResult } from '../src/index.js';
import { isStatefulLayer, stateShapes, zeros } from '../src/index.js';
import type { ModelSpec, Tensor } from '../src/index.js';

/**
 * A backend with trivial, predictable math, for testing core's bookkeeping rather than Keras's
 * equations: every state becomes `initial + (number of unmasked steps)` and every output holds the
 * first state's new value. The last request is kept for inspection.
 */
export function counterBackend(name = 'counter'): Backend & { requests: RunRequest[]; disposed: number } {
  const requests: RunRequest[] = [];
  const backend = {
    name,
    requests,
    disposed: 0,
    available: async () => ({ ok: true as const }),
    async compile(spec: ModelSpec): Promise<CompiledModel> {
      return {
        backend: name,
        run: async (request: RunRequest): Promise<RunResult> => {
          requests.push(request);
          return runCounter(spec, request);
        },
        dispose: () => {
          backend.disposed++;
        },
      };
    },
  };
  return backend;
}

function runCounter(spec: ModelSpec, request: RunRequest): RunResult {
  const [batch, steps] = request.input.shape;
  const finalStates = spec.layers.map((layer, i) => {
    if (!isStatefulLayer(layer)) return null;
    const initial = request.initialStates[i];
    return stateShapes(layer, batch).map((shape, k) => {
      const state = zeros(shape);
      for (let b = 0; b < batch; b++) {
        let real = 0;
        for (let t = 0; t < steps; t++) real += request.mask ? request.mask.data[b * steps + t] : 1;
        for (let u = 0; u < shape[1]; u++) {
          const at = b * shape[1] + u;
          state.data[at] = (initial ? initial[k].data[at] : 0) + real;
        }
      }
      return state;
    });
  });
  const firstState = finalStates.find((s) => s !== null)![0];
  const outputs: Tensor[] = spec.outputs.map((o) => {
    const shape = o.shape.map((d, axis) => (axis === 0 ? batch : d === null ? steps : d));
    const t = zeros(shape);
    t.data.fill(firstState.data[0]);
    return t;
  });
  return { outputs, finalStates };
}
