import {
  ACTIVATION_FUNCTIONS,
  BackendError,
  InputError,
  STATE_COUNT,
  applyAxisActivation,
  batchNormalizationAffine,
  convolutionWindow,
  formatShape,
  isElementwiseActivation,
  parametricActivation,
  type Activation,
  type ActivationLayerSpec,
  type LayerNormalizationLayerSpec,
  type LayerNormalizationWeights,
  type ReshapeLayerSpec,
  type ParametricActivation,
  type BatchNormalizationLayerSpec,
  type BatchNormalizationWeights,
  type BidirectionalLayerSpec,
  type BidirectionalWeights,
  type Conv1DWeights,
  type DenseWeights,
  type EmbeddingWeights,
  type FlattenLayerSpec,
  type GlobalPoolingLayerSpec,
  type LayerSpec,
  type LayerWeights,
  type MaskingLayerSpec,
  type Pooling1DLayerSpec,
  type RecurrentLayerSpec,
  type RecurrentWeights,
  type RepeatVectorLayerSpec,
  type Tensor,
} from '@rnn/core';
import { matmulPacked } from './kernels.js';
import { mergeDirections } from './merge.js';
import { packConv1D, packDense, packEmbedding, type PackedConv1D, type PackedDense, type PackedEmbedding } from './pack.js';
import type { SequenceRunner } from './sequence.js';

/**
 * Each layer of the chain compiled into a function from the incoming activation (and mask) to
 * its Keras outputs, the activation and mask passed to the next layer, and its final states.
 */

/** What flows from one layer to the next. `mask` is `(batch, timesteps)`, 1 = real step. */
export interface Flow {
  readonly data: Float32Array;
  readonly shape: readonly number[];
  readonly mask: Float32Array | null;
}

export interface LayerResult {
  /** The layer's outputs in Keras order; the first is the one that flows on. */
  readonly outputs: Tensor[];
  readonly next: Flow;
  /** States after the call (Keras order), `null` for layers without state. */
  readonly states: Tensor[] | null;
}

export type CompiledLayer = (flow: Flow, initialStates: readonly Tensor[] | null) => LayerResult;

/** Compiles one direction of a recurrent layer on the model's kernels (TypeScript or WebAssembly). */
export type RecurrentCompiler = (spec: RecurrentLayerSpec, weights: RecurrentWeights) => SequenceRunner;

/** How many outputs the layer returns in Keras (`output` plus states, or two halves for merge `null`). */
export function outputCount(layer: LayerSpec): number {
  if (layer.kind === 'rnn') return 1 + (layer.returnState ? STATE_COUNT[layer.cell] : 0);
  if (layer.kind === 'bidirectional') {
    const states = layer.returnState ? STATE_COUNT[layer.forward.cell] + STATE_COUNT[layer.backward.cell] : 0;
    return (layer.mergeMode === null ? 2 : 1) + states;
  }
  return 1;
}

export function compileLayer(layer: LayerSpec, weights: LayerWeights, recurrent: RecurrentCompiler): CompiledLayer {
  switch (layer.kind) {
    case 'rnn':
      return compileRecurrent(layer, recurrent(layer, requireWeights<RecurrentWeights>(layer, weights)));
    case 'bidirectional': {
      const pair = requireWeights<BidirectionalWeights>(layer, weights);
      return compileBidirectional(layer, recurrent(layer.forward, pair.forward), recurrent(layer.backward, pair.backward));
    }
    case 'dense':
      return compileDense(packDense(layer, requireWeights<DenseWeights>(layer, weights)));
    case 'embedding':
      return compileEmbedding(packEmbedding(layer, requireWeights<EmbeddingWeights>(layer, weights)));
    case 'masking':
      return compileMasking(layer);
    case 'activation':
      return compileActivation(layer);
    case 'repeat-vector':
      return compileRepeatVector(layer);
    case 'flatten':
      return compileFlatten(layer);
    case 'reshape':
      return compileReshape(layer);
    case 'global-pooling':
      return compileGlobalPooling(layer);
    case 'batch-normalization':
      return compileBatchNormalization(layer, requireWeights<BatchNormalizationWeights>(layer, weights));
    case 'layer-normalization':
      return compileLayerNormalization(layer, (weights ?? { gamma: null, beta: null }) as LayerNormalizationWeights);
    case 'conv1d':
      return compileConv1D(packConv1D(layer, requireWeights<Conv1DWeights>(layer, weights)));
    case 'pooling1d':
      return compilePooling1D(layer);
  }
}

