import {
  UnsupportedError,
  batchNormalizationAffine,
  isStatefulLayer,
  layerOutputShape,
  stateShapes,
  type BatchNormalizationWeights,
  type LayerNormalizationWeights,
  type BidirectionalWeights,
  type Conv1DWeights,
  type DenseWeights,
  type EmbeddingWeights,
  type LayerSpec,
  type LayerWeights,
  type ModelSpec,
  type ModelWeights,
  type RecurrentWeights,
  type StatefulLayerSpec,
} from '@rnn/core';
import { RECURRENT_OP_ACTIVATION_NAMES, applyActivation } from './activations.js';
import { GraphBuilder, valueInfo, type Dim } from './graph.js';
import { IR_VERSION, OPSET_VERSION, encodeModel, type GraphProto, type ValueInfoProto } from './proto.js';
import {
  RECURRENT_OPERATORS,
  buildBidirectionalLayer,
  buildRecurrentLayer,
  stateValue,
  type LayerResult,
  type LayerStates,
  type MaskValue,
  type NamedOutput,
} from './recurrent.js';
import { buildConv1D, buildPooling1D } from './windows.js';

/**
 * The names of a model graph's inputs and outputs. They are the file format's contract: an
 * exported `.onnx` file uses exactly these.
 */
export interface OnnxIoNames {
  /** `(batch, time, features)` float32, or `(batch, time)` float32 token ids for an embedding model. */
  readonly input: string;
  /**
   * `(batch, time)` float32 of 0/1, or a `(0, 0)` tensor for no mask (ONNX Runtime's JS APIs drop
   * inputs that are not required, so it cannot be optional). Present only when a mask given to
   * `run` reaches a recurrent layer or an average pooling (`usesRunMask`); `null` otherwise.
   */
  readonly mask: string | null;
  /** Per layer (spec order), the initial-state inputs in Keras order (`[]` for layers without state). */
  readonly initialStates: readonly (readonly string[])[];
  /** The Keras outputs, `ModelSpec.outputs` order. */
  readonly outputs: readonly string[];
  /** Per layer, the final-state outputs in Keras order (`[]` for layers without state). */
  readonly finalStates: readonly (readonly string[])[];
}

/** Names of a stateful layer's states, Keras order. */
export function stateNames(layer: StatefulLayerSpec): string[] {
  if (layer.kind === 'rnn') return layer.cell === 'LSTM' ? ['h', 'c'] : ['h'];
  return [...stateNames(layer.forward).map((s) => `forward_${s}`), ...stateNames(layer.backward).map((s) => `backward_${s}`)];
}

/**
 * Whether a mask passed to `run` reaches a layer that reads it: a recurrent layer or an average
 * pooling. Masking and Embedding replace it; Flatten, GlobalMaxPooling1D, Conv1D and the 1-D
 * poolings drop it unread.
 */
export function usesRunMask(spec: ModelSpec): boolean {
  for (const layer of spec.layers) {
    switch (layer.kind) {
      case 'rnn':
      case 'bidirectional':
        return true;
      case 'global-pooling':
        return layer.pooling === 'average';
      case 'masking':
      case 'embedding':
      case 'flatten':
      case 'reshape':
      case 'conv1d':
      case 'pooling1d':
        return false;
    }
  }
  return false;
}

export function onnxIoNames(spec: ModelSpec, options: { readonly maskInput?: boolean } = {}): OnnxIoNames {
  const perLayer = (suffix: string) =>
    spec.layers.map((layer) => (isStatefulLayer(layer) ? stateNames(layer).map((s) => `${layer.name}.${suffix}_${s}`) : []));
  return {
    input: 'input',
    mask: options.maskInput !== false && usesRunMask(spec) ? 'mask' : null,
    initialStates: perLayer('initial'),
    outputs: spec.outputs.map((o) => o.name),
    finalStates: perLayer('final'),
  };
}

