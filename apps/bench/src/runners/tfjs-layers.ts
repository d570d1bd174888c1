import type * as tfCore from '@tensorflow/tfjs-core';
import type * as tfLayers from '@tensorflow/tfjs-layers';
import type { Problem, ProblemData } from '../problem.js';
import { STREAM_CHECK_STEPS, stepSlice } from '../problem.js';
import type { Runner, RunnerDefinition, RunnerSession } from './types.js';
import { interleaveSteps } from './types.js';

/**
 * The peer a tfjs user has today: `tf.layers.lstm/gru/simpleRNN` from @tensorflow/tfjs-layers, called
 * eagerly on tfjs-cpu or tfjs-wasm. Its weights use Keras's layout (kernel, recurrent kernel, bias;
 * LSTM gates i,f,c,o; GRU z,r,h), so they are set unchanged. Its gate activation defaults to
 * `hardSigmoid` (Keras 2), so `sigmoid` is set explicitly; its GRU only has `reset_after=false`.
 */

type TfjsEngine = 'cpu' | 'wasm';

export function tfjsLayersRunner(engine: TfjsEngine): RunnerDefinition {
  return {
    name: `tfjs-layers:${engine}`,
    kind: 'peer',
    description: `tf.layers (@tensorflow/tfjs-layers) on tfjs-${engine}, called eagerly`,
    gruResetAfter: false,
    async load() {
      const tf = await import('@tensorflow/tfjs-core');
      if (engine === 'cpu') {
        await import('@tensorflow/tfjs-backend-cpu');
      } else {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        wasm.setThreadsCount(1);
      }
      if (!(await tf.setBackend(engine))) throw new Error(`tfjs backend "${engine}" failed to initialise`);
      // Production mode: no debug checks, and no "install tfjs-node" notice on stderr.
      tf.env().set('PROD', true);
      const tfl = await import('@tensorflow/tfjs-layers');
      return new TfjsLayersRunner(tf, tfl, engine);
    },
  };
}

class TfjsLayersRunner implements Runner {
  constructor(
    private readonly tf: typeof tfCore,
    private readonly tfl: typeof tfLayers,
    private readonly engine: TfjsEngine,
  ) {}

  async create(problem: Problem, data: ProblemData): Promise<RunnerSession> {
    if (problem.cell === 'gru' && problem.resetAfter) throw new Error('tf.layers GRU only supports reset_after=false');
    const { tf } = this;
    const { batch, inputs, units, streaming } = problem.shape;
    const options = {
      units,
      returnSequences: true,
      returnState: streaming,
      // Weights are set below; zeros skip the (slow, and unneeded) orthogonal initialiser.
      kernelInitializer: 'zeros',
      recurrentInitializer: 'zeros',
    } as const;
    const layer =
      problem.cell === 'lstm'
        ? this.tfl.layers.lstm({ ...options, recurrentActivation: 'sigmoid' })
        : problem.cell === 'gru'
          ? this.tfl.layers.gru({ ...options, recurrentActivation: 'sigmoid' })
          : this.tfl.layers.simpleRNN(options);
    // An eager call builds the layer (a bare build() leaves the RNN wrapper unbuilt).
    tf.tidy(() => {
      layer.apply(tf.zeros([batch, 1, inputs]));
    });
    const width = data.weights.kernel.length / inputs;
    tf.tidy(() =>
      layer.setWeights([
        tf.tensor2d(data.weights.kernel, [inputs, width]),
        tf.tensor2d(data.weights.recurrentKernel, [units, width]),
        tf.tensor1d(data.weights.bias),
      ]),
    );
    const backend = `tf.layers on tfjs-${this.engine}`;
    if (!streaming) return new TfjsFullSequence(tf, layer, data.input, [batch, data.inputSteps, inputs], backend);
    const steps = Array.from({ length: data.inputSteps }, (_, k) => stepSlice(data.input, problem.shape, data.inputSteps, k));
    const stateCount = problem.cell === 'lstm' ? 2 : 1;
    return new TfjsStreaming(tf, layer, steps, { batch, inputs, units, stateCount }, backend);
  }
}

class TfjsFullSequence implements RunnerSession {
  constructor(
    private readonly tf: typeof tfCore,
    private readonly layer: tfLayers.layers.Layer,
    private readonly input: Float32Array,
    private readonly shape: [number, number, number],
    readonly backend: string,
  ) {}

  private async forward(): Promise<Float32Array> {
    const y = this.tf.tidy(() => this.layer.apply(this.tf.tensor3d(this.input, this.shape)) as tfCore.Tensor);
    const out = (await y.data()) as Float32Array;
    y.dispose();
    return out;
  }

  check(): Promise<Float32Array> {
    return this.forward();
  }

  async call(): Promise<void> {
    await this.forward();
  }

  async dispose(): Promise<void> {
    this.layer.dispose();
  }
}

interface StreamDims {
  readonly batch: number;
  readonly inputs: number;
  readonly units: number;
  readonly stateCount: number;
}

/** One step per call; the states returned by `returnState` are passed back as `initialState`. */
class TfjsStreaming implements RunnerSession {
  private states: tfCore.Tensor[];
  private next = 0;

  constructor(
    private readonly tf: typeof tfCore,
    private readonly layer: tfLayers.layers.Layer,
    private readonly steps: readonly Float32Array[],
    private readonly dims: StreamDims,
    readonly backend: string,
  ) {
    this.states = this.zeroStates();
  }

  private zeroStates(): tfCore.Tensor[] {
    return Array.from({ length: this.dims.stateCount }, () => this.tf.zeros([this.dims.batch, this.dims.units]));
  }

  private async step(x: Float32Array): Promise<Float32Array> {
    const { tf, dims } = this;
    const [y, ...states] = tf.tidy(
      () => this.layer.apply(tf.tensor3d(x, [dims.batch, 1, dims.inputs]), { initialState: this.states }) as tfCore.Tensor[],
    );
    tf.dispose(this.states);
    this.states = states;
    const out = (await y.data()) as Float32Array;
    y.dispose();
    return out;
  }

  async check(): Promise<Float32Array> {
    this.restart();
    const outputs: Float32Array[] = [];
    for (const x of this.steps.slice(0, STREAM_CHECK_STEPS)) outputs.push(await this.step(x));
    this.restart();
    return interleaveSteps(outputs, this.dims.batch, this.dims.units);
  }

  async call(): Promise<void> {
    await this.step(this.steps[this.next]);
    this.next = (this.next + 1) % this.steps.length;
  }

  private restart(): void {
    this.tf.dispose(this.states);
    this.states = this.zeroStates();
    this.next = 0;
  }

  async dispose(): Promise<void> {
    this.tf.dispose(this.states);
    this.layer.dispose();
  }
}