function requireWeights<W extends NonNullable<LayerWeights>>(layer: LayerSpec, weights: LayerWeights): W {
  if (weights === null || weights === undefined) {
    throw new BackendError(`${layer.name}: no weights were given for this ${layer.kind} layer`, { layer: layer.name, field: 'weights' });
  }
  return weights as W;
}

function sequenceShape(layer: string, flow: Flow, features: number): [number, number] {
  const [batch, timesteps, actual] = flow.shape;
  if (flow.shape.length !== 3 || actual !== features) {
    throw new InputError(
      `${layer}: expects input (batch, timesteps, ${features}), got ${formatShape(flow.shape)}`,
      { layer, field: 'input', expected: [null, null, features], actual: flow.shape },
    );
  }
  return [batch, timesteps];
}

function compileRecurrent(spec: RecurrentLayerSpec, runSequence: SequenceRunner): CompiledLayer {
  return (flow, initialStates) => {
    const [batch, timesteps] = sequenceShape(spec.name, flow, spec.inputDim);
    const result = runSequence(flow.data, batch, timesteps, flow.mask, initialStates, {
      keepSequence: spec.returnSequences,
      order: 'processing',
    });
    const output: Tensor = { shape: spec.returnSequences ? [batch, timesteps, spec.units] : [batch, spec.units], data: result.output };
    const states = result.states.map((data) => ({ shape: [batch, spec.units], data }));
    return {
      outputs: spec.returnState ? [output, ...states.map(copyTensor)] : [output],
      next: { data: output.data, shape: output.shape, mask: spec.returnSequences ? flow.mask : null },
      states,
    };
  };
}

function compileBidirectional(spec: BidirectionalLayerSpec, forward: SequenceRunner, backward: SequenceRunner): CompiledLayer {
  const forwardStateCount = STATE_COUNT[spec.forward.cell];
  const fu = spec.forward.units;
  const bu = spec.backward.units;
  if (spec.mergeMode !== null && spec.mergeMode !== 'concat' && fu !== bu) {
    throw new BackendError(`${spec.name}: merge_mode "${spec.mergeMode}" needs equal units, got forward ${fu} and backward ${bu}`, {
      layer: spec.name,
      field: 'merge_mode',
      expected: fu,
      actual: bu,
    });
  }
  return (flow, initialStates) => {
    const [batch, timesteps] = sequenceShape(spec.name, flow, spec.inputDim);
    const options = { keepSequence: spec.returnSequences, order: 'time' } as const;
    const forwardStates = initialStates === null ? null : initialStates.slice(0, forwardStateCount);
    const backwardStates = initialStates === null ? null : initialStates.slice(forwardStateCount);
    const f = forward(flow.data, batch, timesteps, flow.mask, forwardStates, options);
    const b = backward(flow.data, batch, timesteps, flow.mask, backwardStates, options);
    const rows = spec.returnSequences ? batch * timesteps : batch;
    const lead = spec.returnSequences ? [batch, timesteps] : [batch];
    const merged: Tensor[] =
      spec.mergeMode === null
        ? [
            { shape: [...lead, fu], data: f.output },
            { shape: [...lead, bu], data: b.output },
          ]
        : [
            {
              shape: [...lead, spec.mergeMode === 'concat' ? fu + bu : fu],
              data: mergeDirections(spec.mergeMode, f.output, fu, b.output, bu, rows),
            },
          ];
    const states = [
      ...f.states.map((data) => ({ shape: [batch, fu], data })),
      ...b.states.map((data) => ({ shape: [batch, bu], data })),
    ];
    return {
      outputs: spec.returnState ? [...merged, ...states.map(copyTensor)] : merged,
      next: { data: merged[0].data, shape: merged[0].shape, mask: spec.returnSequences ? flow.mask : null },
      states,
    };
  };
}