export interface ModelGraphOptions {
  /**
   * Use ONNX's LSTM/GRU/RNN operators where they express a layer (default true). `false` writes
   * every recurrent layer as a Scan of the Keras cell, for runtimes without those operators.
   */
  readonly recurrentOperators?: boolean;
  /**
   * Only these ONNX activation names (`Tanh`, `Sigmoid`, `Relu`, `Affine`, `HardSigmoid`, ...) may be
   * used with the recurrent operators; layers needing others become Scans. Default: all that match
   * Keras. ONNX Runtime's WebGPU provider implements only `Sigmoid`, `Tanh` and `Relu`.
   */
  readonly operatorActivations?: readonly string[];
  /**
   * `false` leaves out the `mask` input and the If around the model: a graph for calls without a
   * mask only. Default true (when a run mask can reach a layer that reads it, see `usesRunMask`).
   */
  readonly maskInput?: boolean;
  /** Written into the file's `producer_version`. */
  readonly producerVersion?: string;
  /** The file's `doc_string`. */
  readonly docString?: string;
}

/**
 * The whole model as one ONNX graph with Keras's layouts at its edge, for export: every layer's
 * nodes, the weights as initializers, states as explicit `(batch, units)` inputs and outputs. When a
 * run mask can reach a layer that reads it, the body is built twice under an `If` on the mask's size:
 * without it (fast native operators) and with it (masked Scans); an empty `(0, 0)` mask selects the
 * first.
 */
export function buildModelProto(spec: ModelSpec, weights: ModelWeights, options: ModelGraphOptions = {}): Uint8Array {
  const names = onnxIoNames(spec, options);
  const operatorActivations = allowedOperatorActivations(options);
  const g = new GraphBuilder();
  const inputs: ValueInfoProto[] = [];
  const inputFeatures = spec.input.tokenIds ? [] : [spec.input.features ?? 'features'];
  const batch: Dim = spec.input.batch ?? 'batch';
  const time: Dim = spec.input.timesteps ?? 'time';
  inputs.push(
    valueInfo(g.reserve(names.input), 'float32', [batch, time, ...inputFeatures], spec.input.tokenIds ? 'token ids (batch, time) as float32' : 'input (batch, time, features)'),
  );
  if (names.mask) {
    // Own dimension names: a (0, 0) "no mask" must not contradict the input's sizes.
    inputs.push(valueInfo(g.reserve(names.mask), 'float32', ['mask_batch', 'mask_time'], 'mask (batch, time), 1 = real step; a (0, 0) tensor for none'));
  }
  spec.layers.forEach((layer, i) => {
    if (!isStatefulLayer(layer)) return;
    const units = stateUnits(layer);
    for (const [k, n] of names.initialStates[i].entries()) {
      inputs.push(valueInfo(g.reserve(n), 'float32', [batch, units[k]], `initial state of ${layer.name} (batch, units)`));
    }
  });

  const outputNames = [...names.outputs, ...names.finalStates.flat()];
  for (const n of outputNames) g.reserve(n);

  const x = timeMajor(g, names.input, inputRank(spec));
  const body = (builder: GraphBuilder, mask: MaskValue | null): string[] => {
    const finalStates = spec.layers.map((layer) => (isStatefulLayer(layer) ? new Array<string>(stateUnits(layer).length) : []));
    const outputs = buildLayers(builder, spec, weights, x, mask, operatorActivations, (i) => ({
      initial: (group, stacked) => {
        if (!stacked) return names.initialStates[i][group[0]];
        const parts = group.map((k) => builder.op('Unsqueeze', [names.initialStates[i][k], builder.ints([0])], {}, 'state'));
        return parts.length === 1 ? parts[0] : builder.op('Concat', parts, { axis: { int: 0 } }, 'states');
      },
      final: (group, stacked, value) =>
        group.forEach((k, position) => {
          finalStates[i][k] = stacked ? stateValue(builder, { holder: value, position }) : value;
        }),
    }));
    const values = outputs.map((o) => ('value' in o ? o.value : stateValue(builder, o.state)));
    return [...values.map((v, k) => (spec.outputs[k].shape.length === 3 ? batchMajor(builder, v) : v)), ...finalStates.flat()];
  };

  if (names.mask) {
    const runMask = names.mask;
    const branch = (label: string, withMask: boolean) => {
      const sub = g.subgraph();
      const mask = withMask ? stepMask(sub, timeMajor(sub, runMask, 2), true) : null;
      const values = body(sub, mask);
      const outputs = values.map((v) => sub.expose(v));
      return sub.toSubgraph(label, [], outputs.map((o) => valueInfo(o, 'float32')));
    };
    const noMask = g.op('Equal', [g.op('Size', [runMask]), g.ints([0], [])], {}, 'no_mask');
    g.opN('If', [noMask], outputNames, {
      then_branch: { graph: branch('without_mask', false) },
      else_branch: { graph: branch('with_mask', true) },
    });
  } else {
    body(g, null).forEach((v, i) => g.expose(v, outputNames[i]));
  }

  const outputs = [
    ...spec.outputs.map((o, i) => valueInfo(names.outputs[i], 'float32', o.shape.map((d, k) => d ?? (k === 0 ? batch : k === 1 ? time : `${o.name}_${k}`)))),
    ...spec.layers.flatMap((layer, i) =>
      isStatefulLayer(layer)
        ? names.finalStates[i].map((n, k) => valueInfo(n, 'float32', [batch, stateUnits(layer)[k]], `final state of ${layer.name} (batch, units)`))
        : [],
    ),
  ];
  return encode(spec, g.toGraph(spec.name, inputs, outputs), options);
}

