import { ConfigError } from '../errors.js';
import { inputLayerShape, rawLayer, type DeclaredShape, type RawLayer } from './layers.js';
import { ConfigReader, isObject, readShape, show, type JsonObject } from './reader.js';

/** A model flattened to the layers it calls, in call order. */
export interface Chain {
  readonly name: string;
  readonly source: 'layer' | 'sequential';
  readonly layers: readonly RawLayer[];
  /** Input shape the model declares (InputLayer, Sequential `build_input_shape`), batch first. */
  readonly declared: DeclaredShape | undefined;
}

const MODEL_CLASSES = ['Sequential', 'Functional', 'Model'];

export function collectChain(root: RawLayer): Chain {
  if (!MODEL_CLASSES.includes(root.className)) {
    return { name: nameOf(root.config, root.className), source: 'layer', layers: [root], declared: undefined };
  }
  const chain = modelChain(root);
  return { ...chain, source: 'sequential' };
}

function modelChain(root: RawLayer): Chain {
  const ordered = root.className === 'Sequential' ? sequentialLayers(root) : functionalLayers(root);
  const layers: RawLayer[] = [];
  // `build_config` of a saved model (config.json in a .keras file) records the same input shape.
  let declared = (root.className === 'Sequential' ? sequentialBuildShape(root) : undefined) ?? root.buildShape;
  for (const layer of ordered) {
    if (MODEL_CLASSES.includes(layer.className)) {
      // A model used as a layer of a chain is itself a chain: splice its layers in.
      const inner = modelChain(layer);
      if (layers.length === 0) declared ??= inner.declared;
      layers.push(...inner.layers);
      continue;
    }
    if (layer.className === 'InputLayer' && layers.every((l) => l.className === 'InputLayer')) {
      declared = inputLayerShape(layer) ?? declared;
    }
    layers.push(layer);
  }
  return { name: nameOf(root.config, root.className.toLowerCase()), source: 'sequential', layers, declared };
}

function nameOf(config: JsonObject, fallback: string): string {
  return typeof config.name === 'string' && config.name.length > 0 ? config.name : fallback;
}

function sequentialLayers(root: RawLayer): RawLayer[] {
  const list = root.config.layers;
  const name = nameOf(root.config, 'sequential');
  if (!Array.isArray(list)) {
    throw new ConfigError(`Sequential model "${name}": field "layers" must be a list of layers, got ${show(list)}`, {
      layer: name,
      field: 'layers',
      expected: 'a list',
      actual: list,
    });
  }
  return list.map((entry, i) => {
    const raw = rawLayer(entry);
    if (!raw) {
      throw new ConfigError(
        `Sequential model "${name}": layers[${i}] must be a {class_name, config} object, got ${show(entry)}`,
        { layer: name, field: `layers[${i}]`, expected: '{class_name, config}', actual: entry },
      );
    }
    return raw;
  });
}

function sequentialBuildShape(root: RawLayer): DeclaredShape | undefined {
  const reader = new ConfigReader('Sequential', nameOf(root.config, 'sequential'), root.config);
  return readShape(reader, 'build_input_shape');
}

/** `[name, node, tensor]` reference to a layer output, as both Keras 2 and Keras 3 write them. */
interface TensorRef {
  readonly layer: string;
  readonly node: number;
  readonly tensor: number;
}

/**
 * Orders a Functional model's layers by following its graph from the output back to the input,
 * and refuses anything that is not one straight chain (branches, merges, shared layers, several
 * inputs or outputs, layers called with extra tensors such as `initial_state`).
 */
