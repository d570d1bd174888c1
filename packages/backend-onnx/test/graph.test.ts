import { describe, expect, it } from 'vitest';
import {
  ACTIVATION_FUNCTIONS,
  ELEMENTWISE_ACTIVATIONS,
  activation,
  applyAxisActivation,
  averagePooling1D,
  batchNormalization,
  conv1D,
  bidirectional,
  createModel,
  gru,
  initializeWeights,
  lstm,
  masking,
  maxPooling1D,
  parseConfig,
  structureWeights,
  repeatVector,
  sequential,
  simpleRNN,
  tensor,
  type Activation,
  type ElementwiseActivation,
  type KerasConfig,
} from '@rnn/core';
import { exportOnnx } from '../src/index.js';
import { decodeModel, type GraphProto, type NodeProto } from '../src/proto.js';
import { buildRuntimeGraph, type ModelGraphOptions } from '../src/model-graph.js';

/** How layers map onto ONNX operators, and every activation's numbers against core's formulas. */

const text = new TextDecoder();

function graphOf(config: KerasConfig, options: ModelGraphOptions = {}): GraphProto {
  const spec = parseConfig(config);
  return decodeModel(exportOnnx(spec, initializeWeights(spec, 1), options)).graph!;
}

/** Op types of a graph's own nodes, and of each named subgraph (If branches, Scan bodies) inside it. */
function opTypes(graph: GraphProto): string[] {
  return (graph.node ?? []).map((n) => n.opType!);
}

function subgraph(graph: GraphProto, opType: string, attribute: string): GraphProto {
  const node = (graph.node ?? []).find((n) => n.opType === opType);
  const found = node?.attribute?.find((a) => a.name === attribute)?.g;
  if (!found) throw new Error(`no ${opType}.${attribute} in ${graph.name}`);
  return found;
}

function stringAttribute(node: NodeProto, name: string): string | string[] | undefined {
  const attribute = node.attribute?.find((a) => a.name === name);
  if (!attribute) return undefined;
  return attribute.strings?.length ? attribute.strings.map((s) => text.decode(s)) : text.decode(attribute.s!);
}