/**
 * A group of a layer's states as one graph input and output of a runtime graph: Keras state indices
 * `group` of layer `layer`, `(group.length, batch, units)`, or `(batch, units)` when not `stacked`.
 */
export interface RuntimeStateGroup {
  readonly layer: number;
  readonly group: readonly number[];
  readonly stacked: boolean;
  readonly units: number;
  readonly initial: string;
  readonly final: string;
}

/**
 * The edge of a runtime graph. Inputs and outputs have Keras's layouts; states are stacked as the
 * recurrent operators hold them, so that (for a one-direction layer) a state goes in and out of the
 * operator without a node in between: the caller stacks them (free for one state).
 */
export interface RuntimeIo {
  /** `(batch, time, features)`, or `(batch, time)` token ids. */
  readonly input: string;
  /** `(batch, time)` float32 0/1, when the graph was built for masked calls. */
  readonly mask: string | null;
  /** Empty in a graph without states. */
  readonly states: readonly RuntimeStateGroup[];
  /** The Keras outputs, `ModelSpec.outputs` order. */
  readonly outputs: readonly RuntimeOutput[];
}

/** Where a Keras output comes from: a graph output, or a row of a stacked `(rows, batch, units)` state output. */
export interface RuntimeOutput {
  readonly name: string;
  readonly statePosition: number | null;
}

export interface RuntimeGraph {
  readonly bytes: Uint8Array;
  readonly io: RuntimeIo;
}

/** Which calls a runtime graph serves. */
export interface RuntimeVariant {
  /** Takes a run mask (Scans for the recurrent layers it reaches); otherwise there is no mask input. */
  readonly masked: boolean;
  /** Has state inputs and outputs; otherwise every call starts from zeros and returns no states. */
  readonly states: boolean;
  /**
   * Takes the input (and mask) and returns sequences time-major, with no `Transpose` at the edge: for
   * batch 1, where the caller only relabels the dimensions. Otherwise Keras's batch-major layout.
   */
  readonly timeMajorEdge: boolean;
}

