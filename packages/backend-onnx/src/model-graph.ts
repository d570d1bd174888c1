import {
  UnsupportedError,
  isStatefulLayer,
  stateShapes,
  type BidirectionalWeights,
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
import { IR_VERSION, OPSET_VERSION, encodeModel, type ValueInfoProto } from './proto.js';
import { buildBidirectionalLayer, buildRecurrentLayer, type LayerResult, type MaskValue } from './recurrent.js';

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
   * `run` reaches a recurrent layer; `null` otherwise.
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

/** Whether a mask passed to `run` reaches a recurrent layer (Masking and Embedding replace it). */
export function usesRunMask(spec: ModelSpec): boolean {
  for (const layer of spec.layers) {
    if (layer.kind === 'masking' || layer.kind === 'embedding') return false;
    if (isStatefulLayer(layer)) return true;
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
   * mask only. Default true (when a run mask can reach a recurrent layer).
   */
  readonly maskInput?: boolean;
  /** Written into the file's `producer_version`. */
  readonly producerVersion?: string;
  /** The file's `doc_string`. */
  readonly docString?: string;
}

/**
 * The whole model as one ONNX graph: every layer's nodes, the weights as initializers, states as
 * explicit inputs and outputs. When a run mask can reach a recurrent layer, the body is built twice
 * under an `If` on the mask's size: without it (fast native operators) and with it (masked Scans);
 * an empty `(0, 0)` mask selects the first.
 */
export function buildModelProto(spec: ModelSpec, weights: ModelWeights, options: ModelGraphOptions = {}): Uint8Array {
  const names = onnxIoNames(spec, options);
  const operatorActivations =
    options.recurrentOperators === false ? null : new Set(options.operatorActivations ?? RECURRENT_OP_ACTIVATION_NAMES);
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

  const body = (builder: GraphBuilder, mask: MaskValue | null): string[] => {
    const result = buildBody(builder, spec, weights, names, mask, operatorActivations);
    return [...result.outputs, ...result.finalStates.flat()];
  };

  if (names.mask) {
    const runMask = names.mask;
    const branch = (label: string, withMask: boolean) => {
      const sub = g.subgraph();
      const values = body(sub, withMask ? stepMask(sub, runMask, true) : null);
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
  const graph = g.toGraph(spec.name, inputs, outputs);
  return encodeModel({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET_VERSION }],
    producerName: '@rnn/backend-onnx',
    producerVersion: options.producerVersion ?? '',
    graph,
    ...(options.docString ? { docString: options.docString } : {}),
  });
}

/** Units of each state of a layer, Keras order. */
function stateUnits(layer: StatefulLayerSpec): number[] {
  return stateShapes(layer, 1).map((shape) => shape[1]);
}

interface BodyResult {
  readonly outputs: string[];
  readonly finalStates: string[][];
}

/** The layers in order, following the mask rule documented on `ModelSpec`. */
function buildBody(
  g: GraphBuilder,
  spec: ModelSpec,
  weights: ModelWeights,
  names: OnnxIoNames,
  runMask: MaskValue | null,
  operatorActivations: ReadonlySet<string> | null,
): BodyResult {
  let value = names.input;
  let mask = runMask;
  let last: LayerResult | null = null;
  const finalStates: string[][] = [];
  spec.layers.forEach((layer, i) => {
    const layerWeights = weights[i];
    let result: LayerResult;
    switch (layer.kind) {
      case 'rnn':
        result = buildRecurrentLayer(g, layer, layerWeights as RecurrentWeights, { x: value, mask, operatorActivations }, names.initialStates[i]);
        if (!layer.returnSequences) mask = null;
        break;
      case 'bidirectional':
        result = buildBidirectionalLayer(g, layer, layerWeights as BidirectionalWeights, { x: value, mask, operatorActivations }, names.initialStates[i]);
        if (!layer.returnSequences) mask = null;
        break;
      default: {
        const layerResult = buildPlainLayer(g, layer, layerWeights, value);
        result = { value: layerResult.value, named: new Map([['output', layerResult.value]]), finalStates: [] };
        if (layerResult.mask !== undefined) mask = layerResult.mask;
      }
    }
    value = result.value;
    finalStates.push([...result.finalStates]);
    last = result;
  });
  const named = (last as LayerResult | null)?.named ?? new Map<string, string>();
  const outputs = spec.outputs.map((o) => {
    const found = named.get(o.name);
    if (!found) {
      throw new UnsupportedError(`onnx: the model's output "${o.name}" is not produced by its last layer`, { field: 'outputs', actual: o.name });
    }
    return found;
  });
  return { outputs, finalStates };
}

interface PlainLayerResult {
  readonly value: string;
  /** The mask after the layer; `undefined` = unchanged. */
  readonly mask?: MaskValue | null;
}

function buildPlainLayer(g: GraphBuilder, layer: Exclude<LayerSpec, StatefulLayerSpec>, weights: LayerWeights, x: string): PlainLayerResult {
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
      // mask = any(x != maskValue) over features; masked steps become zeros.
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
  }
}

/** A mask from `(batch, time)` floats (`isFloat`) or bools. */
function stepMask(g: GraphBuilder, mask: string, isFloat: boolean): MaskValue {
  const bool = isFloat ? g.op('Cast', [mask], { to: { int: 9 } }, 'mask_bool') : mask;
  return { bool, scanned: g.op('Unsqueeze', [bool, g.ints([2])], {}, 'mask_steps') };
}
