import {
  GATE_COUNT,
  STATE_COUNT,
  type ElementwiseActivation,
  type BidirectionalLayerSpec,
  type BidirectionalWeights,
  type RecurrentLayerSpec,
  type RecurrentWeights,
  type Tensor,
} from '@rnn/core';
import { applyActivation, recurrentOpActivation, type RecurrentOpActivation } from './activations.js';
import type { Attributes, GraphBuilder } from './graph.js';

/**
 * SimpleRNN/GRU/LSTM layers as ONNX nodes. Two ways, chosen per layer when the graph is built:
 * - the ONNX `RNN`/`GRU`/`LSTM` operator, when no mask reaches the layer and the operator has both
 *   activations (one node, ONNX Runtime's fused kernels);
 * - otherwise a `Scan` over time whose body is the Keras cell written with MatMul/Add/Split and the
 *   activations, with `Where` on the mask (states hold at masked steps; the output follows
 *   `maskedOutput`). Input projections `x·W + b` for all steps are one MatMul before the Scan.
 *
 * Tensors between layers are time-major `(time, batch, features)`, the operators' own layout
 * (ONNX Runtime's CPU kernels reject `layout=1`), so no layer pays a transpose; the model's edge
 * converts to Keras's batch-major layout where a graph needs it (see `model-graph.ts`). States enter
 * and leave a layer stacked as the operators hold them, `(directions, batch, units)`.
 */

/** A mask reaching a layer: `(time, batch)` bool, and the same as `(time, batch, 1)` for scanning. */
export interface MaskValue {
  readonly bool: string;
  readonly scanned: string;
}

/** Which order a direction's sequence output takes. */
type OutputOrder =
  /** Keras's own for one layer: step k is the k-th step processed (reversed time with go_backwards). */
  | 'processing'
  /** Bidirectional's backward half: the processing order flipped back. */
  | 'flipped';

/**
 * Where a layer's states come from and go to. A group is a list of the layer's Keras state indices
 * (`[h, c]`, or `[forward_h, forward_c, backward_h, backward_c]`) stacked on a new axis 0,
 * `(group.length, batch, units)`, as the recurrent operators hold them; or, `stacked: false`, one
 * state as `(batch, units)`, as a Scan holds it. Every state is in exactly one group, read once and
 * written once. `initial` returns `null` for zeros, in a graph without state inputs.
 */
export interface LayerStates {
  initial(group: readonly number[], stacked: boolean): string | null;
  final(group: readonly number[], stacked: boolean, value: string): void;
}

/** The operator's inputs: optional ones left out as `''`, trailing ones dropped. */
function operatorNodeInputs(inputs: readonly string[]): string[] {
  let end = inputs.length;
  while (end > 0 && inputs[end - 1] === '') end--;
  return inputs.slice(0, end);
}

interface Direction {
  readonly layer: RecurrentLayerSpec;
  readonly weights: RecurrentWeights;
  /** This direction's first state among the layer's Keras states (0, or the backward half's offset). */
  readonly firstState: number;
  readonly outputOrder: OutputOrder;
}

/**
 * A final state where the graph holds it: `holder` is the state itself `(batch, units)`, or, when
 * `position` is a number, that row of a stacked `(directions, batch, units)` value.
 */
export interface StateRef {
  readonly holder: string;
  readonly position: number | null;
}

/** A Keras output of a layer: a value, or one of its final states. */
export type NamedOutput = { readonly value: string } | { readonly state: StateRef };

/**
 * A state as a `(batch, units)` value. A `Gather`, not a `Squeeze` or `Split`: onnxruntime-web's
 * WebGPU provider gave wrong halves after a `Split` of a bidirectional `Y_h`.
 */
export function stateValue(g: GraphBuilder, ref: StateRef): string {
  return ref.position === null ? ref.holder : g.op('Gather', [ref.holder, g.ints([ref.position], [])], { axis: { int: 0 } }, 'state');
}

