import * as tf from '@tensorflow/tfjs-core';
import {
  BackendError,
  DisposedError,
  type CompiledModel,
  type ModelSpec,
  type ModelWeights,
  type RunRequest,
  type RunResult,
  type Tensor,
} from '@rnn/core';
import { compileLayer, type CompiledLayer } from './layers.js';
import { runOnTfBackend } from './tf-context.js';
import { uploadInput } from './upload.js';

/**
 * A compiled model on one tfjs backend. Weights are uploaded once here and stay on that backend;
 * each `run` uploads its input and states, computes inside one `tf.tidy`, downloads the results
 * into fresh Float32Arrays and disposes every tensor it made, so `tf.memory().numTensors` is the
 * same after any number of runs, and back to its count before compile after `dispose()`.
 */
export class TfjsCompiledModel implements CompiledModel {
  private layers: CompiledLayer[] | null;

  /** Call with `tfBackend` active (see `runOnTfBackend`). */
  constructor(
    private readonly spec: ModelSpec,
    weights: ModelWeights,
    readonly backend: string,
    private readonly tfBackend: string,
  ) {
    const layers: CompiledLayer[] = [];
    try {
      spec.layers.forEach((layer, i) => layers.push(compileLayer(layer, weights[i])));
    } catch (error) {
      for (const layer of layers) layer.dispose();
      throw error;
    }
    this.layers = layers;
  }

  async run(request: RunRequest): Promise<RunResult> {
    const layers = this.layers;
    if (layers === null) throw new DisposedError(`tfjs model "${this.spec.name}"`);
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

/** A fresh Float32Array: tfjs's cpu backend may hand out arrays it shares with other tensors. */
async function download(t: tf.Tensor): Promise<Tensor> {
  return { shape: [...t.shape], data: new Float32Array(await t.data()) };
}
