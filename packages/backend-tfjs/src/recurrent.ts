import * as tf from '@tensorflow/tfjs-core';
import { STATE_COUNT, type RecurrentLayerSpec, type RecurrentWeights, type Tensor } from '@rnn/core';
import type { SequenceOptions } from '@rnn/backend-cpu/sequence';
import { TFJS_ACTIVATIONS } from './activations.js';
import { upload } from './upload.js';

/**
 * One SimpleRNN/GRU/LSTM composed of tfjs ops: the path for GPU backends (webgl, webgpu), where each
 * op is a shader and the data stays on the device. On cpu and wasm the whole loop is one kernel
 * instead (fused-sequence.ts). Weights are uploaded and cut into the pieces each step needs once,
 * at compile time; a call does one matMul for the input projection of all timesteps, then per step
 * one recurrent matMul (two for GRU `reset_after=false`, as Keras does) and element-wise ops.
 *
 * The time loop is bound by tfjs's per-kernel cost on small shapes, so it counts kernels: step
 * tensors are rank 3, `(1, batch, width)`, which lets the recurrent matMul be a single
 * `_FusedMatMul` kernel (`tf.fused.matMul` and `tf.matMul` on rank 2 add Reshape kernels or skip
 * the backends' cached fully-connected path), and masks use the `Select` kernel on same-shape
 * operands (`tf.where` adds three broadcast kernels).
 */

type Activation = (x: tf.Tensor) => tf.Tensor;
type StepTensor = tf.Tensor3D;

/** A cell's per-step math over pre-projected inputs. */
interface CellKernel {
  /** `x` is `(timesteps·batch, features)` in time-major order; returns the time-major parts `step` reads, `(timesteps, batch, width)` each. */
  project(x: tf.Tensor2D, timesteps: number): tf.Tensor3D[];
  /** New states in Keras order (`[h]` or `[h, c]`); `h` is also the step's output. */
  step(parts: readonly StepTensor[], states: readonly StepTensor[]): StepTensor[];
  /** Every uploaded weight, for dispose. */
  readonly weights: readonly tf.Tensor[];
}

export interface SequenceResult {
  /** With `keepSequence`, every step's output `(batch, timesteps, u)` in the requested order; else the last step's `(batch, u)`. */
  readonly output: tf.Tensor;
  /** Keras order, each `(batch, u)`. */
  readonly states: tf.Tensor2D[];
}

/** One direction of a recurrent layer, compiled for one tfjs backend. */
export interface RecurrentRunner {
  /**
   * Runs the layer over `x` `(batch, timesteps, features)`. `mask` is a bool `(batch, timesteps)`
   * tensor or `null`; `initialStates` `null` means zeros. Call inside `tf.tidy`.
   */
  run(x: tf.Tensor3D, mask: tf.Tensor2D | null, initialStates: readonly tf.Tensor2D[] | null, options: SequenceOptions): SequenceResult;
  dispose(): void;
}

export class OpRecurrent implements RecurrentRunner {
  private readonly kernel: CellKernel;

  constructor(
    readonly spec: RecurrentLayerSpec,
    weights: RecurrentWeights,
  ) {
    this.kernel = buildKernel(spec, weights);
  }

  run(x: tf.Tensor3D, mask: tf.Tensor2D | null, initialStates: readonly tf.Tensor2D[] | null, options: SequenceOptions): SequenceResult {
    const spec = this.spec;
    const [batch, timesteps, features] = x.shape;
    const stepShape: [number, number, number] = [1, batch, spec.units];
    const zeros = tf.zeros(stepShape) as StepTensor;
    const timeMajor = tf.reshape(tf.transpose(x, [1, 0, 2]), [timesteps * batch, features]) as tf.Tensor2D;
    const projected = this.kernel.project(timeMajor, timesteps);
    const stepMasks = mask ? timeMajorMask(mask, spec.units) : null;

    let states: StepTensor[] = initialStates
      ? initialStates.map((s) => tf.reshape(s, stepShape) as StepTensor)
      : Array.from({ length: STATE_COUNT[spec.cell] }, () => zeros);
    let output = zeros;
    const outputs: StepTensor[] = [];
    for (let s = 0; s < timesteps; s++) {
      const t = spec.goBackwards ? timesteps - 1 - s : s;
      // A tidy per step frees the step's temporaries at once; only the new states and output survive.
      const [nextOutput, ...nextStates] = tf.tidy(() => {
        const index = tf.tensor1d([t], 'int32');
        const updated = this.kernel.step(projected.map((part) => stepOf(part, index)), states);
        if (stepMasks === null) return [updated[0], ...updated];
        const real = stepOf(stepMasks, index);
        const kept = updated.map((state, k) => select(real, state, states[k]));
        // 'state': a masked step emits the carried h, which is exactly the kept h.
        if (spec.maskedOutput === 'state') return [kept[0], ...kept];
        return [select(real, updated[0], spec.maskedOutput === 'zeros' ? zeros : output), ...kept];
      });
      output = nextOutput;
      states = nextStates;
      if (options.keepSequence) outputs.push(output);
    }
    // Steps were read last-to-first; time order wants them back in input order (Bidirectional's backward half).
    if (spec.goBackwards && options.order === 'time') outputs.reverse();
    const rows: [number, number] = [batch, spec.units];
    return {
      output: options.keepSequence ? tf.transpose(tf.concat(outputs, 0), [1, 0, 2]) : tf.reshape(output, rows),
      states: states.map((state) => tf.reshape(state, rows) as tf.Tensor2D),
    };
  }