/** Applies an activation in place; element-wise functions are looked up once, here. */
function activationFor(activation: Activation | ParametricActivation): (data: Float32Array, lastDim: number) => void {
  if (activation === 'linear') return () => undefined;
  if (typeof activation === 'object' || isElementwiseActivation(activation)) {
    const f = typeof activation === 'object' ? parametricActivation(activation) : ACTIVATION_FUNCTIONS[activation];
    return (data) => {
      for (let i = 0; i < data.length; i++) data[i] = f(data[i]);
    };
  }
  return (data, lastDim) => applyAxisActivation(activation, data, lastDim);
}

function lastDimension(layer: string, flow: Flow, expected: number): number {
  const actual = flow.shape[flow.shape.length - 1];
  if (flow.shape.length < 2 || actual !== expected) {
    throw new InputError(`${layer}: expects input (..., ${expected}), got ${formatShape(flow.shape)}`, {
      layer,
      field: 'input',
      expected,
      actual: flow.shape,
    });
  }
  return actual;
}

function compileDense(dense: PackedDense): CompiledLayer {
  const spec = dense.spec;
  const activate = activationFor(spec.activation);
  return (flow) => {
    const inner = lastDimension(spec.name, flow, spec.inputDim);
    const rows = flow.data.length / inner;
    const data = new Float32Array(rows * spec.units);
    matmulPacked(flow.data, rows, inner, dense.kernel, 0, spec.units, dense.bias, data, spec.units);
    activate(data, spec.units);
    const output = { shape: [...flow.shape.slice(0, -1), spec.units], data };
    return { outputs: [output], next: { ...output, mask: flow.mask }, states: null };
  };
}

function compileActivation(spec: ActivationLayerSpec): CompiledLayer {
  const activate = activationFor(spec.activation);
  return (flow) => {
    const data = flow.data.slice();
    activate(data, flow.shape[flow.shape.length - 1]);
    const output = { shape: [...flow.shape], data };
    return { outputs: [output], next: { ...output, mask: flow.mask }, states: null };
  };
}

/** Keras `Masking`: a step is real if any feature differs from `maskValue`; masked steps become zeros. */
function compileMasking(spec: MaskingLayerSpec): CompiledLayer {
  return (flow) => {
    const features = flow.shape[flow.shape.length - 1];
    const [batch, timesteps] = sequenceShape(spec.name, flow, features);
    const data = flow.data.slice();
    const mask = new Float32Array(batch * timesteps);
    for (let step = 0; step < batch * timesteps; step++) {
      const offset = step * features;
      let real = false;
      for (let k = 0; k < features && !real; k++) real = data[offset + k] !== spec.maskValue;
      if (real) mask[step] = 1;
      else data.fill(0, offset, offset + features);
    }
    const output = { shape: [...flow.shape], data };
    return { outputs: [output], next: { ...output, mask }, states: null };
  };
}

/** Token ids `(batch, timesteps)` → vectors; with `maskZero` id 0 starts a masked step, else the mask ends here. */
function compileEmbedding(embedding: PackedEmbedding): CompiledLayer {
  const spec = embedding.spec;
  const width = spec.outputDim;
  return (flow) => {
    const ids = flow.data;
    const data = new Float32Array(ids.length * width);
    const mask = spec.maskZero ? new Float32Array(ids.length) : null;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 0 || id >= spec.vocabulary) {
        throw new InputError(`${spec.name}: token ids must be integers in [0, ${spec.vocabulary}), got ${id} at flat index ${i}`, {
          layer: spec.name,
          field: 'input',
          expected: `[0, ${spec.vocabulary})`,
          actual: id,
        });
      }
      data.set(embedding.table.subarray(id * width, (id + 1) * width), i * width);
      if (mask !== null && id !== 0) mask[i] = 1;
    }
    const output = { shape: [...flow.shape, width], data };
    return { outputs: [output], next: { ...output, mask }, states: null };
  };
}