interface DirectionResult {
  /** `(time, batch, units)` when the layer returns sequences, else the output at the last processed step `(batch, units)`. */
  readonly output: string;
  /** Final states, Keras order. */
  readonly states: StateRef[];
}

/** What a recurrent layer reads. */
export interface RecurrentInput {
  /** `(batch, time, features)`. */
  readonly x: string;
  readonly mask: MaskValue | null;
  /**
   * The activations (ONNX names) that the ONNX recurrent operators may be used with, or `null` to
   * write every layer as a Scan. A layer with another activation becomes a Scan.
   */
  readonly operatorActivations: ReadonlySet<string> | null;
}

/** One layer's results: the value the next layer reads and Keras's named outputs. */
export interface LayerResult {
  readonly value: string;
  readonly named: ReadonlyMap<string, NamedOutput>;
}

export function buildRecurrentLayer(
  g: GraphBuilder,
  layer: RecurrentLayerSpec,
  weights: RecurrentWeights,
  input: RecurrentInput,
  states: LayerStates,
): LayerResult {
  const [result] = buildDirections(g, input, layer.returnSequences, states, [{ layer, weights, firstState: 0, outputOrder: 'processing' }]);
  const named = new Map<string, NamedOutput>([['output', { value: result.output }]]);
  named.set('h', { state: result.states[0] });
  if (layer.cell === 'LSTM') named.set('c', { state: result.states[1] });
  return { value: result.output, named };
}

export function buildBidirectionalLayer(
  g: GraphBuilder,
  layer: BidirectionalLayerSpec,
  weights: BidirectionalWeights,
  input: RecurrentInput,
  states: LayerStates,
): LayerResult {
  const [forward, backward] = buildDirections(g, input, layer.returnSequences, states, [
    { layer: layer.forward, weights: weights.forward, firstState: 0, outputOrder: 'processing' },
    { layer: layer.backward, weights: weights.backward, firstState: STATE_COUNT[layer.forward.cell], outputOrder: 'flipped' },
  ]);
  const forwardOut = forward.output;
  const backwardOut = backward.output;
  const named = new Map<string, NamedOutput>();
  let value: string;
  switch (layer.mergeMode) {
    case 'concat':
      value = g.op('Concat', [forwardOut, backwardOut], { axis: { int: -1 } });
      break;
    case 'sum':
      value = g.op('Add', [forwardOut, backwardOut]);
      break;
    case 'mul':
      value = g.op('Mul', [forwardOut, backwardOut]);
      break;
    case 'ave':
      value = g.op('Mul', [g.op('Add', [forwardOut, backwardOut]), g.scalar(0.5)]);
      break;
    case null:
      // Two outputs; the next layer (if any) cannot take them, so `value` is only the forward half.
      value = forwardOut;
      named.set('forward_output', { value: forwardOut });
      named.set('backward_output', { value: backwardOut });
      break;
  }
  if (layer.mergeMode !== null) named.set('output', { value });
  const prefixes = ['forward', 'backward'] as const;
  [forward, backward].forEach((result, d) => {
    named.set(`${prefixes[d]}_h`, { state: result.states[0] });
    if (result.states.length > 1) named.set(`${prefixes[d]}_c`, { state: result.states[1] });
  });
  return { value, named };
}

function buildDirections(
  g: GraphBuilder,
  { x, mask, operatorActivations }: RecurrentInput,
  returnSequences: boolean,
  states: LayerStates,
  directions: readonly Direction[],
): DirectionResult[] {
  const opAttributes = directions.map((d) => (operatorActivations && !mask ? recurrentOpAttributes(d.layer, operatorActivations) : null));
  const [forward, backward] = directions;
  if (
    forward &&
    backward &&
    opAttributes[0] &&
    opAttributes[1] &&
    !forward.layer.goBackwards &&
    backward.layer.goBackwards &&
    backward.outputOrder === 'flipped' &&
    sameOperator(forward.layer, backward.layer, opAttributes[0], opAttributes[1])
  ) {
    return buildOperatorBidirectional(g, x, returnSequences, states, forward, backward, recurrentOpAttributes(forward.layer, operatorActivations!, 2)!);
  }
  return directions.map((d, i) => {
    const attributes = opAttributes[i];
    return attributes ? buildOperatorDirection(g, x, returnSequences, states, d, attributes) : buildScanDirection(g, x, mask, returnSequences, states, d);
  });
}

