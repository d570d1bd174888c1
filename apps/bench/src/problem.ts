/**
 * What is measured: the benchmark shapes and cells, their FLOP counts, and the deterministic weights
 * and inputs every runner receives (Keras layout; runners convert to their own).
 */

export type ShapeName = 'S1' | 'S2' | 'S3' | 'S4' | 'S5';
export type Cell = 'lstm' | 'gru' | 'simple_rnn';

export interface Shape {
  readonly name: ShapeName;
  readonly batch: number;
  /** Timesteps per call; streaming shapes run one step per call. */
  readonly steps: number;
  readonly inputs: number;
  readonly units: number;
  /** One step per call with the recurrent state carried from call to call. */
  readonly streaming: boolean;
  readonly description: string;
}

export const SHAPES: readonly Shape[] = [
  { name: 'S1', batch: 1, steps: 1, inputs: 16, units: 32, streaming: true, description: 'streaming, one step per call, state carried' },
  { name: 'S2', batch: 1, steps: 50, inputs: 32, units: 64, streaming: false, description: 'short sequence' },
  { name: 'S3', batch: 8, steps: 100, inputs: 128, units: 128, streaming: false, description: 'small batch' },
  { name: 'S4', batch: 32, steps: 100, inputs: 256, units: 256, streaming: false, description: 'large batch' },
  { name: 'S5', batch: 1, steps: 1000, inputs: 64, units: 128, streaming: false, description: 'long sequence' },
];

export const CELLS: readonly Cell[] = ['lstm', 'gru', 'simple_rnn'];

/** Gate blocks per cell: LSTM i,f,c,o; GRU z,r,h; SimpleRNN one. */
export const GATES: Readonly<Record<Cell, number>> = { lstm: 4, gru: 3, simple_rnn: 1 };

/** Keras class name per cell. */
export const KERAS_CLASS: Readonly<Record<Cell, 'LSTM' | 'GRU' | 'SimpleRNN'>> = { lstm: 'LSTM', gru: 'GRU', simple_rnn: 'SimpleRNN' };

/** Steps fed one by one when a streaming shape's output is cross-checked. */
export const STREAM_CHECK_STEPS = 8;

/** Multiply-adds of the two matrix products per step, counted as 2 FLOPs: 2·G·H·(I+H)·B·T per call. */
export function flopsPerCall(shape: Shape, cell: Cell): number {
  return 2 * GATES[cell] * shape.units * (shape.inputs + shape.units) * shape.batch * shape.steps;
}

export function shapeByName(name: string): Shape {
  const shape = SHAPES.find((s) => s.name === name.toUpperCase());
  if (!shape) throw new Error(`unknown shape "${name}" (have ${SHAPES.map((s) => s.name).join(', ')})`);
  return shape;
}

/**
 * One benchmark case. `resetAfter` only matters for GRU: Keras 3's default is `true`; tf.layers only
 * runs `false`, so its GRU is cross-checked against a `reset_after=false` reference.
 */
export interface Problem {
  readonly shape: Shape;
  readonly cell: Cell;
  readonly resetAfter: boolean;
  readonly seed: number;
}

/** Stable key of a problem inside one shape's worker. */
export function problemKey(problem: Problem): string {
  return problem.cell === 'gru' ? `gru/reset_after=${problem.resetAfter}` : problem.cell;
}

/** Weights in Keras `get_weights()` layout: kernel `(I, G·H)`, recurrent `(H, G·H)`, bias `(G·H)` or GRU reset_after `(2, 3H)`. */
export interface KerasWeights {
  readonly kernel: Float32Array;
  readonly recurrentKernel: Float32Array;
  readonly bias: Float32Array;
  readonly biasShape: readonly number[];
}

export interface ProblemData {
  readonly weights: KerasWeights;
  /**
   * `(B, T, I)` row-major. Streaming shapes hold `STREAM_CHECK_STEPS` steps: step k of the stream is
   * `input[:, k, :]` (repeating from the start after the last one).
   */
  readonly input: Float32Array;
  /** Steps held in `input`. */
  readonly inputSteps: number;
}

/**
 * Same problem, same numbers, in every process: weights uniform in ±1/√fan_in (so gates stay off
 * saturation), biases in ±0.1, inputs in ±1, from a seeded PRNG.
 */
export function problemData(problem: Problem): ProblemData {
  const { shape, cell } = problem;
  const width = GATES[cell] * shape.units;
  const random = mulberry32(problem.seed ^ hashString(`${shape.name}/${cell}`));
  const uniform = (length: number, limit: number) => {
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) out[i] = (random() * 2 - 1) * limit;
    return out;
  };
  const kernel = uniform(shape.inputs * width, 1 / Math.sqrt(shape.inputs));
  const recurrentKernel = uniform(shape.units * width, 1 / Math.sqrt(shape.units));
  const twoBiases = cell === 'gru' && problem.resetAfter;
  const bias = uniform(twoBiases ? 2 * width : width, 0.1);
  const inputSteps = shape.streaming ? STREAM_CHECK_STEPS : shape.steps;
  const input = uniform(shape.batch * inputSteps * shape.inputs, 1);
  return { weights: { kernel, recurrentKernel, bias, biasShape: twoBiases ? [2, width] : [width] }, input, inputSteps };
}

/** Step k `(B, I)` of a `(B, T, I)` input. */
export function stepSlice(input: Float32Array, shape: Shape, steps: number, k: number): Float32Array {
  const out = new Float32Array(shape.batch * shape.inputs);
  for (let b = 0; b < shape.batch; b++) {
    const from = (b * steps + k) * shape.inputs;
    out.set(input.subarray(from, from + shape.inputs), b * shape.inputs);
  }
  return out;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashString(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