/** `(batch, features)` → `(batch, times, features)`. */
function compileRepeatVector(spec: RepeatVectorLayerSpec): CompiledLayer {
  return (flow) => {
    if (flow.shape.length !== 2) {
      throw new InputError(`${spec.name}: expects input (batch, features), got ${formatShape(flow.shape)}`, {
        layer: spec.name,
        field: 'input',
        expected: '(batch, features)',
        actual: flow.shape,
      });
    }
    const [batch, features] = flow.shape;
    const data = new Float32Array(batch * spec.times * features);
    for (let b = 0; b < batch; b++) {
      const row = flow.data.subarray(b * features, (b + 1) * features);
      for (let t = 0; t < spec.times; t++) data.set(row, (b * spec.times + t) * features);
    }
    const output = { shape: [batch, spec.times, features], data };
    return { outputs: [output], next: { ...output, mask: null }, states: null };
  };
}

/** Row-major, so the data stays as it is; the mask ends here (Keras 3's Flatten drops it). */
function compileFlatten(spec: FlattenLayerSpec): CompiledLayer {
  return (flow) => {
    if (flow.shape.length < 2) {
      throw new InputError(`${spec.name}: expects input (batch, ...), got ${formatShape(flow.shape)}`, {
        layer: spec.name,
        field: 'input',
        expected: '(batch, ...)',
        actual: flow.shape,
      });
    }
    const batch = flow.shape[0];
    const output = { shape: [batch, batch === 0 ? 0 : flow.data.length / batch], data: flow.data.slice() };
    return { outputs: [output], next: { ...output, mask: null }, states: null };
  };
}

/**
 * Over the timesteps of each row and feature. The average takes only unmasked steps (a row with none
 * divides 0 by 0, NaN, as Keras does); the max takes every step, mask or not, as Keras 3 does.
 */
function compileGlobalPooling(spec: GlobalPoolingLayerSpec): CompiledLayer {
  return (flow) => {
    const features = flow.shape[flow.shape.length - 1];
    const [batch, timesteps] = sequenceShape(spec.name, flow, features);
    const mask = spec.pooling === 'average' ? flow.mask : null;
    const data = new Float32Array(batch * features);
    for (let b = 0; b < batch; b++) {
      const out = data.subarray(b * features, (b + 1) * features);
      if (spec.pooling === 'max') out.fill(-Infinity);
      let count = 0;
      for (let t = 0; t < timesteps; t++) {
        if (mask !== null && mask[b * timesteps + t] === 0) continue;
        count++;
        const step = flow.data.subarray((b * timesteps + t) * features, (b * timesteps + t + 1) * features);
        if (spec.pooling === 'max') for (let f = 0; f < features; f++) out[f] = Math.max(out[f], step[f]);
        else for (let f = 0; f < features; f++) out[f] += step[f];
      }
      if (spec.pooling === 'average') for (let f = 0; f < features; f++) out[f] /= count;
    }
    const output = { shape: spec.keepDims ? [batch, 1, features] : [batch, features], data };
    return { outputs: [output], next: { ...output, mask: null }, states: null };
  };
}

function compileBatchNormalization(spec: BatchNormalizationLayerSpec, weights: BatchNormalizationWeights): CompiledLayer {
  const { scale, shift } = batchNormalizationAffine(spec, weights);
  return (flow) => {
    const features = lastDimension(spec.name, flow, spec.features);
    const data = new Float32Array(flow.data.length);
    for (let i = 0; i < data.length; i++) {
      const f = i % features;
      data[i] = flow.data[i] * scale[f] + shift[f];
    }
    const output = { shape: [...flow.shape], data };
    return { outputs: [output], next: { ...output, mask: flow.mask }, states: null };
  };
}

/** Keras `Reshape`: the same row-major values under the target shape; the mask is dropped. */
function compileReshape(spec: ReshapeLayerSpec): CompiledLayer {
  const rowSize = spec.targetShape.reduce((n, d) => n * d, 1);
  return (flow) => {
    const batch = flow.shape[0];
    if (flow.data.length !== batch * rowSize) {
      throw new InputError(`${spec.name}: cannot reshape ${formatShape(flow.shape)} to (batch, ${spec.targetShape.join(', ')})`, {
        layer: spec.name,
        field: 'input',
        expected: [batch, ...spec.targetShape],
        actual: flow.shape,
      });
    }
    const output = { shape: [batch, ...spec.targetShape], data: flow.data.slice() };
    return { outputs: [output], next: { ...output, mask: null }, states: null };
  };
}