/** The Keras state indices of a direction: `[h]` or `[h, c]` from its first one. */
function directionStates(d: Direction): number[] {
  return Array.from({ length: STATE_COUNT[d.layer.cell] }, (_, k) => d.firstState + k);
}


// ---------------------------------------------------------------------------------------------
// The ONNX recurrent operators

const OPERATOR: Readonly<Record<RecurrentLayerSpec['cell'], string>> = { SimpleRNN: 'RNN', GRU: 'GRU', LSTM: 'LSTM' };

/** The ONNX recurrent operators this package uses. */
export const RECURRENT_OPERATORS: readonly string[] = Object.values(OPERATOR);

/** Keras gate k of ONNX's order: LSTM ONNX i,o,f,c from Keras i,f,c,o; GRU z,r,h in both. */
const ONNX_GATE_SOURCE: Readonly<Record<RecurrentLayerSpec['cell'], readonly number[]>> = {
  SimpleRNN: [0],
  GRU: [0, 1, 2],
  LSTM: [0, 3, 1, 2],
};

/**
 * The operator's attributes for this layer, or `null` when it lacks one of the activations or may
 * not use it. `directions` repeats the activations: a bidirectional node lists them per direction.
 */
function recurrentOpAttributes(layer: RecurrentLayerSpec, allowed: ReadonlySet<string>, directions = 1): Attributes | null {
  const op = (activation: ElementwiseActivation) => {
    const found = recurrentOpActivation(activation);
    return found && allowed.has(found.name) ? found : null;
  };
  const activations: (RecurrentOpActivation | null)[] =
    layer.cell === 'SimpleRNN'
      ? [op(layer.activation)]
      : layer.cell === 'GRU'
        ? [op(layer.recurrentActivation), op(layer.activation)]
        : [op(layer.recurrentActivation), op(layer.activation), op(layer.activation)];
  if (activations.some((a) => a === null)) return null;
  const known = Array.from({ length: directions }, () => activations as RecurrentOpActivation[]).flat();
  return {
    hidden_size: { int: layer.units },
    activations: { strings: known.map((a) => a.name) },
    activation_alpha: { floats: known.flatMap((a) => (a.alpha === undefined ? [] : [a.alpha])) },
    activation_beta: { floats: known.flatMap((a) => (a.beta === undefined ? [] : [a.beta])) },
    ...(layer.cell === 'GRU' ? { linear_before_reset: { int: layer.resetAfter ? 1 : 0 } } : {}),
  };
}

function sameOperator(a: RecurrentLayerSpec, b: RecurrentLayerSpec, attrsA: Attributes, attrsB: Attributes): boolean {
  return a.cell === b.cell && a.units === b.units && JSON.stringify(attrsA) === JSON.stringify(attrsB);
}

interface OperatorWeights {
  /** `(G·u, f)`, ONNX gate order. */
  readonly w: Float32Array;
  /** `(G·u, u)`. */
  readonly r: Float32Array;
  /** `(2·G·u)`: input biases then recurrent biases; `null` without bias. */
  readonly b: Float32Array | null;
}

/** Transposes Keras `(rows, G·u)` to ONNX `(G·u, rows)` and reorders the gate blocks. */
function toOperatorMatrix(matrix: Tensor, gateSource: readonly number[], units: number): Float32Array {
  const [rows, columns] = matrix.shape;
  const out = new Float32Array(rows * columns);
  gateSource.forEach((source, gate) => {
    for (let u = 0; u < units; u++) {
      const outRow = (gate * units + u) * rows;
      const column = source * units + u;
      for (let r = 0; r < rows; r++) out[outRow + r] = matrix.data[r * columns + column];
    }
  });
  return out;
}