/** A graph `onnx:*` backends run: one per compiled model and variant. */
export function buildRuntimeGraph(spec: ModelSpec, weights: ModelWeights, variant: RuntimeVariant, options: ModelGraphOptions = {}): RuntimeGraph {
  const g = new GraphBuilder();
  const batch: Dim = spec.input.batch ?? 'batch';
  const time: Dim = spec.input.timesteps ?? 'time';
  const edge = (dims: readonly Dim[]): Dim[] => (variant.timeMajorEdge ? [time, batch, ...dims] : [batch, time, ...dims]);
  const toTimeMajor = (value: string, rank: 2 | 3) => (variant.timeMajorEdge ? value : timeMajor(g, value, rank));
  const input = g.reserve('input');
  const inputs = [valueInfo(input, 'float32', edge(spec.input.tokenIds ? [] : [spec.input.features ?? 'features']))];
  const mask = variant.masked ? g.reserve('mask') : null;
  const outputNames = spec.outputs.map((o) => g.reserve(o.name));
  if (mask) inputs.push(valueInfo(mask, 'float32', edge([])));
  const stacks: { layer: number; group: readonly number[]; stacked: boolean; units: number; keras: string; initial: string; value: string | null }[] = [];
  const stepMasks = mask ? stepMask(g, toTimeMajor(mask, 2), true) : null;
  const values = buildLayers(g, spec, weights, toTimeMajor(input, inputRank(spec)), stepMasks, allowedOperatorActivations(options), (i) => {
    const layer = spec.layers[i] as StatefulLayerSpec;
    const names = stateNames(layer);
    const units = stateUnits(layer);
    if (!variant.states) return { initial: () => null, final: () => undefined };
    return {
      initial: (group, stacked) => {
        const keras = group.map((k) => names[k]).join('+');
        const initial = g.reserve(`${layer.name}.initial_${keras}`);
        stacks.push({ layer: i, group, stacked, units: units[group[0]], keras, initial, value: null });
        inputs.push(valueInfo(initial, 'float32', [...(stacked ? [group.length] : []), batch, units[group[0]]]));
        return initial;
      },
      final: (group, _stacked, value) => {
        const stack = stacks.find((s) => s.layer === i && s.group.join() === group.join());
        if (!stack) throw new Error(`graph: ${layer.name} wrote states [${group}] it never read`);
        stack.value = value;
      },
    };
  });
  // Exposed only now: exposing renames a value in place, which nodes made after it would not see.
  const states: RuntimeStateGroup[] = stacks.map(({ layer, group, stacked, units, keras, initial, value }) => {
    const name = spec.layers[layer].name;
    if (value === null) throw new Error(`graph: ${name} never wrote states [${group}]`);
    return { layer, group, stacked, units, initial, final: g.expose(value, g.reserve(`${name}.final_${keras}`)) };
  });
  // A Keras output that is a state is read from its stack: the final-state output that holds it,
  // or the stack itself. No node reads an LSTM's Y_c: onnxruntime-web's WebGPU provider hands such
  // a node Y_h's values.
  const exposedStacks = new Map(stacks.map((stack, k) => [stack.value, states[k].final]));
  const outputs = values.map((named, i): RuntimeOutput => {
    if ('value' in named) {
      let value = named.value;
      // A time-major sequence of one direction may stay (time, 1, batch, units): the caller relabels it.
      if (spec.outputs[i].shape.length === 3) value = variant.timeMajorEdge ? g.withoutSqueeze(value) : batchMajor(g, value);
      return { name: g.expose(value, outputNames[i]), statePosition: null };
    }
    const { holder, position } = named.state;
    let name = exposedStacks.get(holder);
    if (name === undefined) {
      name = g.expose(holder, outputNames[i]);
      exposedStacks.set(holder, name);
    }
    return { name, statePosition: position };
  });
  const graphOutputs = [
    ...[...new Set(outputs.map((o) => o.name))].filter((name) => !states.some((s) => s.final === name)).map((name) => valueInfo(name, 'float32')),
    ...states.map((s) => valueInfo(s.final, 'float32', [...(s.stacked ? [s.group.length] : []), batch, s.units])),
  ];
  g.dropUnreadOutputs(RECURRENT_OPERATORS, graphOutputs.map((o) => o.name ?? ''));
  const graph = g.toGraph(spec.name, inputs, graphOutputs);
  return { bytes: encode(spec, graph, options), io: { input, mask, states, outputs } };
}

function allowedOperatorActivations(options: ModelGraphOptions): ReadonlySet<string> | null {
  return options.recurrentOperators === false ? null : new Set(options.operatorActivations ?? RECURRENT_OP_ACTIVATION_NAMES);
}

function encode(spec: ModelSpec, graph: GraphProto, options: ModelGraphOptions): Uint8Array {
  return encodeModel({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET_VERSION }],
    producerName: '@rnn/backend-onnx',
    producerVersion: options.producerVersion ?? '',
    graph,
    ...(options.docString ? { docString: options.docString } : {}),
  });
}

/** Keras's `(batch, time)` or `(batch, time, features)` → time-major: a mask, token ids or an input. */
function timeMajor(g: GraphBuilder, value: string, rank: 2 | 3): string {
  return g.op('Transpose', [value], { perm: { ints: rank === 2 ? [1, 0] : [1, 0, 2] } }, 'time_major');
}

function inputRank(spec: ModelSpec): 2 | 3 {
  return spec.input.tokenIds ? 2 : 3;
}

/** `(time, batch, units)` → Keras's `(batch, time, units)`. */
function batchMajor(g: GraphBuilder, sequence: string): string {
  return g.op('Transpose', [sequence], { perm: { ints: [1, 0, 2] } }, 'batch_major');
}

/** Units of each state of a layer, Keras order. */
function stateUnits(layer: StatefulLayerSpec): number[] {
  return stateShapes(layer, 1).map((shape) => shape[1]);
}

