import type {
  BatchNormalizationLayerSpec,
  LayerNormalizationLayerSpec,
  BatchNormalizationWeights,
  BidirectionalWeights,
  Conv1DWeights,
  DenseWeights,
  EmbeddingWeights,
  LayerSpec,
  LayerNormalizationWeights,
  LayerWeights,
  ModelSpec,
  ModelWeights,
  RecurrentLayerSpec,
  RecurrentWeights,
  WeightSlot,
} from './spec.js';
import { GATE_COUNT } from './spec.js';
import type { Tensor, TensorLike } from './tensor.js';
import { firstNonFinite, sameShape, sizeOf } from './tensor.js';
import { WeightError, formatShape } from './errors.js';
import { cellWeightPrefix } from './config/layers.js';
import { cudnnToKeras, kerasToCudnn } from './cudnn.js';

/** Weight roles in Keras `get_weights()` order within one layer. */
export type Role = 'kernel' | 'recurrentKernel' | 'bias' | 'embeddings' | 'gamma' | 'beta' | 'movingMean' | 'movingVariance';

interface RoleSlot extends WeightSlot {
  readonly role: Role;
}

function recurrentSlots(layer: RecurrentLayerSpec, owner: string, prefix: string): RoleSlot[] {
  const width = GATE_COUNT[layer.cell] * layer.units;
  // A CuDNNLSTM/CuDNNGRU keeps its variables on the layer itself, and separate input and recurrent biases.
  const cudnn = layer.weightLayout === 'cudnn';
  const path = cudnn ? prefix : `${prefix}/${cellWeightPrefix(layer.cell)}`;
  const slots: RoleSlot[] = [
    { layer: owner, role: 'kernel', name: `${path}/kernel`, shape: [layer.inputDim, width] },
    { layer: owner, role: 'recurrentKernel', name: `${path}/recurrent_kernel`, shape: [layer.units, width] },
  ];
  if (layer.useBias) {
    // GRU reset_after keeps separate input and recurrent biases: rows 0 and 1.
    const shape = cudnn ? [2 * width] : layer.cell === 'GRU' && layer.resetAfter ? [2, width] : [width];
    slots.push({ layer: owner, role: 'bias', name: `${path}/bias`, shape });
  }
  return slots;
}

/** One layer's slots, split by direction for a Bidirectional. */
function layerSlots(layer: LayerSpec): RoleSlot[][] {
  switch (layer.kind) {
    case 'rnn':
      return [recurrentSlots(layer, layer.name, layer.name)];
    case 'bidirectional':
      return [
        recurrentSlots(layer.forward, layer.name, `${layer.name}/${layer.forward.name}`),
        recurrentSlots(layer.backward, layer.name, `${layer.name}/${layer.backward.name}`),
      ];
    case 'dense': {
      const slots: RoleSlot[] = [{ layer: layer.name, role: 'kernel', name: `${layer.name}/kernel`, shape: [layer.inputDim, layer.units] }];
      if (layer.useBias) slots.push({ layer: layer.name, role: 'bias', name: `${layer.name}/bias`, shape: [layer.units] });
      return [slots];
    }
    case 'embedding':
      return [[{ layer: layer.name, role: 'embeddings', name: `${layer.name}/embeddings`, shape: [layer.vocabulary, layer.outputDim] }]];
    case 'batch-normalization':
    case 'layer-normalization':
      return [normalizationSlots(layer)];
    case 'conv1d': {
      const slots: RoleSlot[] = [{ layer: layer.name, role: 'kernel', name: `${layer.name}/kernel`, shape: [layer.kernelSize, layer.inputDim, layer.filters] }];
      if (layer.useBias) slots.push({ layer: layer.name, role: 'bias', name: `${layer.name}/bias`, shape: [layer.filters] });
      return [slots];
    }
    case 'pooling1d':
    case 'masking':
    case 'activation':
    case 'repeat-vector':
    case 'flatten':
    case 'reshape':
    case 'global-pooling':
      return [];
  }
}

/**
 * A Batch- or LayerNormalization's `(features)` vectors in Keras order, as `[role, Keras name]`: gamma
 * (with `scale`), beta (with `center`), then BatchNormalization's moving_mean and moving_variance.
 */