describe('graph structure', () => {
  it('runs an unmasked LSTM as one ONNX LSTM node and a masked one as a Scan, under an If on the mask', () => {
    const graph = graphOf(lstm({ units: 4, returnSequences: true, inputShape: [5, 3] }));
    // Keras's batch-major input turns time-major once, outside the If.
    expect(opTypes(graph)).toEqual(['Transpose', 'Size', 'Equal', 'If']);
    const plain = subgraph(graph, 'If', 'then_branch');
    const masked = subgraph(graph, 'If', 'else_branch');
    expect(opTypes(plain).filter((op) => op === 'LSTM')).toHaveLength(1);
    expect(opTypes(plain)).not.toContain('Scan');
    expect(opTypes(masked)).toContain('Scan');
    expect(opTypes(masked)).not.toContain('LSTM');
    const lstmNode = plain.node!.find((n) => n.opType === 'LSTM')!;
    expect(stringAttribute(lstmNode, 'activations')).toEqual(['Sigmoid', 'Tanh', 'Tanh']);
    expect(stringAttribute(lstmNode, 'direction')).toBe('forward');
  });

  it('writes a Bidirectional with like halves as one bidirectional node', () => {
    const graph = graphOf(bidirectional(gru({ units: 3, returnSequences: true }), { inputShape: [4, 2] }));
    const nodes = subgraph(graph, 'If', 'then_branch').node!.filter((n) => n.opType === 'GRU');
    expect(nodes).toHaveLength(1);
    expect(stringAttribute(nodes[0], 'direction')).toBe('bidirectional');
    expect(stringAttribute(nodes[0], 'activations')).toEqual(['Sigmoid', 'Tanh', 'Sigmoid', 'Tanh']);
  });

  it('maps Keras 3 hard_sigmoid and linear to HardSigmoid(1/6, 0.5) and Affine(1, 0)', () => {
    const graph = graphOf(lstm({ units: 2, activation: 'linear', recurrentActivation: 'hard_sigmoid', inputShape: [3, 2] }));
    const node = subgraph(graph, 'If', 'then_branch').node!.find((n) => n.opType === 'LSTM')!;
    expect(stringAttribute(node, 'activations')).toEqual(['HardSigmoid', 'Affine', 'Affine']);
    // alpha/beta hold values only for the functions that take them, in order.
    expect(node.attribute!.find((a) => a.name === 'activation_alpha')!.floats).toEqual([Math.fround(1 / 6), 1, 1]);
    expect(node.attribute!.find((a) => a.name === 'activation_beta')!.floats).toEqual([0.5, 0, 0]);
  });

  it('uses a Scan for an activation the recurrent operators lack', () => {
    const graph = graphOf(gru({ units: 2, activation: 'gelu', inputShape: [3, 2] }));
    const plain = subgraph(graph, 'If', 'then_branch');
    expect(opTypes(plain)).toContain('Scan');
    expect(opTypes(plain)).not.toContain('GRU');
  });

  it('keeps to the activations a provider implements (WebGPU: Sigmoid, Tanh, Relu)', () => {
    const config = gru({ units: 2, recurrentActivation: 'hard_sigmoid', inputShape: [3, 2] });
    const restricted = subgraph(graphOf(config, { operatorActivations: ['Sigmoid', 'Tanh', 'Relu'] }), 'If', 'then_branch');
    expect(opTypes(restricted)).not.toContain('GRU');
    expect(opTypes(subgraph(graphOf(config), 'If', 'then_branch'))).toContain('GRU');
  });

  it('writes every layer as a Scan with recurrentOperators: false', () => {
    const graph = graphOf(simpleRNN({ units: 2, inputShape: [3, 2] }), { recurrentOperators: false });
    expect(opTypes(subgraph(graph, 'If', 'then_branch'))).toEqual(expect.not.arrayContaining(['RNN']));
  });

  it('has no mask input when a Masking layer decides the mask', () => {
    const graph = graphOf(sequential([masking(0), lstm({ units: 2 })], { inputShape: [3, 2] }));
    expect(graph.input!.map((i) => i.name)).toEqual(['input', 'lstm.initial_h', 'lstm.initial_c']);
    expect(opTypes(graph)).not.toContain('If');
  });
});