function reorderGates(vector: Float32Array, gateSource: readonly number[], units: number): Float32Array {
  const out = new Float32Array(gateSource.length * units);
  gateSource.forEach((source, gate) => out.set(vector.subarray(source * units, (source + 1) * units), gate * units));
  return out;
}

function operatorWeights(layer: RecurrentLayerSpec, weights: RecurrentWeights): OperatorWeights {
  const gates = ONNX_GATE_SOURCE[layer.cell];
  const size = GATE_COUNT[layer.cell] * layer.units;
  const w = toOperatorMatrix(weights.kernel, gates, layer.units);
  const r = toOperatorMatrix(weights.recurrentKernel, gates, layer.units);
  if (!weights.bias) return { w, r, b: null };
  const b = new Float32Array(2 * size);
  // GRU reset_after keeps input and recurrent biases apart (Keras `(2, 3u)`); otherwise all is input bias.
  b.set(reorderGates(weights.bias.data.subarray(0, size), gates, layer.units), 0);
  if (weights.bias.data.length === 2 * size) b.set(reorderGates(weights.bias.data.subarray(size), gates, layer.units), size);
  return { w, r, b };
}

function concatArrays(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Adds W, R, B initializers for one or two directions and returns the operator's first inputs. */
function operatorInputs(g: GraphBuilder, directions: readonly Direction[]): string[] {
  const { layer } = directions[0];
  const size = GATE_COUNT[layer.cell] * layer.units;
  const all = directions.map((d) => operatorWeights(d.layer, d.weights));
  const n = directions.length;
  const prefix = `${layer.name}/${OPERATOR[layer.cell]}`;
  const w = g.weight(`${prefix}/W`, concatArrays(all.map((a) => a.w)), [n, size, layer.inputDim]);
  const r = g.weight(`${prefix}/R`, concatArrays(all.map((a) => a.r)), [n, size, layer.units]);
  const hasBias = all.some((a) => a.b);
  const b = hasBias ? g.weight(`${prefix}/B`, concatArrays(all.map((a) => a.b ?? new Float32Array(2 * size))), [n, 2 * size]) : '';
  return [w, r, b];
}


/** The operator's outputs: `Y` (or '' when unused), `Y_h`, and `Y_c` for LSTM. */
function operatorOutputs(g: GraphBuilder, layer: RecurrentLayerSpec, returnSequences: boolean): string[] {
  const y = returnSequences ? g.unique(`${layer.name}/Y`) : '';
  const yh = g.unique(`${layer.name}/Y_h`);
  return layer.cell === 'LSTM' ? [y, yh, g.unique(`${layer.name}/Y_c`)] : [y, yh];
}

function reverseTime(g: GraphBuilder, sequence: string): string {
  // Gathers the time axis (0) at T-1-[0, 1, ..., T-1]. Two runtime bugs shape this: onnxruntime-web's
  // WebGPU Slice clamps a negative step's end to 0 (dropping step 0), and ORT's optimizer rewrites a
  // Gather of Range(T-1, -1, -1) into a Slice ending at -1 (an empty result).
  const steps = g.op('Squeeze', [g.op('Shape', [sequence], { start: { int: 0 }, end: { int: 1 } }, 'timesteps')], {}, 'timesteps');
  const last = g.op('Sub', [steps, g.ints([1], [])], {}, 'last_step');
  const forward = g.op('Range', [g.ints([0], []), steps, g.ints([1], [])], {}, 'steps');
  return g.op('Gather', [sequence, g.op('Sub', [last, forward], {}, 'reversed_steps')], { axis: { int: 0 } }, 'reversed');
}

function buildOperatorDirection(
  g: GraphBuilder,
  x: string,
  returnSequences: boolean,
  states: LayerStates,
  d: Direction,
  attributes: Attributes,
): DirectionResult {
  const { layer } = d;
  const [w, r, b] = operatorInputs(g, [d]);
  const groups = directionStates(d).map((k) => [k]);
  const outputs = operatorOutputs(g, layer, returnSequences);
  g.opN(OPERATOR[layer.cell], operatorNodeInputs([x, w, r, b, '', ...groups.map((group) => states.initial(group, true) ?? '')]), outputs, {
    ...attributes,
    direction: { string: layer.goBackwards ? 'reverse' : 'forward' },
  });
  groups.forEach((group, k) => states.final(group, true, outputs[1 + k]));
  const finalStates = outputs.slice(1).map((s): StateRef => ({ holder: s, position: 0 }));
  if (!returnSequences) return { output: stateValue(g, finalStates[0]), states: finalStates };
  // Y is (time, 1, batch, units) in time order for both directions.
  const sequence = g.op('Squeeze', [outputs[0], g.ints([1])], {}, 'sequence');
  const inTimeOrder = layer.goBackwards === (d.outputOrder === 'flipped');
  return { output: inTimeOrder ? sequence : reverseTime(g, sequence), states: finalStates };
}


/** One `direction: bidirectional` node for a Bidirectional whose halves the operator expresses alike. */
function buildOperatorBidirectional(
  g: GraphBuilder,
  x: string,
  returnSequences: boolean,
  states: LayerStates,
  forward: Direction,
  backward: Direction,
  attributes: Attributes,
): DirectionResult[] {
  const { layer } = forward;
  const [w, r, b] = operatorInputs(g, [forward, backward]);
  // One group per kind of state, stacked forward then backward: [forward_h, backward_h], ...
  const backwardStates = directionStates(backward);
  const groups = directionStates(forward).map((k, i) => [k, backwardStates[i]]);
  const outputs = operatorOutputs(g, layer, returnSequences);
  g.opN(OPERATOR[layer.cell], operatorNodeInputs([x, w, r, b, '', ...groups.map((group) => states.initial(group, true) ?? '')]), outputs, {
    ...attributes,
    direction: { string: 'bidirectional' },
  });
  groups.forEach((group, k) => states.final(group, true, outputs[1 + k]));
  // Y_h / Y_c are (2, batch, units): direction 0 forward, 1 backward.
  const statesOf = (dir: number) => outputs.slice(1).map((s): StateRef => ({ holder: s, position: dir }));
  const [forwardStates, backwardStatesOut] = [statesOf(0), statesOf(1)];
  // Y is (time, 2, batch, units); the backward direction's outputs are already in time order.
  const outputOf = (dir: number) =>
    returnSequences
      ? g.op('Gather', [outputs[0], g.ints([dir], [])], { axis: { int: 1 } }, 'sequence')
      : stateValue(g, [forwardStates, backwardStatesOut][dir][0]);
  return [
    { output: outputOf(0), states: forwardStates },
    { output: outputOf(1), states: backwardStatesOut },
  ];
}

// ---------------------------------------------------------------------------------------------
// The Keras cell in a Scan

function columns(matrix: Tensor, from: number, to: number): Float32Array {
  const [rows, width] = matrix.shape;
  const out = new Float32Array(rows * (to - from));
  for (let r = 0; r < rows; r++) out.set(matrix.data.subarray(r * width + from, r * width + to), r * (to - from));
  return out;
}

function buildScanDirection(
  g: GraphBuilder,
  x: string,
  mask: MaskValue | null,
  returnSequences: boolean,
  layerStates: LayerStates,
  d: Direction,
): DirectionResult {
  const { layer, weights } = d;
  const groups = directionStates(d).map((k) => [k]);
  const initialStates = groups.map((group) => {
    return layerStates.initial(group, false) ?? zeroState(g, x, layer.units);
  });
  const units = layer.units;
  const size = GATE_COUNT[layer.cell] * units;
  const name = layer.name;

  // x·W + b for every step at once.
  const kernel = g.weight(`${name}/kernel`, weights.kernel.data, [layer.inputDim, size]);
  let projected = g.op('MatMul', [x, kernel], {}, 'projected');
  const bias = weights.bias?.data ?? null;
  const inputBias = bias ? bias.subarray(0, size) : null;
  const recurrentBias = bias && bias.length === 2 * size ? bias.subarray(size) : null;
  if (inputBias) projected = g.op('Add', [projected, g.weight(`${name}/bias`, inputBias, [size])], {}, 'projected');

  const previousOutput = mask !== null && returnSequences && layer.maskedOutput === 'previous-output';
  const body = g.subgraph();
  const stateIn = initialStates.map((_, i) => body.unique(`${name}/state_in_${i}`));
  const previousIn = previousOutput ? body.unique(`${name}/previous_output_in`) : null;
  const stepIn = body.unique(`${name}/projected_t`);
  const maskIn = mask ? body.unique(`${name}/mask_t`) : null;

  const cell = buildCell(body, layer, weights, stepIn, stateIn, recurrentBias);
  let nextStates = cell.states;
  let output = cell.states[0];
  if (maskIn) {
    nextStates = cell.states.map((s, i) => body.op('Where', [maskIn, s, stateIn[i]], {}, 'state'));
    if (layer.maskedOutput === 'state') output = nextStates[0];
    else output = body.op('Where', [maskIn, cell.states[0], previousIn ?? body.scalar(0)], {}, 'output');
  }
  const bodyOutputs = nextStates.map((s) => body.expose(s));
  if (previousIn) bodyOutputs.push(body.expose(output));
  if (returnSequences) bodyOutputs.push(body.expose(output));

  const floatInfo = (n: string) => ({ name: n, type: { tensorType: { elemType: 1 } } });
  const bodyInputs = [...stateIn, ...(previousIn ? [previousIn] : [])].map(floatInfo);
  bodyInputs.push(floatInfo(stepIn));
  if (maskIn) bodyInputs.push({ name: maskIn, type: { tensorType: { elemType: 9 } } });
  const graph = body.toSubgraph(`${name}_cell`, bodyInputs, bodyOutputs.map(floatInfo));

  const scanInputs = [projected, ...(mask ? [mask.scanned] : [])];
  const stateCount = initialStates.length + (previousIn ? 1 : 0);
  const initial = [...initialStates, ...(previousIn ? [zerosLike(g, initialStates[0])] : [])];
  const reverse = layer.goBackwards ? 1 : 0;
  const outputs = g.opN('Scan', [...initial, ...scanInputs], stateCount + (returnSequences ? 1 : 0), {
    body: { graph },
    num_scan_inputs: { int: scanInputs.length },
    scan_input_directions: { ints: scanInputs.map(() => reverse) },
    ...(returnSequences ? { scan_output_directions: { ints: [d.outputOrder === 'flipped' ? 1 : 0] } } : {}),
  }, `${name}_scan`);
  const states = outputs.slice(0, initialStates.length);
  groups.forEach((group, k) => layerStates.final(group, false, states[k]));
  const finalStates = states.map((holder): StateRef => ({ holder, position: null }));
  return { output: returnSequences ? outputs[stateCount] : lastOutput(g, layer, mask, states[0]), states: finalStates };
}

/** `(batch, units)` zeros for a time-major `x`. */
function zeroState(g: GraphBuilder, x: string, units: number): string {
  const batch = g.op('Shape', [x], { start: { int: 1 }, end: { int: 2 } }, 'batch');
  const shape = g.op('Concat', [batch, g.ints([units])], { axis: { int: 0 } }, 'state_shape');
  return g.op('ConstantOfShape', [shape], {}, 'zeros');
}

/** `(batch, units)` zeros shaped like a state. */
function zerosLike(g: GraphBuilder, like: string): string {
  return g.op('Mul', [like, g.scalar(0)], {}, 'zeros');
}

/** Keras's output at the last processed step, from the final `h`, without building the sequence. */
function lastOutput(g: GraphBuilder, layer: RecurrentLayerSpec, mask: MaskValue | null, finalH: string): string {
  if (!mask || layer.maskedOutput === 'state') return finalH;
  let emits: string;
  if (layer.maskedOutput === 'zeros') {
    // The last processed step's mask: zeros there if it is masked.
    emits = g.op('Gather', [mask.bool, g.ints([layer.goBackwards ? 0 : -1], [])], { axis: { int: 0 } }, 'last_mask');
  } else {
    // previous-output: the last real step's h (= final h), or zeros in a row with no real step.
    const anyReal = g.op('ReduceMax', [g.op('Cast', [mask.bool], { to: { int: 1 } })], { axes: { ints: [0] }, keepdims: { int: 0 } });
    emits = g.op('Cast', [anyReal], { to: { int: 9 } }, 'any_real');
  }
  return g.op('Where', [g.op('Unsqueeze', [emits, g.ints([1])]), finalH, g.scalar(0)], {}, 'last');
}

interface CellResult {
  /** New states before masking, Keras order; `states[0]` is also the step's output. */
  readonly states: string[];
}

/** One Keras cell step in `g` (a Scan body): `step` is `x_t·W + b_in`, `(batch, G·u)`. */
function buildCell(
  g: GraphBuilder,
  layer: RecurrentLayerSpec,
  weights: RecurrentWeights,
  step: string,
  states: readonly string[],
  recurrentBias: Float32Array | null,
): CellResult {
  const u = layer.units;
  const name = layer.name;
  const h = states[0];
  const split = (value: string, parts: number) =>
    g.opN('Split', [value, g.ints(Array.from({ length: parts }, () => u))], parts, { axis: { int: 1 } }, 'gate');
  const act = (value: string) => applyActivation(g, layer.activation, value);
  const gate = (value: string) => applyActivation(g, layer.recurrentActivation, value);

  switch (layer.cell) {
    case 'SimpleRNN': {
      const recurrent = g.weight(`${name}/recurrent_kernel`, weights.recurrentKernel.data, [u, u]);
      return { states: [act(g.op('Add', [step, g.op('MatMul', [h, recurrent])]))] };
    }
    case 'LSTM': {
      const recurrent = g.weight(`${name}/recurrent_kernel`, weights.recurrentKernel.data, [u, 4 * u]);
      const [zi, zf, zc, zo] = split(g.op('Add', [step, g.op('MatMul', [h, recurrent])]), 4);
      const c = g.op('Add', [g.op('Mul', [gate(zf), states[1]]), g.op('Mul', [gate(zi), act(zc)])], {}, 'c');
      return { states: [g.op('Mul', [gate(zo), act(c)], {}, 'h'), c] };
    }
    case 'GRU': {
      const [xz, xr, xh] = split(step, 3);
      let z: string;
      let r: string;
      let candidateInput: string;
      if (layer.resetAfter) {
        const recurrent = g.weight(`${name}/recurrent_kernel`, weights.recurrentKernel.data, [u, 3 * u]);
        let inner = g.op('MatMul', [h, recurrent]);
        if (recurrentBias) inner = g.op('Add', [inner, g.weight(`${name}/recurrent_bias`, recurrentBias, [3 * u])]);
        const [hz, hr, hh] = split(inner, 3);
        z = gate(g.op('Add', [xz, hz]));
        r = gate(g.op('Add', [xr, hr]));
        candidateInput = g.op('Add', [xh, g.op('Mul', [r, hh])]);
      } else {
        const kernel = weights.recurrentKernel;
        const gatesKernel = g.weight(`${name}/recurrent_kernel_zr`, columns(kernel, 0, 2 * u), [u, 2 * u]);
        const candidateKernel = g.weight(`${name}/recurrent_kernel_h`, columns(kernel, 2 * u, 3 * u), [u, u]);
        const [hz, hr] = split(g.op('MatMul', [h, gatesKernel]), 2);
        z = gate(g.op('Add', [xz, hz]));
        r = gate(g.op('Add', [xr, hr]));
        candidateInput = g.op('Add', [xh, g.op('MatMul', [g.op('Mul', [r, h]), candidateKernel])]);
      }
      const candidate = act(candidateInput);
      // h = z·h₋ + (1 − z)·ĥ
      const keep = g.op('Mul', [z, h]);
      const update = g.op('Mul', [g.op('Sub', [g.scalar(1), z]), candidate]);
      return { states: [g.op('Add', [keep, update], {}, 'h')] };
    }
  }
}