function functionalLayers(root: RawLayer): RawLayer[] {
  const model = nameOf(root.config, 'model');
  const unsupported = (field: string, what: string, actual: unknown): ConfigError =>
    new ConfigError(
      `Functional model "${model}": ${what}; only a single chain of layers (each layer fed by the one before) is supported`,
      { layer: model, field, expected: 'a single chain', actual },
    );

  const entries = root.config.layers;
  if (!Array.isArray(entries)) throw unsupported('layers', `field "layers" must be a list, got ${show(entries)}`, entries);
  const byName = new Map<string, { raw: RawLayer; inbound: TensorRef[] }>();
  for (const [i, entry] of entries.entries()) {
    const raw = rawLayer(entry);
    if (!raw || !isObject(entry)) throw unsupported(`layers[${i}]`, `layers[${i}] is not a {class_name, config} object`, entry);
    const name = typeof entry.name === 'string' ? entry.name : nameOf(raw.config, `layer_${i}`);
    const nodes = entry.inbound_nodes ?? [];
    if (!Array.isArray(nodes)) throw unsupported(`${name}.inbound_nodes`, `layer "${name}" has malformed inbound_nodes`, nodes);
    if (nodes.length > 1) {
      throw unsupported(`${name}.inbound_nodes`, `layer "${name}" is called ${nodes.length} times (a shared layer)`, nodes.length);
    }
    const inbound = nodes.length === 1 ? nodeInputs(nodes[0], name, unsupported) : [];
    byName.set(name, { raw, inbound });
  }

  const input = singleRef(root.config.input_layers, 'input_layers', unsupported);
  const output = singleRef(root.config.output_layers, 'output_layers', unsupported);
  const path: RawLayer[] = [];
  const visited = new Set<string>();
  let current: TensorRef = output;
  for (;;) {
    const layer = byName.get(current.layer);
    if (!layer) throw unsupported('layers', `it refers to a layer "${current.layer}" that is not in its layer list`, current.layer);
    if (current.tensor !== 0 || current.node !== 0) {
      throw unsupported(
        `${current.layer}.outputs`,
        `it uses output ${current.tensor} of layer "${current.layer}" (e.g. a returned state)`,
        current,
      );
    }
    if (visited.has(current.layer)) throw unsupported('layers', `layer "${current.layer}" appears twice on the path`, current.layer);
    visited.add(current.layer);
    path.unshift(layer.raw);
    if (current.layer === input.layer) break;
    if (layer.inbound.length !== 1) {
      throw unsupported(
        `${current.layer}.inbound_nodes`,
        `layer "${current.layer}" takes ${layer.inbound.length} input tensors`,
        layer.inbound.length,
      );
    }
    current = layer.inbound[0];
  }
  const offPath = [...byName.keys()].filter((n) => !visited.has(n));
  if (offPath.length > 0) {
    throw unsupported('layers', `layers ${offPath.map((n) => `"${n}"`).join(', ')} are not on the input-to-output chain`, offPath);
  }
  return path;
}

type Unsupported = (field: string, what: string, actual: unknown) => ConfigError;

function singleRef(value: unknown, field: string, unsupported: Unsupported): TensorRef {
  // Keras writes `[["input_1", 0, 0]]`, and for a single tensor sometimes `["input_1", 0, 0]`.
  const refs = Array.isArray(value) && typeof value[0] === 'string' ? [value] : value;
  if (!Array.isArray(refs) || refs.length !== 1) {
    throw unsupported(field, `it has ${Array.isArray(refs) ? refs.length : 'no'} ${field.replace('_layers', 's')}`, value);
  }
  const ref = tensorRef(refs[0]);
  if (!ref) throw unsupported(field, `${field} holds a malformed reference ${show(refs[0])}`, refs[0]);
  return ref;
}

function tensorRef(value: unknown): TensorRef | undefined {
  if (!Array.isArray(value) || typeof value[0] !== 'string') return undefined;
  const [layer, node, tensor] = value as [string, unknown, unknown];
  if (typeof node !== 'number' || typeof tensor !== 'number') return undefined;
  return { layer, node, tensor };
}

/** Call kwargs that do not change what a layer computes at inference. */
function harmlessKwarg(key: string, value: unknown): boolean {
  return (key === 'training' && (typeof value === 'boolean' || value === null)) || (key === 'mask' && value === null);
}

/** The tensors one inbound node feeds into a layer, from the Keras 2 or Keras 3 node format. */
function nodeInputs(node: unknown, layer: string, unsupported: Unsupported): TensorRef[] {
  const refs: TensorRef[] = [];
  let kwargs: JsonObject = {};
  if (Array.isArray(node)) {
    // Keras 2: [[name, node_index, tensor_index, kwargs], ...]
    for (const item of node) {
      const ref = tensorRef(item);
      if (!ref) throw unsupported(`${layer}.inbound_nodes`, `layer "${layer}" has a malformed inbound node ${show(item)}`, item);
      refs.push(ref);
      const itemKwargs = (item as unknown[])[3];
      if (isObject(itemKwargs)) kwargs = { ...kwargs, ...itemKwargs };
    }
  } else if (isObject(node)) {
    // Keras 3: {args: [...keras tensors...], kwargs: {...}}
    collectKerasTensors(node.args, refs);
    if (isObject(node.kwargs)) kwargs = node.kwargs;
  } else {
    throw unsupported(`${layer}.inbound_nodes`, `layer "${layer}" has a malformed inbound node ${show(node)}`, node);
  }
  for (const [key, value] of Object.entries(kwargs)) {
    if (!harmlessKwarg(key, value)) {
      throw unsupported(`${layer}.inbound_nodes`, `layer "${layer}" is called with ${key}=${show(value)}`, { [key]: value });
    }
  }
  return refs;
}

function collectKerasTensors(value: unknown, out: TensorRef[]): void {
  if (Array.isArray(value)) {
    for (const item of value) collectKerasTensors(item, out);
  } else if (isObject(value)) {
    if (value.class_name === '__keras_tensor__' && isObject(value.config)) {
      const ref = tensorRef(value.config.keras_history);
      if (ref) out.push(ref);
      return;
    }
    for (const item of Object.values(value)) collectKerasTensors(item, out);
  }
}