describe('runtime graphs (what onnx:* backends run)', () => {
  const runtime = (config: KerasConfig, masked: boolean, states = true, timeMajorEdge = false) => {
    const spec = parseConfig(config);
    const { bytes, io } = buildRuntimeGraph(spec, initializeWeights(spec, 1), { masked, states, timeMajorEdge });
    return { graph: decodeModel(bytes).graph!, io };
  };

  it('is the bare operator between the layout transposes: no If, no nodes around the states', () => {
    const { graph, io } = runtime(lstm({ units: 4, returnSequences: true, inputShape: [null, 3] }), false);
    expect(opTypes(graph)).toEqual(['Transpose', 'LSTM', 'Squeeze', 'Transpose']);
    expect(graph.input!.map((i) => i.name)).toEqual(['input', 'lstm.initial_h', 'lstm.initial_c']);
    // The operator reads and writes the state inputs and outputs directly.
    const node = graph.node!.find((n) => n.opType === 'LSTM')!;
    expect(node.input!.slice(5)).toEqual(['lstm.initial_h', 'lstm.initial_c']);
    expect(node.output!.slice(1)).toEqual(['lstm.final_h', 'lstm.final_c']);
    expect(io.states.map((s) => [s.group, s.initial, s.final])).toEqual([
      [[0], 'lstm.initial_h', 'lstm.final_h'],
      [[1], 'lstm.initial_c', 'lstm.final_c'],
    ]);
    expect(io.mask).toBeNull();
  });

  it('has no state inputs or outputs in the variant for calls that start from zeros and drop their states', () => {
    const { graph, io } = runtime(lstm({ units: 4, returnSequences: true, inputShape: [null, 3] }), false, false);
    expect(opTypes(graph)).toEqual(['Transpose', 'LSTM', 'Squeeze', 'Transpose']);
    const node = graph.node!.find((n) => n.opType === 'LSTM')!;
    expect(node.input).toHaveLength(4);
    // Y_h and Y_c, which nothing reads, are not asked for: ONNX Runtime would fill them.
    expect(node.output).toEqual(['lstm/Y']);
    expect(graph.input!.map((i) => i.name)).toEqual(['input']);
    expect(graph.output!.map((o) => o.name)).toEqual(['output']);
    expect(io.states).toEqual([]);
  });

  it('leaves the layout transposes out of the variant for one sequence (batch 1), whose data is the same both ways', () => {
    const { graph } = runtime(lstm({ units: 4, returnSequences: true, inputShape: [null, 3] }), false, false, true);
    // Y (time, 1, batch, units) is the output itself: the backend relabels its dimensions.
    expect(opTypes(graph)).toEqual(['LSTM']);
    expect(graph.node![0].output).toEqual(['output']);
    expect(graph.input![0].type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue))).toEqual(['time', 'batch', 3]);
  });

  it('keeps the Squeeze of a sequence another layer reads', () => {
    const config = sequential([lstm({ units: 4, returnSequences: true, inputShape: [null, 3] }), gru({ units: 2, returnSequences: true })]);
    const { graph } = runtime(config, false, false, true);
    expect(opTypes(graph)).toEqual(['LSTM', 'Squeeze', 'GRU']);
  });

  it('stacks a fused Bidirectional\'s states per kind, forward then backward', () => {
    const { io } = runtime(bidirectional(lstm({ units: 3 }), { inputShape: [4, 2] }), false);
    expect(io.states.map((s) => [s.group, s.initial])).toEqual([
      [[0, 2], 'bidirectional.initial_forward_h+backward_h'],
      [[1, 3], 'bidirectional.initial_forward_c+backward_c'],
    ]);
  });

  it('takes a mask only when built for masked calls, and then runs Scans, one state per input', () => {
    const config = bidirectional(gru({ units: 3, returnSequences: true }), { inputShape: [4, 2] });
    const { graph, io } = runtime(config, true);
    expect(io.mask).toBe('mask');
    expect(opTypes(graph)).not.toContain('If');
    expect(opTypes(graph).filter((op) => op === 'Scan')).toHaveLength(2);
    expect(io.states.map((s) => s.group)).toEqual([[0], [1]]);
  });
  it('repeats a vector into a time-major sequence the next layer reads as it is, and normalises with Mul and Add', () => {
    const config = sequential(
      [lstm({ units: 4, inputShape: [null, 3] }), repeatVector(5), batchNormalization(), gru({ units: 2, returnSequences: true })],
    );
    const { graph } = runtime(config, false, false);
    // One Transpose in, one out: nothing between RepeatVector's Expand and the GRU.
    expect(opTypes(graph)).toEqual(['Transpose', 'LSTM', 'Gather', 'Unsqueeze', 'Expand', 'Mul', 'Add', 'GRU', 'Squeeze', 'Transpose']);
  });
});