export function normalizationRoles(layer: BatchNormalizationLayerSpec | LayerNormalizationLayerSpec): [Role, string][] {
  return [
    ...(layer.scale ? [['gamma', 'gamma'] as [Role, string]] : []),
    ...(layer.center ? [['beta', 'beta'] as [Role, string]] : []),
    ...(layer.kind === 'batch-normalization'
      ? [['movingMean', 'moving_mean'] as [Role, string], ['movingVariance', 'moving_variance'] as [Role, string]]
      : []),
  ];
}

function normalizationSlots(layer: BatchNormalizationLayerSpec | LayerNormalizationLayerSpec): RoleSlot[] {
  return normalizationRoles(layer).map(([role, name]) => ({ layer: layer.name, role, name: `${layer.name}/${name}`, shape: [layer.features] }));
}

function strip(slot: RoleSlot): WeightSlot {
  return { layer: slot.layer, name: slot.name, shape: slot.shape };
}

/** The `get_weights()` entries a spec expects, in Keras order. */
export function weightSlots(spec: ModelSpec): WeightSlot[] {
  return spec.layers.flatMap((layer) => layerSlots(layer).flat().map(strip));
}

/** A hint for the commonest real-world mismatch: a GRU bias written with the other `reset_after`. */
function mismatchHint(slot: RoleSlot, actual: readonly number[]): string {
  if (slot.role !== 'bias' || !slot.name.includes('/gru_cell/')) return '';
  const width = slot.shape[slot.shape.length - 1];
  if (actual.length === 1 && actual[0] === width) {
    return '; a (3·units,) bias means reset_after false (a Keras 2 GRU: parse it with kerasVersion 2)';
  }
  if (actual.length === 2 && actual[0] === 2 && actual[1] === width) return '; a (2, 3·units) bias means reset_after true';
  return '';
}

function describeSlots(slots: readonly RoleSlot[]): string {
  return slots.map((s) => `${s.name} ${formatShape(s.shape)}`).join(', ');
}

function shapeOfEntry(value: unknown): readonly number[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const shape = (value as { shape?: unknown }).shape;
  return Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && d >= 0) ? (shape as number[]) : undefined;
}

/** Count mismatch: name where the list stops matching the expected slots. */
function countError(slots: readonly RoleSlot[], weights: readonly TensorLike[]): WeightError {
  let i = 0;
  while (i < slots.length && i < weights.length) {
    const shape = shapeOfEntry(weights[i]);
    if (!shape || !sameShape(shape, slots[i].shape)) break;
    i++;
  }
  const head = `expected ${slots.length} weights in get_weights() order, got ${weights.length}`;
  if (weights.length < slots.length && i === weights.length) {
    const missing = slots.slice(i);
    return new WeightError(`${head}: missing ${describeSlots(missing)}`, {
      layer: missing[0].layer,
      field: missing[0].name,
      expected: slots.length,
      actual: weights.length,
    });
  }
  if (weights.length > slots.length && i === slots.length) {
    const extra = weights.slice(i).map((w) => formatShape(shapeOfEntry(w) ?? [])).join(', ');
    return new WeightError(`${head}: ${weights.length - slots.length} extra entries after the last slot, shapes ${extra}`, {
      field: 'weights',
      expected: slots.length,
      actual: weights.length,
    });
  }
  const slot = slots[i];
  const got = shapeOfEntry(weights[i]);
  return new WeightError(
    `${head}; entries agree up to index ${i}, where layer "${slot.layer}" expects ${slot.name} ${formatShape(slot.shape)} ` +
      `but the list holds ${got ? formatShape(got) : 'a malformed entry'}`,
    { layer: slot.layer, field: slot.name, expected: slots.length, actual: weights.length },
  );
}

