import * as tf from '@tensorflow/tfjs-core';
import {
  BackendError,
  DisposedError,
  checkWindowSteps,
  type BidirectionalWeights,
  type CompiledModel,
  type ModelSpec,
  type ModelWeights,
  type RecurrentLayerSpec,
  type RecurrentWeights,
  type RunRequest,
  type RunResult,
  type Tensor,
} from '@rnn/core';
import { FUSED_SEQUENCE_BACKENDS, FusedRecurrent } from './fused-sequence.js';
import { compileLayer, type CompiledLayer, type RecurrentCompiler } from './layers.js';
import { OpRecurrent } from './recurrent.js';
import { runOnTfBackend } from './tf-context.js';
import { uploadInput } from './upload.js';

/**
 * A compiled model on one tfjs backend. Weights are uploaded once here and stay on that backend;
 * each `run` uploads its input and states, computes inside one `tf.tidy`, downloads the results
 * into fresh Float32Arrays and disposes every tensor it made, so `tf.memory().numTensors` is the
 * same after any number of runs, and back to its count before compile after `dispose()`.
 *
 * Recurrent layers run as one fused tfjs kernel each on the backends in `FUSED_SEQUENCE_BACKENDS`
 * (cpu, wasm), whose weights live in that kernel's own memory, not in tfjs tensors; on every other
 * tfjs backend (webgl, webgpu) as tfjs ops. Every other layer kind is tfjs ops everywhere.
 */
export class TfjsCompiledModel implements CompiledModel {
  private layers: CompiledLayer[] | null;

  static async compile(spec: ModelSpec, weights: ModelWeights, backend: string, tfBackend: string): Promise<TfjsCompiledModel> {
    if (!FUSED_SEQUENCE_BACKENDS.includes(tfBackend)) {
      return runOnTfBackend(tfBackend, () => new TfjsCompiledModel(spec, weights, backend, tfBackend, (layer, w) => new OpRecurrent(layer, w)));
    }
    // Fused sequences compile asynchronously (WebAssembly instantiation) and make no tfjs tensor, so
    // they come first; the tensor work that follows runs synchronously on `tfBackend`.
    const fused = await compileFusedRecurrents(spec, weights);
    const fusedFor: RecurrentCompiler = (layer) => {
      const runner = fused.get(layer);
      if (runner === undefined) throw new BackendError(`${layer.name}: no fused sequence was compiled for this layer`, { layer: layer.name });
      return runner;
    };
    try {
      return runOnTfBackend(tfBackend, () => new TfjsCompiledModel(spec, weights, backend, tfBackend, fusedFor));
    } catch (error) {
      for (const runner of fused.values()) runner.dispose();
      throw error;
    }
  }

  /** Call with `tfBackend` active (see `runOnTfBackend`). */
  private constructor(
    private readonly spec: ModelSpec,
    weights: ModelWeights,
    readonly backend: string,
    private readonly tfBackend: string,
    recurrent: RecurrentCompiler,
  ) {
    const layers: CompiledLayer[] = [];
    try {
      spec.layers.forEach((layer, i) => layers.push(compileLayer(layer, weights[i], recurrent)));
    } catch (error) {
      for (const layer of layers) layer.dispose();
      throw error;
    }
    this.layers = layers;
  }

  async run(request: RunRequest): Promise<RunResult> {
    const layers = this.layers;
    if (layers === null) throw new DisposedError(`tfjs model "${this.spec.name}"`);
    // tfjs cannot make a window that does not fit: core's rule refuses such a call first.
    checkWindowSteps(this.spec, request.input.shape[1]);
    // tidy keeps only the flat list it returns; `stateCounts` records how it splits per layer.
    let stateCounts: (number | null)[] = [];
    const kept = runOnTfBackend(this.tfBackend, () =>
      tf.tidy(() => {
        const { outputs, states } = this.forward(layers, request);
        stateCounts = states.map((s) => s?.length ?? null);
        return [...outputs, ...states.flatMap((s) => s ?? [])];
      }),
    );
    try {
      const downloaded = await Promise.all(kept.map(download));
      let next = this.spec.outputs.length;
      return {
        outputs: downloaded.slice(0, next),
        finalStates: stateCounts.map((count) => (count === null ? null : downloaded.slice(next, (next += count)))),
      };
    } finally {
      for (const t of kept) t.dispose();
    }
  }

  dispose(): void {
    for (const layer of this.layers ?? []) layer.dispose();
    this.layers = null;
  }

  private forward(layers: readonly CompiledLayer[], request: RunRequest): { outputs: tf.Tensor[]; states: (tf.Tensor2D[] | null)[] } {
    let x = uploadInput(request.input);
    let mask = request.mask ? (tf.notEqual(uploadInput(request.mask), 0) as tf.Tensor2D) : null;
    let outputs: readonly tf.Tensor[] = [];
    const states: (tf.Tensor2D[] | null)[] = [];
    layers.forEach((layer, i) => {
      const initial = request.initialStates[i]?.map((s) => uploadInput(s) as tf.Tensor2D) ?? null;
      const call = layer.call(x, mask, initial);
      x = call.value;
      mask = call.mask;
      outputs = call.outputs;
      states.push(call.states ? [...call.states] : null);
    });
    if (outputs.length !== this.spec.outputs.length) {
      throw new BackendError(
        `${this.spec.name}: the last layer produced ${outputs.length} outputs, the spec names ${this.spec.outputs.length} (${this.spec.outputs.map((o) => o.name).join(', ')})`,
        { field: 'outputs', expected: this.spec.outputs.length, actual: outputs.length },
      );
    }
    return { outputs: [...outputs], states };
  }
}

/** Every recurrent direction of the model (a layer, or a Bidirectional's two halves) as a fused kernel, by its spec. */
async function compileFusedRecurrents(spec: ModelSpec, weights: ModelWeights): Promise<Map<RecurrentLayerSpec, FusedRecurrent>> {
  const directions: [RecurrentLayerSpec, RecurrentWeights][] = spec.layers.flatMap((layer, i): [RecurrentLayerSpec, RecurrentWeights][] => {
    if (layer.kind === 'rnn') return [[layer, weights[i] as RecurrentWeights]];
    if (layer.kind !== 'bidirectional') return [];
    const pair = weights[i] as BidirectionalWeights;
    return [
      [layer.forward, pair.forward],
      [layer.backward, pair.backward],
    ];
  });
  const fused = new Map<RecurrentLayerSpec, FusedRecurrent>();
  try {
    for (const [layer, w] of directions) fused.set(layer, await FusedRecurrent.compile(layer, w));
  } catch (error) {
    for (const runner of fused.values()) runner.dispose();
    throw error;
  }
  return fused;
}

/** A fresh Float32Array: tfjs's cpu backend may hand out arrays it shares with other tensors. */
async function download(t: tf.Tensor): Promise<Tensor> {
  return { shape: [...t.shape], data: new Float32Array(await t.data()) };
}