describe('Conv1D and 1-D pooling graphs', () => {
  const graphFor = (layer: KerasConfig, steps: number | null, timeMajorEdge = false) => {
    const spec = parseConfig(sequential([layer], { inputShape: [steps, 2] }));
    const weights = layer.class_name === 'Conv1D' ? initializeWeights(spec, 1) : spec.layers.map(() => null);
    return decodeModel(buildRuntimeGraph(spec, weights, { masked: false, states: false, timeMajorEdge }).bytes).graph!;
  };
  const node = (graph: GraphProto, opType: string) => graph.node!.find((n) => n.opType === opType)!;
  const ints = (n: NodeProto, name: string) => n.attribute?.find((a) => a.name === name)?.ints?.map(Number);

  it('turns time-major to (batch, channels, time) for the operator and back; batch 1 only that', () => {
    const layer = conv1D({ filters: 3, kernelSize: 2 });
    expect(opTypes(graphFor(layer, null))).toEqual(['Transpose', 'Transpose', 'Conv', 'Transpose', 'Transpose']);
    expect(opTypes(graphFor(layer, null, true))).toEqual(['Transpose', 'Conv', 'Transpose']);
  });

  it("writes Keras's kernel (kernelSize, inputDim, filters) as ONNX's (filters, inputDim, kernelSize), the bias as B", () => {
    const spec = parseConfig(sequential([conv1D({ filters: 3, kernelSize: 2 })], { inputShape: [null, 2] }));
    // Keras kernel[k][c][f] = 100k + 10c + f.
    const kernel = Array.from({ length: 12 }, (_, i) => 100 * Math.floor(i / 6) + 10 * (Math.floor(i / 3) % 2) + (i % 3));
    const weights = structureWeights(spec, [{ shape: [2, 2, 3], data: kernel }, { shape: [3], data: [7, 8, 9] }]);
    const graph = decodeModel(buildRuntimeGraph(spec, weights, { masked: false, states: false, timeMajorEdge: true }).bytes).graph!;
    const [, w, b] = node(graph, 'Conv').input!;
    const tensorOf = (name: string) => {
      const t = graph.initializer!.find((i) => i.name === name)!;
      return { dims: t.dims!.map(Number), data: Array.from(new Float32Array(Uint8Array.from(t.rawData!).buffer)) };
    };
    // ONNX W[f][c][k] = 100k + 10c + f.
    expect(tensorOf(w)).toEqual({ dims: [3, 2, 2], data: [0, 100, 10, 110, 1, 101, 11, 111, 2, 102, 12, 112] });
    expect(tensorOf(b)).toEqual({ dims: [3], data: [7, 8, 9] });
  });

  it('places windows with fixed pads when they do not depend on the steps, or the steps are known', () => {
    const causal = node(graphFor(conv1D({ filters: 1, kernelSize: 3, dilationRate: 2, padding: 'causal' }), null), 'Conv');
    expect([ints(causal, 'pads'), ints(causal, 'dilations'), ints(causal, 'strides')]).toEqual([[4, 0], [2], [1]]);
    // same with strides 1: always (span − 1) places, the odd one after.
    expect(ints(node(graphFor(conv1D({ filters: 1, kernelSize: 4, padding: 'same' }), null), 'Conv'), 'pads')).toEqual([1, 2]);
    // same strides 2 over 5 known steps: 3 outputs, 2 places, one each side.
    expect(ints(node(graphFor(conv1D({ filters: 1, kernelSize: 3, strides: 2, padding: 'same' }), 5), 'Conv'), 'pads')).toEqual([1, 1]);
    expect(ints(node(graphFor(averagePooling1D({ padding: 'same' }), 5), 'AveragePool'), 'pads')).toEqual([0, 1]);
  });

  it("leaves same with strides to ONNX Runtime's SAME_UPPER where it is TensorFlow's rule, else pads by T mod strides", () => {
    const upper = node(graphFor(conv1D({ filters: 1, kernelSize: 3, strides: 2, padding: 'same' }), null), 'Conv');
    expect(stringAttribute(upper, 'auto_pad')).toBe('SAME_UPPER');
    expect(ints(upper, 'pads')).toBeUndefined();
    // A window shorter than the strides: a Pad whose pads a Gather takes from the table by T mod strides.
    const short = graphFor(conv1D({ filters: 1, kernelSize: 3, strides: 4, padding: 'same' }), null);
    expect(opTypes(short)).toEqual(['Transpose', 'Shape', 'Mod', 'Gather', 'Reshape', 'Pad', 'Transpose', 'Conv', 'Transpose', 'Transpose']);
    expect(stringAttribute(node(short, 'Conv'), 'auto_pad')).toBeUndefined();
    const maxPool = graphFor(maxPooling1D({ poolSize: 3, strides: 4, padding: 'same' }), null);
    expect(opTypes(maxPool)).toContain('Pad');
    // The average divides pooled sums by pooled counts of real steps.
    const average = opTypes(graphFor(averagePooling1D({ poolSize: 3, strides: 4, padding: 'same' }), null));
    expect(average.filter((op) => op === 'AveragePool')).toHaveLength(2);
    expect(average.filter((op) => op === 'Pad')).toHaveLength(2);
    expect(average).toContain('Div');
  });

  it('excludes padding from the average (count_include_pad 0)', () => {
    const pool = node(graphFor(averagePooling1D({ poolSize: 3, strides: 1, padding: 'same' }), null), 'AveragePool');
    expect(Number(pool.attribute!.find((a) => a.name === 'count_include_pad')!.i)).toBe(0);
    expect(ints(pool, 'pads')).toEqual([1, 1]);
  });
});