function toWeightTensor(value: TensorLike, slot: RoleSlot): Tensor {
  const shape = shapeOfEntry(value);
  const data = (value as { data?: unknown } | null)?.data as ArrayLike<number> | undefined;
  if (!shape || data === undefined || data === null || typeof data.length !== 'number') {
    throw new WeightError(`Weight ${slot.name} of layer "${slot.layer}": expected {shape, data}, got a malformed entry`, {
      layer: slot.layer,
      field: slot.name,
    });
  }
  if (!sameShape(shape, slot.shape)) {
    throw new WeightError(
      `Weight ${slot.name} of layer "${slot.layer}" has shape ${formatShape(shape)}, but the layer expects ` +
        `${formatShape(slot.shape)}${mismatchHint(slot, shape)}`,
      { layer: slot.layer, field: slot.name, expected: slot.shape, actual: shape },
    );
  }
  if (data.length !== sizeOf(shape)) {
    throw new WeightError(
      `Weight ${slot.name} of layer "${slot.layer}": shape ${formatShape(shape)} needs ${sizeOf(shape)} values, got ${data.length}`,
      { layer: slot.layer, field: slot.name, expected: sizeOf(shape), actual: data.length },
    );
  }
  const values = data instanceof Float32Array ? data : Float32Array.from(data);
  const bad = firstNonFinite(values);
  if (bad >= 0) {
    throw new WeightError(
      `Weight ${slot.name} of layer "${slot.layer}" holds ${values[bad]} at flat index ${bad} ` +
        `(index ${formatIndex(bad, shape)}${values[bad] !== Number(data[bad]) ? `, from ${data[bad]} beyond float32 range` : ''}); ` +
        'a non-finite weight would poison results silently',
      { layer: slot.layer, field: slot.name, expected: 'finite values', actual: values[bad] },
    );
  }
  return { shape: [...shape], data: values };
}

function formatIndex(flat: number, shape: readonly number[]): string {
  const index: number[] = [];
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    index.unshift(rest % shape[d]);
    rest = Math.floor(rest / shape[d]);
  }
  return `[${index.join(', ')}]`;
}

/** A recurrent layer's weights in the Keras layout (converted from cuDNN's for a CuDNNLSTM/CuDNNGRU). */
function recurrentWeights(layer: RecurrentLayerSpec, slots: readonly RoleSlot[], tensors: readonly Tensor[]): RecurrentWeights {
  const byRole = (role: Role): Tensor | null => {
    const i = slots.findIndex((s) => s.role === role);
    return i >= 0 ? tensors[i] : null;
  };
  const weights = { kernel: byRole('kernel')!, recurrentKernel: byRole('recurrentKernel')!, bias: byRole('bias') };
  return layer.weightLayout === 'cudnn' ? cudnnToKeras(layer, weights) : weights;
}

/** Checks a flat `get_weights()`-order list against the spec and groups it per layer. */
export function structureWeights(spec: ModelSpec, weights: readonly TensorLike[]): ModelWeights {
  if (!Array.isArray(weights)) {
    throw new WeightError(`weights must be a list in get_weights() order, got ${typeof weights}`, { field: 'weights' });
  }
  const perLayer = spec.layers.map(layerSlots);
  const all = perLayer.flat(2);
  if (weights.length !== all.length) throw countError(all, weights);

  let next = 0;
  const take = (slots: readonly RoleSlot[]): Tensor[] => slots.map((slot) => toWeightTensor(weights[next++], slot));
  return spec.layers.map((layer, i): LayerWeights => {
    const groups = perLayer[i];
    switch (layer.kind) {
      case 'rnn':
        return recurrentWeights(layer, groups[0], take(groups[0]));
      case 'bidirectional': {
        const forward = recurrentWeights(layer.forward, groups[0], take(groups[0]));
        const backward = recurrentWeights(layer.backward, groups[1], take(groups[1]));
        return { forward, backward } satisfies BidirectionalWeights;
      }
      case 'dense':
      case 'conv1d': {
        const [kernel, bias] = take(groups[0]);
        return { kernel, bias: bias ?? null } satisfies DenseWeights & Conv1DWeights;
      }
      case 'embedding':
        return { embeddings: take(groups[0])[0] } satisfies EmbeddingWeights;
      case 'batch-normalization': {
        const tensors = take(groups[0]);
        const byRole = (role: Role): Tensor | null => tensors[groups[0].findIndex((slot) => slot.role === role)] ?? null;
        return {
          gamma: byRole('gamma'),
          beta: byRole('beta'),
          movingMean: byRole('movingMean')!,
          movingVariance: byRole('movingVariance')!,
        } satisfies BatchNormalizationWeights;
      }
      case 'layer-normalization': {
        const tensors = take(groups[0]);
        const byRole = (role: Role): Tensor | null => tensors[groups[0].findIndex((slot) => slot.role === role)] ?? null;
        return { gamma: byRole('gamma'), beta: byRole('beta') } satisfies LayerNormalizationWeights;
      }
      case 'masking':
      case 'activation':
      case 'repeat-vector':
      case 'flatten':
      case 'reshape':
      case 'global-pooling':
      case 'pooling1d':
        return null;
    }
  });
}