  dispose(): void {
    for (const w of this.kernel.weights) w.dispose();
  }
}

/** `Select` on operands of one shape: what `tf.where` runs after broadcasting all three. */
function select(condition: tf.Tensor, whenTrue: StepTensor, whenFalse: StepTensor): StepTensor {
  return tf.engine().runKernel(tf.Select, { condition, t: whenTrue, e: whenFalse });
}

/** `a · b (+ bias)` as one `_FusedMatMul` kernel on rank-3 operands. */
function fusedMatMul(a: StepTensor, b: tf.Tensor3D, bias: tf.Tensor1D | null): StepTensor {
  const inputs: tf.NamedTensorMap = bias ? { a, b, bias } : { a, b };
  return tf.engine().runKernel(tf._FusedMatMul, inputs, { transposeA: false, transposeB: false, activation: 'linear', leakyreluAlpha: 0 });
}

/**
 * Step `t` of a time-major tensor, `(1, ...)`. A gather, not `unstack`/`slice`: tfjs-wasm's slice
 * kernels copy their whole input out of the heap per call, which makes unstacking T steps O(T²).
 */
function stepOf<T extends tf.Tensor>(timeMajor: T, index: tf.Tensor1D): T {
  return tf.gather(timeMajor, index, 0);
}

/** `(batch, timesteps)` bool → `(timesteps, batch, units)` bool, broadcast once for all steps. */
function timeMajorMask(mask: tf.Tensor2D, units: number): tf.Tensor3D {
  const [batch, timesteps] = mask.shape;
  return tf.broadcastTo(tf.reshape(tf.transpose(mask), [timesteps, batch, 1]), [timesteps, batch, units]);
}

/** Input projection `x W + b` for all steps, cut along the gate axis into `widths`, each `(timesteps, batch, width)`. */
function projectSteps(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D | null, timesteps: number, widths: readonly number[]): tf.Tensor3D[] {
  const all = tf.fused.matMul({ a: x, b: kernel, bias: bias ?? undefined });
  const batch = x.shape[0] / timesteps;
  const groups = widths.length === 1 ? [all] : tf.split(all, [...widths], 1);
  return groups.map((g) => tf.reshape(g, [timesteps, batch, g.shape[1]!]));
}

/** A recurrent weight `(rows, width)` as the rank-3 `(1, rows, width)` operand of `_FusedMatMul`. */
function uploadMatrix(t: Tensor): tf.Tensor3D {
  return upload({ shape: [1, ...t.shape], data: t.data }) as tf.Tensor3D;
}

function buildKernel(spec: RecurrentLayerSpec, weights: RecurrentWeights): CellKernel {
  const act = TFJS_ACTIVATIONS[spec.activation];
  const gate = TFJS_ACTIVATIONS[spec.recurrentActivation];
  switch (spec.cell) {
    case 'SimpleRNN':
      return simpleRnnKernel(spec, weights, act);
    case 'LSTM':
      return lstmKernel(spec, weights, act, gate);
    case 'GRU':
      return spec.resetAfter ? gruResetAfterKernel(spec, weights, act, gate) : gruResetBeforeKernel(spec, weights, act, gate);
  }
}

function simpleRnnKernel(spec: RecurrentLayerSpec, w: RecurrentWeights, act: Activation): CellKernel {
  const kernel = upload(w.kernel) as tf.Tensor2D;
  const recurrent = uploadMatrix(w.recurrentKernel);
  const bias = w.bias ? (upload(w.bias) as tf.Tensor1D) : null;
  return {
    weights: [kernel, recurrent, ...(bias ? [bias] : [])],
    project: (x, timesteps) => projectSteps(x, kernel, bias, timesteps, [spec.units]),
    step: ([xw], [h]) => [act(tf.add(xw, fusedMatMul(h, recurrent, null))) as StepTensor],
  };
}

/**
 * Keras's gate blocks are i, f, c, o; we store them as i, f, o, c so that the three sigmoid gates
 * are one slice (one activation kernel instead of three). The math is unchanged.
 */