/** Inputs spanning every branch of the piecewise functions, and large values where functions saturate. */
const GRID = [-30, -8, -3, -1.5, -1, -0.75, -0.5, -0.25, -1e-3, 0, 1e-3, 0.25, 0.5, 0.75, 1, 1.5, 3, 8, 30];

/** Keras 2's hard_sigmoid is spelled `hard_sigmoid` in a config read with Keras 2 semantics. */
function kerasSpelling(fn: ElementwiseActivation): { name: ElementwiseActivation; kerasVersion: 2 | 3 } {
  return fn === 'hard_sigmoid_keras2' ? { name: 'hard_sigmoid', kerasVersion: 2 } : { name: fn, kerasVersion: 3 };
}

function relativeError(got: number, want: number): number {
  return Math.abs(got - want) / Math.max(1, Math.abs(want));
}

describe('activations', () => {
  it.each([...ELEMENTWISE_ACTIVATIONS])('%s as an Activation layer matches core', async (fn) => {
    const { name, kerasVersion } = kerasSpelling(fn);
    const model = await createModel(sequential([activation(name)], { inputShape: [GRID.length, 1] }), { backend: 'onnx:cpu', kerasVersion });
    const [out] = await model.run(tensor(GRID, [1, GRID.length, 1]));
    GRID.forEach((x, i) => expect(relativeError(out.data[i], ACTIVATION_FUNCTIONS[fn](x)), `${fn}(${x})`).toBeLessThanOrEqual(1e-5));
    await model.dispose();
  });

  it.each(['softmax', 'log_softmax'] as const)('%s over the last axis matches core', async (fn: Activation) => {
    const features = 4;
    const values = GRID.slice(0, 16);
    const model = await createModel(sequential([activation(fn)], { inputShape: [4, features] }), { backend: 'onnx:cpu' });
    const [out] = await model.run(tensor(values, [1, 4, features]));
    const want = Float32Array.from(values);
    applyAxisActivation(fn as 'softmax' | 'log_softmax', want, features);
    want.forEach((w, i) => expect(relativeError(out.data[i], w)).toBeLessThanOrEqual(1e-5));
    await model.dispose();
  });

  // A one-unit SimpleRNN with kernel 1, recurrent kernel 0 and no bias outputs activation(x) per step,
  // through the ONNX RNN operator where it has the function, and through the Scan cell always.
  describe.each([true, false])('inside a cell (recurrent operators: %s)', (recurrentOperators) => {
    it.each([...ELEMENTWISE_ACTIVATIONS])('%s', async (fn) => {
      const { name, kerasVersion } = kerasSpelling(fn);
      const config = simpleRNN({ units: 1, activation: name, useBias: false, returnSequences: true, inputShape: [GRID.length, 1] });
      const model = await createModel(config, {
        backend: 'onnx:cpu',
        kerasVersion,
        weights: [tensor([1], [1, 1]), tensor([0], [1, 1])],
        compileOptions: { recurrentOperators },
      });
      const [out] = await model.run(tensor(GRID, [1, GRID.length, 1]));
      GRID.forEach((x, i) => expect(relativeError(out.data[i], ACTIVATION_FUNCTIONS[fn](x)), `${fn}(${x})`).toBeLessThanOrEqual(1e-5));
      await model.dispose();
    });
  });
});
