import { createRequire } from 'node:module';
import type * as Ort from 'onnxruntime-node';
import type { Cell, KerasWeights, Problem, ProblemData, Shape } from '../problem.js';
import { GATES, STREAM_CHECK_STEPS, stepSlice } from '../problem.js';
import type { Runner, RunnerDefinition, RunnerSession } from './types.js';
import { interleaveSteps } from './types.js';

/**
 * The fastest thing a user could do without this project: one raw ONNX `LSTM`/`GRU`/`RNN` node in a
 * plain onnxruntime-node `InferenceSession` on one thread, fed time-major tensors (ORT's CPU kernels
 * reject `layout=1`). The graph is built here with onnx-proto, independently of @rnn/backend-onnx, so
 * the cross-check also tests the Keras→ONNX weight layout. A timed call is `session.run` alone: the
 * input is prepared time-major once; the output is reordered only for the cross-check. The streaming
 * shape feeds `Y_h`/`Y_c` back as `initial_h`/`initial_c`.
 */

export function ortRawRunner(): RunnerDefinition {
  return {
    name: 'ort-raw',
    kind: 'peer',
    description: 'a single raw ONNX LSTM/GRU/RNN node in an onnxruntime-node InferenceSession, 1 thread',
    gruResetAfter: true,
    async load() {
      const ort = await import('onnxruntime-node');
      // onnx-proto is CommonJS whose only export Node's ESM loader sees is `default`; require is typed right.
      const { onnx } = createRequire(import.meta.url)('onnx-proto') as typeof import('onnx-proto');
      return new OrtRawRunner(ort, onnx);
    },
  };
}

type OnnxNamespace = (typeof import('onnx-proto'))['onnx'];

const OP_TYPE: Readonly<Record<Cell, string>> = { lstm: 'LSTM', gru: 'GRU', simple_rnn: 'RNN' };

/**
 * ONNX gate order, as indices of Keras gate blocks: ONNX LSTM is i,o,f,c while Keras is i,f,c,o;
 * GRU is z,r,h in both.
 */
const ONNX_GATE_FROM_KERAS: Readonly<Record<Cell, readonly number[]>> = { lstm: [0, 3, 1, 2], gru: [0, 1, 2], simple_rnn: [0] };

/** Keras `(rows, G·H)` → ONNX `(1, G·H, rows)`, gate blocks reordered. */
function toOnnxMatrix(keras: Float32Array, rows: number, units: number, cell: Cell): Float32Array {
  const order = ONNX_GATE_FROM_KERAS[cell];
  const width = GATES[cell] * units;
  const out = new Float32Array(keras.length);
  order.forEach((kerasGate, onnxGate) => {
    for (let j = 0; j < units; j++) {
      const row = (onnxGate * units + j) * rows;
      const column = kerasGate * units + j;
      for (let k = 0; k < rows; k++) out[row + k] = keras[k * width + column];
    }
  });
  return out;
}

/** ONNX `B` = `[Wb, Rb]` `(1, 2·G·H)`: Keras has one bias (`Rb` = 0) except GRU reset_after, whose two rows are `Wb` and `Rb`. */
function toOnnxBias(weights: KerasWeights, units: number, cell: Cell): Float32Array {
  const width = GATES[cell] * units;
  const order = ONNX_GATE_FROM_KERAS[cell];
  const out = new Float32Array(2 * width);
  const rows = weights.biasShape.length === 2 ? 2 : 1;
  for (let r = 0; r < rows; r++) {
    order.forEach((kerasGate, onnxGate) => {
      const from = r * width + kerasGate * units;
      out.set(weights.bias.subarray(from, from + units), r * width + onnxGate * units);
    });
  }
  return out;
}

function buildModel(onnx: OnnxNamespace, problem: Problem, weights: KerasWeights): Uint8Array {
  const { cell, shape } = problem;
  const { inputs, units } = shape;
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const INT = onnx.AttributeProto.AttributeType.INT;
  const initializer = (name: string, dims: number[], values: Float32Array) => ({
    name,
    dataType: FLOAT,
    dims,
    rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  });
  const valueInfo = (name: string, dims: (number | string)[]) => ({
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
  const gates = GATES[cell] * units;
  const hasCellState = cell === 'lstm';
  const stateInputs = shape.streaming ? ['initial_h', ...(hasCellState ? ['initial_c'] : [])] : [];
  // Optional node inputs are positional: X, W, R, B, sequence_lens, initial_h, initial_c.
  const nodeInputs = ['X', 'W', 'R', 'B', ...(shape.streaming ? ['', ...stateInputs] : [])];
  const nodeOutputs = shape.streaming ? ['', 'Y_h', ...(hasCellState ? ['Y_c'] : [])] : ['Y'];
  const attributes = [{ name: 'hidden_size', type: INT, i: units }];
  if (cell === 'gru') attributes.push({ name: 'linear_before_reset', type: INT, i: problem.resetAfter ? 1 : 0 });
  const model = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 14 }],
    producerName: '@rnn/bench ort-raw',
    graph: {
      name: `${cell}_${shape.name}`,
      node: [{ opType: OP_TYPE[cell], name: 'rnn', input: nodeInputs, output: nodeOutputs, attribute: attributes }],
      initializer: [
        initializer('W', [1, gates, inputs], toOnnxMatrix(weights.kernel, inputs, units, cell)),
        initializer('R', [1, gates, units], toOnnxMatrix(weights.recurrentKernel, units, units, cell)),
        initializer('B', [1, 2 * gates], toOnnxBias(weights, units, cell)),
      ],
      input: [valueInfo('X', ['time', 'batch', inputs]), ...stateInputs.map((name) => valueInfo(name, [1, 'batch', units]))],
      output: nodeOutputs.filter((name) => name).map((name) => valueInfo(name, name === 'Y' ? ['time', 1, 'batch', units] : [1, 'batch', units])),
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.fromObject(model)).finish();
}