/**
 * The layers in order on a time-major `x`, following the mask rule documented on `ModelSpec`;
 * returns the model's outputs (sequences time-major). `statesOf(i)` connects stateful layer i's states.
 */
function buildLayers(
  g: GraphBuilder,
  spec: ModelSpec,
  weights: ModelWeights,
  x: string,
  runMask: MaskValue | null,
  operatorActivations: ReadonlySet<string> | null,
  statesOf: (layer: number) => LayerStates,
): NamedOutput[] {
  let value = x;
  let mask = runMask;
  // Keras's shape of the flow, batch-major as Keras writes it; sequences are time-major in the graph.
  let shape: readonly (number | null)[] = spec.input.tokenIds
    ? [spec.input.batch, spec.input.timesteps]
    : [spec.input.batch, spec.input.timesteps, spec.input.features];
  let last: LayerResult | null = null;
  spec.layers.forEach((layer, i) => {
    const layerWeights = weights[i];
    let result: LayerResult;
    switch (layer.kind) {
      case 'rnn':
        result = buildRecurrentLayer(g, layer, layerWeights as RecurrentWeights, { x: value, mask, operatorActivations }, statesOf(i));
        if (!layer.returnSequences) mask = null;
        break;
      case 'bidirectional':
        result = buildBidirectionalLayer(g, layer, layerWeights as BidirectionalWeights, { x: value, mask, operatorActivations }, statesOf(i));
        if (!layer.returnSequences) mask = null;
        break;
      default: {
        const layerResult = buildPlainLayer(g, layer, layerWeights, { x: value, mask, shape });
        const output = layerResult.value;
        result = { value: output, named: new Map([['output', { value: output }]]) };
        if (layerResult.mask !== undefined) mask = layerResult.mask;
      }
    }
    shape = layerOutputShape(layer, shape);
    value = result.value;
    last = result;
  });
  const named = (last as LayerResult | null)?.named ?? new Map<string, NamedOutput>();
  return spec.outputs.map((o) => {
    const found = named.get(o.name);
    if (!found) {
      throw new UnsupportedError(`onnx: the model's output "${o.name}" is not produced by its last layer`, { field: 'outputs', actual: o.name });
    }
    return found;
  });
}

/** What a layer without states reads: the flow (time-major when 3-D), the mask reaching it, and the flow's Keras shape. */
interface PlainLayerInput {
  readonly x: string;
  readonly mask: MaskValue | null;
  /** Batch-major as Keras writes it; `null` where the graph leaves a dimension symbolic. */
  readonly shape: readonly (number | null)[];
}

interface PlainLayerResult {
  readonly value: string;
  /** The mask after the layer; `undefined` = unchanged. */
  readonly mask?: MaskValue | null;
}