function missingLayerWeights(layer: LayerSpec, what: string): WeightError {
  return new WeightError(`Layer "${layer.name}" (${layer.kind}): ${what}`, { layer: layer.name, field: 'weights' });
}

function recurrentList(layer: RecurrentLayerSpec, weights: RecurrentWeights | undefined, owner: LayerSpec): Tensor[] {
  if (!weights || !weights.kernel || !weights.recurrentKernel) throw missingLayerWeights(owner, 'kernel and recurrentKernel are required');
  if (layer.useBias !== (weights.bias !== null && weights.bias !== undefined)) {
    throw missingLayerWeights(owner, layer.useBias ? `${layer.name} uses a bias but none is given` : `${layer.name} has use_bias false but a bias is given`);
  }
  const stored = layer.weightLayout === 'cudnn' ? kerasToCudnn(layer, weights) : weights;
  return stored.bias ? [stored.kernel, stored.recurrentKernel, stored.bias] : [stored.kernel, stored.recurrentKernel];
}

/** The inverse of `structureWeights`: a flat list in `get_weights()` order. */
export function flattenWeights(spec: ModelSpec, weights: ModelWeights): Tensor[] {
  if (weights.length !== spec.layers.length) {
    throw new WeightError(`expected weights for ${spec.layers.length} layers (null for weightless ones), got ${weights.length}`, {
      field: 'weights',
      expected: spec.layers.length,
      actual: weights.length,
    });
  }
  const flat = spec.layers.flatMap((layer, i): Tensor[] => {
    const w = weights[i];
    switch (layer.kind) {
      case 'rnn':
        return recurrentList(layer, (w ?? undefined) as RecurrentWeights | undefined, layer);
      case 'bidirectional': {
        const b = (w ?? undefined) as BidirectionalWeights | undefined;
        if (!b || !b.forward || !b.backward) throw missingLayerWeights(layer, 'forward and backward weights are required');
        return [...recurrentList(layer.forward, b.forward, layer), ...recurrentList(layer.backward, b.backward, layer)];
      }
      case 'dense':
      case 'conv1d': {
        const d = (w ?? undefined) as DenseWeights | Conv1DWeights | undefined;
        if (!d || !d.kernel) throw missingLayerWeights(layer, 'kernel is required');
        if (layer.useBias !== Boolean(d.bias)) throw missingLayerWeights(layer, layer.useBias ? 'a bias is required' : 'use_bias is false but a bias is given');
        return d.bias ? [d.kernel, d.bias] : [d.kernel];
      }
      case 'embedding': {
        const e = (w ?? undefined) as EmbeddingWeights | undefined;
        if (!e || !e.embeddings) throw missingLayerWeights(layer, 'embeddings are required');
        return [e.embeddings];
      }
      case 'batch-normalization': {
        const n = (w ?? undefined) as BatchNormalizationWeights | undefined;
        if (!n || !n.movingMean || !n.movingVariance) throw missingLayerWeights(layer, 'movingMean and movingVariance are required');
        if (layer.scale !== Boolean(n.gamma)) throw missingLayerWeights(layer, layer.scale ? 'gamma is required (scale)' : 'scale is false but gamma is given');
        if (layer.center !== Boolean(n.beta)) throw missingLayerWeights(layer, layer.center ? 'beta is required (center)' : 'center is false but beta is given');
        return [...(n.gamma ? [n.gamma] : []), ...(n.beta ? [n.beta] : []), n.movingMean, n.movingVariance];
      }
      case 'layer-normalization': {
        const n = (w ?? undefined) as LayerNormalizationWeights | undefined;
        if (layer.scale !== Boolean(n?.gamma)) throw missingLayerWeights(layer, layer.scale ? 'gamma is required (scale)' : 'scale is false but gamma is given');
        if (layer.center !== Boolean(n?.beta)) throw missingLayerWeights(layer, layer.center ? 'beta is required (center)' : 'center is false but beta is given');
        return [...(n?.gamma ? [n.gamma] : []), ...(n?.beta ? [n.beta] : [])];
      }
      case 'masking':
      case 'activation':
      case 'repeat-vector':
      case 'flatten':
      case 'reshape':
      case 'global-pooling':
      case 'pooling1d':
        if (w !== null && w !== undefined) throw missingLayerWeights(layer, 'has no weights, expected null');
        return [];
    }
  });
  // Same checks as loading, so a flattened list always loads back.
  structureWeights(spec, flat);
  return flat;
}