/** `(B, T, I)` → `(T, B, I)`; also `(T, B, H)` → `(B, T, H)` with the two leading sizes swapped. */
function swapLeadingAxes(data: Float32Array, first: number, second: number, inner: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let a = 0; a < first; a++) {
    for (let b = 0; b < second; b++) {
      out.set(data.subarray((a * second + b) * inner, (a * second + b + 1) * inner), (b * first + a) * inner);
    }
  }
  return out;
}

class OrtRawRunner implements Runner {
  constructor(
    private readonly ort: typeof Ort,
    private readonly onnx: OnnxNamespace,
  ) {}

  async create(problem: Problem, data: ProblemData): Promise<RunnerSession> {
    const session = await this.ort.InferenceSession.create(buildModel(this.onnx, problem, data.weights), {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
    });
    const { shape } = problem;
    if (!shape.streaming) {
      const x = new this.ort.Tensor('float32', swapLeadingAxes(data.input, shape.batch, data.inputSteps, shape.inputs), [
        data.inputSteps,
        shape.batch,
        shape.inputs,
      ]);
      return new OrtFullSequence(session, x, shape, data.inputSteps);
    }
    const steps = Array.from(
      { length: data.inputSteps },
      (_, k) => new this.ort.Tensor('float32', stepSlice(data.input, shape, data.inputSteps, k), [1, shape.batch, shape.inputs]),
    );
    return new OrtStreaming(this.ort, session, steps, shape, problem.cell === 'lstm');
  }
}

class OrtFullSequence implements RunnerSession {
  readonly backend = 'onnxruntime-node cpu, raw node';

  constructor(
    private readonly session: Ort.InferenceSession,
    private readonly x: Ort.Tensor,
    private readonly shape: Shape,
    private readonly steps: number,
  ) {}

  async check(): Promise<Float32Array> {
    const { Y } = await this.session.run({ X: this.x });
    // Y is (T, num_directions = 1, B, H).
    return swapLeadingAxes(Y.data as Float32Array, this.steps, this.shape.batch, this.shape.units);
  }

  async call(): Promise<void> {
    await this.session.run({ X: this.x });
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

class OrtStreaming implements RunnerSession {
  readonly backend = 'onnxruntime-node cpu, raw node';
  private states: Record<string, Ort.Tensor>;
  private next = 0;

  constructor(
    private readonly ort: typeof Ort,
    private readonly session: Ort.InferenceSession,
    private readonly steps: readonly Ort.Tensor[],
    private readonly shape: Shape,
    private readonly hasCellState: boolean,
  ) {
    this.states = this.zeroStates();
  }

  private zeroStates(): Record<string, Ort.Tensor> {
    const zeros = () => new this.ort.Tensor('float32', new Float32Array(this.shape.batch * this.shape.units), [1, this.shape.batch, this.shape.units]);
    return this.hasCellState ? { initial_h: zeros(), initial_c: zeros() } : { initial_h: zeros() };
  }

  private async step(x: Ort.Tensor): Promise<Float32Array> {
    const result = await this.session.run({ X: x, ...this.states });
    this.states = this.hasCellState ? { initial_h: result.Y_h, initial_c: result.Y_c } : { initial_h: result.Y_h };
    return result.Y_h.data as Float32Array;
  }

  async check(): Promise<Float32Array> {
    this.states = this.zeroStates();
    const outputs: Float32Array[] = [];
    for (const x of this.steps.slice(0, STREAM_CHECK_STEPS)) outputs.push(await this.step(x));
    this.states = this.zeroStates();
    return interleaveSteps(outputs, this.shape.batch, this.shape.units);
  }

  async call(): Promise<void> {
    await this.step(this.steps[this.next]);
    this.next = (this.next + 1) % this.steps.length;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