/** Keras `LayerNormalization` over the last axis: each row's mean and variance (in double precision). */
function compileLayerNormalization(spec: LayerNormalizationLayerSpec, weights: LayerNormalizationWeights): CompiledLayer {
  const gamma = weights.gamma?.data ?? null;
  const beta = weights.beta?.data ?? null;
  return (flow) => {
    const features = lastDimension(spec.name, flow, spec.features);
    const data = new Float32Array(flow.data.length);
    for (let row = 0; row < data.length; row += features) {
      let mean = 0;
      for (let f = 0; f < features; f++) mean += flow.data[row + f];
      mean /= features;
      let variance = 0;
      for (let f = 0; f < features; f++) variance += (flow.data[row + f] - mean) ** 2;
      const inverse = 1 / Math.sqrt(variance / features + spec.epsilon);
      for (let f = 0; f < features; f++) {
        data[row + f] = (flow.data[row + f] - mean) * inverse * (gamma ? gamma[f] : 1) + (beta ? beta[f] : 0);
      }
    }
    const output = { shape: [...flow.shape], data };
    return { outputs: [output], next: { ...output, mask: flow.mask }, states: null };
  };
}

/**
 * Each output step's window of input steps laid out as one row (zeros where it reaches past the
 * input), so the convolution is one matrix product with the `(kernelSize·inputDim, filters)` kernel.
 */
function compileConv1D(conv: PackedConv1D): CompiledLayer {
  const spec = conv.spec;
  const activate = activationFor(spec.activation);
  const width = spec.kernelSize * spec.inputDim;
  return (flow) => {
    const [batch, timesteps] = sequenceShape(spec.name, flow, spec.inputDim);
    const { outSteps, padBefore } = convolutionWindow(timesteps, spec.kernelSize, spec.strides, spec.dilation, spec.padding);
    const windows = new Float32Array(batch * outSteps * width);
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < outSteps; t++) {
        const row = (b * outSteps + t) * width;
        for (let k = 0; k < spec.kernelSize; k++) {
          const step = t * spec.strides + k * spec.dilation - padBefore;
          if (step < 0 || step >= timesteps) continue;
          const from = (b * timesteps + step) * spec.inputDim;
          windows.set(flow.data.subarray(from, from + spec.inputDim), row + k * spec.inputDim);
        }
      }
    }
    const data = new Float32Array(batch * outSteps * spec.filters);
    matmulPacked(windows, batch * outSteps, width, conv.kernel, 0, spec.filters, conv.bias, data, spec.filters);
    activate(data, spec.filters);
    const output = { shape: [batch, outSteps, spec.filters], data };
    return { outputs: [output], next: { ...output, mask: null }, states: null };
  };
}

/** Windows past the input take no part: the max skips them and the average divides by the steps it has. */
function compilePooling1D(spec: Pooling1DLayerSpec): CompiledLayer {
  return (flow) => {
    const features = flow.shape[flow.shape.length - 1];
    const [batch, timesteps] = sequenceShape(spec.name, flow, features);
    const { outSteps, padBefore } = convolutionWindow(timesteps, spec.poolSize, spec.strides, 1, spec.padding);
    const data = new Float32Array(batch * outSteps * features);
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < outSteps; t++) {
        const out = data.subarray((b * outSteps + t) * features, (b * outSteps + t + 1) * features);
        const first = Math.max(0, t * spec.strides - padBefore);
        const end = Math.min(timesteps, t * spec.strides - padBefore + spec.poolSize);
        if (spec.pooling === 'max') out.fill(-Infinity);
        for (let step = first; step < end; step++) {
          const x = flow.data.subarray((b * timesteps + step) * features, (b * timesteps + step + 1) * features);
          if (spec.pooling === 'max') for (let f = 0; f < features; f++) out[f] = Math.max(out[f], x[f]);
          else for (let f = 0; f < features; f++) out[f] += x[f];
        }
        if (spec.pooling === 'average') for (let f = 0; f < features; f++) out[f] /= end - first;
      }
    }
    const output = { shape: [batch, outSteps, features], data };
    return { outputs: [output], next: { ...output, mask: null }, states: null };
  };
}

function copyTensor(t: Tensor): Tensor {
  return { shape: [...t.shape], data: t.data.slice() };
}