function lstmKernel(spec: RecurrentLayerSpec, w: RecurrentWeights, act: Activation, gate: Activation): CellKernel {
  const u = spec.units;
  const order = [0, 1, 3, 2];
  const kernel = upload(permuteGateBlocks(w.kernel, u, order)) as tf.Tensor2D;
  const recurrent = uploadMatrix(permuteGateBlocks(w.recurrentKernel, u, order));
  const bias = w.bias ? (upload(permuteGateBlocks(w.bias, u, order)) as tf.Tensor1D) : null;
  return {
    weights: [kernel, recurrent, ...(bias ? [bias] : [])],
    project: (x, timesteps) => projectSteps(x, kernel, bias, timesteps, [4 * u]),
    step: ([xw], [h, c]) => {
      const [zifo, zg] = tf.split(tf.add(xw, fusedMatMul(h, recurrent, null)), [3 * u, u], 2);
      const [i, f, o] = tf.split(gate(zifo), 3, 2);
      const cNext = tf.add(tf.mul(f, c), tf.mul(i, act(zg))) as StepTensor;
      return [tf.mul(o, act(cNext)) as StepTensor, cNext];
    },
  };
}

/** Bias `(2, 3u)`: row 0 joins the input projection, row 1 the recurrent one (before the reset gate). */
function gruResetAfterKernel(spec: RecurrentLayerSpec, w: RecurrentWeights, act: Activation, gate: Activation): CellKernel {
  const u = spec.units;
  const kernel = upload(w.kernel) as tf.Tensor2D;
  const recurrent = uploadMatrix(w.recurrentKernel);
  const [inputBias, recurrentBias] = w.bias ? biasRows(w.bias) : [null, null];
  return {
    weights: [kernel, recurrent, ...(inputBias && recurrentBias ? [inputBias, recurrentBias] : [])],
    project: (x, timesteps) => projectSteps(x, kernel, inputBias, timesteps, [2 * u, u]),
    step: ([xzr, xh], [h]) => {
      const [hzr, hh] = tf.split(fusedMatMul(h, recurrent, recurrentBias), [2 * u, u], 2);
      const [z, r] = tf.split(gate(tf.add(xzr, hzr)), 2, 2);
      const candidate = act(tf.add(xh, tf.mul(r, hh)));
      return [gruBlend(z, h, candidate)];
    },
  };
}

/** Reset gate applied to `h` before its matMul with the candidate's recurrent columns. */
function gruResetBeforeKernel(spec: RecurrentLayerSpec, w: RecurrentWeights, act: Activation, gate: Activation): CellKernel {
  const u = spec.units;
  const kernel = upload(w.kernel) as tf.Tensor2D;
  const bias = w.bias ? (upload(w.bias) as tf.Tensor1D) : null;
  const [recurrentZr, recurrentH] = splitColumns(w.recurrentKernel, 2 * u).map(uploadMatrix);
  return {
    weights: [kernel, recurrentZr, recurrentH, ...(bias ? [bias] : [])],
    project: (x, timesteps) => projectSteps(x, kernel, bias, timesteps, [2 * u, u]),
    step: ([xzr, xh], [h]) => {
      const [z, r] = tf.split(gate(tf.add(xzr, fusedMatMul(h, recurrentZr, null))), 2, 2);
      const candidate = act(tf.add(xh, fusedMatMul(tf.mul(r, h) as StepTensor, recurrentH, null)));
      return [gruBlend(z, h, candidate)];
    },
  };
}

/** Keras: `h = z·h₋ + (1 − z)·ĥ` (z weights the old state). */
function gruBlend(z: tf.Tensor, h: StepTensor, candidate: tf.Tensor): StepTensor {
  return tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), candidate)) as StepTensor;
}

function biasRows(bias: Tensor): [tf.Tensor1D, tf.Tensor1D] {
  const width = bias.shape[1];
  return [
    upload({ shape: [width], data: bias.data.subarray(0, width) }) as tf.Tensor1D,
    upload({ shape: [width], data: bias.data.subarray(width, 2 * width) }) as tf.Tensor1D,
  ];
}

/** Columns `[0, at)` and `[at, width)` of a row-major matrix, as two matrices. */
function splitColumns(matrix: Tensor, at: number): [Tensor, Tensor] {
  const [rows, width] = matrix.shape;
  const left = new Float32Array(rows * at);
  const right = new Float32Array(rows * (width - at));
  for (let r = 0; r < rows; r++) {
    left.set(matrix.data.subarray(r * width, r * width + at), r * at);
    right.set(matrix.data.subarray(r * width + at, (r + 1) * width), r * (width - at));
  }
  return [
    { shape: [rows, at], data: left },
    { shape: [rows, width - at], data: right },
  ];
}

/** Reorders the `units`-wide gate blocks of the last axis (`order[k]` = source block of block k). */
function permuteGateBlocks(t: Tensor, units: number, order: readonly number[]): Tensor {
  const width = t.shape[t.shape.length - 1];
  const out = new Float32Array(t.data.length);
  for (let row = 0; row < t.data.length; row += width) {
    order.forEach((source, k) => out.set(t.data.subarray(row + source * units, row + (source + 1) * units), row + k * units));
  }
  return { shape: t.shape, data: out };
}