function buildPlainLayer(
  g: GraphBuilder,
  layer: Exclude<LayerSpec, StatefulLayerSpec>,
  weights: LayerWeights,
  { x, mask, shape }: PlainLayerInput,
): PlainLayerResult {
  switch (layer.kind) {
    case 'dense': {
      const { kernel, bias } = weights as DenseWeights;
      let y = g.op('MatMul', [x, g.weight(`${layer.name}/kernel`, kernel.data, kernel.shape)]);
      if (bias) y = g.op('Add', [y, g.weight(`${layer.name}/bias`, bias.data, bias.shape)]);
      return { value: applyActivation(g, layer.activation, y) };
    }
    case 'activation':
      return { value: applyActivation(g, layer.activation, x) };
    case 'masking': {
      // mask = any(x != maskValue) over features; masked steps become zeros. Layout-free: (time, batch, 1).
      const differs = g.op('Not', [g.op('Equal', [x, g.scalar(layer.maskValue)])]);
      const keep = g.op('ReduceMax', [g.op('Cast', [differs], { to: { int: 1 } })], { axes: { ints: [-1] }, keepdims: { int: 1 } }, 'keep');
      const value = g.op('Mul', [x, keep], {}, 'masked');
      return { value, mask: stepMask(g, g.op('Squeeze', [keep, g.ints([-1])]), true) };
    }
    case 'embedding': {
      const { embeddings } = weights as EmbeddingWeights;
      const ids = g.op('Cast', [x], { to: { int: 7 } }, 'ids');
      const value = g.op('Gather', [g.weight(`${layer.name}/embeddings`, embeddings.data, embeddings.shape), ids], { axis: { int: 0 } }, 'embedded');
      return { value, mask: layer.maskZero ? stepMask(g, g.op('Not', [g.op('Equal', [x, g.scalar(0)])]), false) : null };
    }
    case 'repeat-vector': {
      // (batch, features) → the time-major sequence (times, batch, features) of copies.
      const row = g.op('Unsqueeze', [x, g.ints([0])], {}, 'step');
      return { value: g.op('Expand', [row, g.ints([layer.times, 1, 1])], {}, 'repeated'), mask: null };
    }
    case 'flatten': {
      if (shape.length === 2) return { value: x, mask: null };
      // Keras's row order is batch-major (step by step within a row), so time-major turns back first.
      const rows = g.op('Transpose', [x], { perm: { ints: [1, 0, 2] } }, 'batch_major');
      return { value: g.op('Reshape', [rows, g.ints([0, -1])], {}, 'flat'), mask: null };
    }
    case 'reshape': {
      // Keras's row order is batch-major: a time-major sequence turns back first, and a sequence result turns again.
      const rows = shape.length === 3 ? g.op('Transpose', [x], { perm: { ints: [1, 0, 2] } }, 'batch_major') : x;
      const reshaped = g.op('Reshape', [rows, g.ints([0, ...layer.targetShape])], {}, 'reshaped');
      const value = layer.targetShape.length === 2 ? g.op('Transpose', [reshaped], { perm: { ints: [1, 0, 2] } }, 'time_major') : reshaped;
      return { value, mask: null };
    }
    case 'global-pooling': {
      // Time is axis 0; with keepDims the result is a time-major sequence of one step.
      const keepdims = { int: layer.keepDims ? 1 : 0 };
      if (layer.pooling === 'max') return { value: g.op('ReduceMax', [x], { axes: { ints: [0] }, keepdims }, 'max_pooled'), mask: null };
      if (!mask) return { value: g.op('ReduceMean', [x], { axes: { ints: [0] }, keepdims }, 'mean_pooled'), mask: null };
      // Keras: sum(where(mask, x, 0)) / sum(mask) over time; a row with every step masked gives 0/0 = NaN, as in Keras.
      const time = g.ints([0]);
      const kept = g.op('Where', [mask.scanned, x, g.scalar(0)], {}, 'unmasked_steps');
      const total = g.op('ReduceSum', [kept, time], { keepdims }, 'step_sum');
      const count = g.op('ReduceSum', [g.op('Cast', [mask.scanned], { to: { int: 1 } }, 'step_weight'), time], { keepdims }, 'step_count');
      return { value: g.op('Div', [total, count], {}, 'mean_pooled'), mask: null };
    }
    case 'batch-normalization': {
      // Plain Mul and Add over the last axis, with core's per-feature constants: every provider runs them.
      const { scale, shift } = batchNormalizationAffine(layer, weights as BatchNormalizationWeights);
      const scaled = g.op('Mul', [x, g.weight(`${layer.name}/scale`, scale, [layer.features])], {}, 'scaled');
      return { value: g.op('Add', [scaled, g.weight(`${layer.name}/shift`, shift, [layer.features])], {}, 'normalized') };
    }
    case 'layer-normalization': {
      // ONNX's LayerNormalization (opset 17) over the last axis; Scale is required, so ones without gamma.
      const { gamma, beta } = (weights ?? { gamma: null, beta: null }) as LayerNormalizationWeights;
      const scale = g.weight(`${layer.name}/gamma`, gamma?.data ?? new Float32Array(layer.features).fill(1), [layer.features]);
      const inputs = beta ? [x, scale, g.weight(`${layer.name}/beta`, beta.data, [layer.features])] : [x, scale];
      return { value: g.op('LayerNormalization', inputs, { axis: { int: -1 }, epsilon: { float: layer.epsilon } }, 'layer_normalized') };
    }
    case 'conv1d':
      return { value: buildConv1D(g, layer, weights as Conv1DWeights, x, shape[1]), mask: null };
    case 'pooling1d':
      return { value: buildPooling1D(g, layer, x, shape[1]), mask: null };
  }
}

/** A mask from `(time, batch)` floats (`isFloat`) or bools. */
function stepMask(g: GraphBuilder, mask: string, isFloat: boolean): MaskValue {
  const bool = isFloat ? g.op('Cast', [mask], { to: { int: 9 } }, 'mask_bool') : mask;
  return { bool, scanned: g.op('Unsqueeze', [bool, g.ints([2])], {}, 'mask_steps') };
}
