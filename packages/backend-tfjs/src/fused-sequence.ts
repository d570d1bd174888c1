import * as tf from '@tensorflow/tfjs-core';
import { BackendError, type RecurrentLayerSpec, type RecurrentWeights, type Tensor } from '@rnn/core';
import { compileRecurrentSequence, type RecurrentSequence, type SequenceOptions } from '@rnn/backend-cpu/sequence';
import type { RecurrentRunner, SequenceResult } from './recurrent.js';

/**
 * On the tfjs backends that keep tensors in memory JavaScript reads synchronously (cpu, wasm), a
 * recurrent layer's whole time loop is ONE registered tfjs kernel, `RnnRecurrentSequence`, the way
 * tfjs's own fused ops are kernels. It runs @rnn/backend-cpu's compiled sequence (WebAssembly SIMD,
 * or TypeScript for activations those kernels lack) on the tensors' values. The op path costs tens
 * of µs per tfjs kernel, a dozen kernels per step, which is far more than a step's arithmetic on
 * these shapes; on GPU backends ops stay (recurrent.ts), as there the data lives on the device.
 */

export const RECURRENT_SEQUENCE_KERNEL = 'RnnRecurrentSequence';

/** The tfjs backends on which recurrent layers run as one `RnnRecurrentSequence` kernel. */
export const FUSED_SEQUENCE_BACKENDS: readonly string[] = ['cpu', 'wasm'];

/**
 * Everything a call needs besides tensors travels in its attributes, so the kernel function holds
 * no state: whichever copy of this package registered it serves every copy's models.
 */
interface SequenceKernelAttrs {
  readonly sequence: RecurrentSequence;
  readonly units: number;
  readonly options: SequenceOptions;
  /** How many initial states were given as inputs `state0`, `state1`, …; `null`: none (zeros). */
  readonly initialStateCount: number | null;
}

/** Kernel inputs: `x` `(batch, timesteps, features)`, an optional bool `mask`, and the initial states. */
const stateInput = (k: number): string => `state${k}`;

function runRecurrentSequence({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  // tfjs-backend-cpu and -wasm both implement tfjs-core's TensorStorage: `readSync` gives the values
  // (the wasm backend copies them out of its heap), `write` stores new ones and returns their id.
  const storage = backend as tf.KernelBackend;
  const { sequence, units, options, initialStateCount } = attrs as unknown as SequenceKernelAttrs;
  const read = (t: tf.TensorInfo): Float32Array => {
    const values = storage.readSync(t.dataId);
    return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
  };
  const x = requireInput(inputs, 'x');
  const [batch, timesteps] = x.shape;
  const initialStates: Tensor[] | null =
    initialStateCount === null
      ? null
      : Array.from({ length: initialStateCount }, (_, k) => {
          const state = requireInput(inputs, stateInput(k));
          return { shape: state.shape, data: read(state) };
        });
  // Masks flow between layers as bool tensors; the runner takes 0/1 floats.
  const mask = inputs.mask === undefined ? null : read(inputs.mask);
  const result = sequence.run(read(x), batch, timesteps, mask, initialStates, options);
  const write = (values: Float32Array, shape: number[]): tf.TensorInfo => ({ dataId: storage.write(values, shape, 'float32'), shape, dtype: 'float32' });
  return [
    write(result.output, options.keepSequence ? [batch, timesteps, units] : [batch, units]),
    ...result.states.map((state) => write(state, [batch, units])),
  ];
}

function requireInput(inputs: tf.NamedTensorInfoMap, name: string): tf.TensorInfo {
  const input = inputs[name];
  if (input === undefined) throw new BackendError(`${RECURRENT_SEQUENCE_KERNEL}: input "${name}" is missing`, { field: name });
  return input;
}

/** Registers the kernel for cpu and wasm once per tfjs engine (another copy of this package may have done it). */
function registerSequenceKernel(): void {
  for (const backendName of FUSED_SEQUENCE_BACKENDS) {
    if (tf.getKernel(RECURRENT_SEQUENCE_KERNEL, backendName) === undefined) {
      tf.registerKernel({ kernelName: RECURRENT_SEQUENCE_KERNEL, backendName, kernelFunc: runRecurrentSequence });
    }
  }
}

/** One direction of a recurrent layer as a single `RnnRecurrentSequence` kernel call. Holds no tfjs tensor. */
export class FusedRecurrent implements RecurrentRunner {
  private constructor(
    readonly spec: RecurrentLayerSpec,
    private readonly sequence: RecurrentSequence,
  ) {}

  /** Compiles the layer's sequence (weights packed once, into its own kernel memory) and registers the kernel. */
  static async compile(spec: RecurrentLayerSpec, weights: RecurrentWeights): Promise<FusedRecurrent> {
    registerSequenceKernel();
    return new FusedRecurrent(spec, await compileRecurrentSequence(spec, weights));
  }

  run(x: tf.Tensor3D, mask: tf.Tensor2D | null, initialStates: readonly tf.Tensor2D[] | null, options: SequenceOptions): SequenceResult {
    const inputs: tf.NamedTensorMap = { x };
    if (mask !== null) inputs.mask = mask;
    initialStates?.forEach((state, k) => {
      inputs[stateInput(k)] = state;
    });
    const attrs: SequenceKernelAttrs = { sequence: this.sequence, units: this.spec.units, options, initialStateCount: initialStates?.length ?? null };
    // tfjs types attributes as plain data; ours carry the compiled sequence, which only our kernel reads.
    const [output, ...states] = tf.engine().runKernel<tf.Tensor[]>(RECURRENT_SEQUENCE_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap);
    return { output, states: states as tf.Tensor2D[] };
  }

  dispose(): void {
    this.sequence.dispose();
  }
}
