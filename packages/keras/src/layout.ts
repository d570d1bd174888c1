import { WeightError, formatShape, sameShape } from '@rnn/core';
import type { KerasConfig, WeightSlot } from '@rnn/core';
import type { AttributeValue, Hdf5Group, Hdf5Node } from './hdf5-session.js';

/**
 * Where each expected weight (`weightSlots(spec)`, get_weights() order) lives in the file, found the
 * way Keras finds it: by layer position and variable order, not by variable-name strings.
 */

const MODEL_CLASSES = ['Sequential', 'Functional', 'Model'];
const RECURRENT_CLASSES = ['SimpleRNN', 'GRU', 'LSTM'];

/** A layer entry of a model config, reduced to what weight lookup needs. */
interface ConfigLayer {
  readonly className: string;
  /** As core names it: `config.name`, else the snake-cased class. */
  readonly name: string;
  /** The `{class_name, config}` entry itself (a nested model's layers are read from it). */
  readonly entry: Readonly<Record<string, unknown>>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keras `naming.to_snake_case`, which names `.keras` weight groups after layer classes. */
export function toSnakeCase(className: string): string {
  return className
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** A model config's layer list (parseConfig has validated its shape already). */
function configLayers(model: unknown): ConfigLayer[] {
  if (!isObject(model)) return [];
  const inner = model.config;
  // Keras 2.0-2.2 wrote a Sequential config as the bare list of its layers.
  const list = Array.isArray(inner) ? inner : isObject(inner) && Array.isArray(inner.layers) ? inner.layers : [];
  return list.filter(isObject).flatMap((entry): ConfigLayer[] => {
    if (typeof entry.class_name !== 'string') return [];
    const config = isObject(entry.config) ? entry.config : {};
    const name = typeof config.name === 'string' && config.name ? config.name : toSnakeCase(entry.class_name);
    return [{ className: entry.class_name, name, entry }];
  });
}

/** The layers a config entry contributes to the spec: itself, or a nested model's layers. */
function leafNames(layer: ConfigLayer): string[] {
  return MODEL_CLASSES.includes(layer.className) ? configLayers(layer.entry).flatMap(leafNames) : [layer.name];
}

function slotsByLayer(slots: readonly WeightSlot[]): Map<string, { slot: WeightSlot; index: number }[]> {
  const byLayer = new Map<string, { slot: WeightSlot; index: number }[]>();
  slots.forEach((slot, index) => {
    const list = byLayer.get(slot.layer) ?? [];
    list.push({ slot, index });
    byLayer.set(slot.layer, list);
  });
  return byLayer;
}

export function childAt(root: Hdf5Group, path: string): Hdf5Node | undefined {
  let node: Hdf5Node | undefined = root;
  for (const part of path.split('/').filter(Boolean)) {
    if (!node || node.kind !== 'group') return undefined;
    node = Object.hasOwn(node.children, part) ? node.children[part] : undefined;
  }
  return node;
}

function checkShape(slot: WeightSlot, node: Hdf5Node | undefined, where: string): string {
  if (!node || node.kind !== 'dataset') {
    throw new WeightError(`layer "${slot.layer}": ${slot.name} should be stored at ${where}, but the file has no dataset there`, {
      layer: slot.layer,
      field: slot.name,
      expected: where,
    });
  }
  if (!sameShape(node.shape, slot.shape)) {
    throw new WeightError(
      `layer "${slot.layer}": ${slot.name} should be ${formatShape(slot.shape)}, but the file stores ${formatShape(node.shape)} at ${where}; ` +
        'the config and the weights disagree',
      { layer: slot.layer, field: slot.name, expected: slot.shape, actual: node.shape },
    );
  }
  return node.path;
}

/** Datasets `<group>/vars/0..n-1` in order; an absent `vars` group holds none. */
function numberedVars(root: Hdf5Group, groupPath: string): string[] {
  const vars = childAt(root, `${groupPath}/vars`);
  if (!vars || vars.kind !== 'group') return [];
  const names = Object.keys(vars.children);
  const paths: string[] = [];
  for (let i = 0; i < names.length; i++) {
    if (!Object.hasOwn(vars.children, String(i))) {
      throw new WeightError(`model.weights.h5: ${groupPath}/vars holds ${names.join(', ')}, not the variables 0..${names.length - 1}`, {
        field: `${groupPath}/vars`,
      });
    }
    paths.push(`${groupPath}/vars/${i}`);
  }
  return paths;
}

function recurrentVars(root: Hdf5Group, path: string): string[] {
  return [...numberedVars(root, path), ...numberedVars(root, `${path}/cell`)];
}

/** Variable paths of one `.keras` layer group in get_weights() order (own variables, then sub-layers). */
function keras3LayerVars(root: Hdf5Group, layer: ConfigLayer, path: string): string[] {
  if (RECURRENT_CLASSES.includes(layer.className)) return recurrentVars(root, path);
  const own = numberedVars(root, path);
  if (layer.className === 'Bidirectional') {
    return [...own, ...recurrentVars(root, `${path}/forward_layer`), ...recurrentVars(root, `${path}/backward_layer`)];
  }
  if (layer.className === 'TimeDistributed') return [...own, ...numberedVars(root, `${path}/layer`)];
  return own;
}

/**
 * Keras 3 `.keras` (`model.weights.h5`): each layer of a model is stored under
 * `layers/<snake_case(class)>[_<n>]` (numbered per class in model-layer order, nested models under
 * their own `layers/`), its variables in `vars/0..n`, a recurrent layer's under `cell/vars`, a
 * Bidirectional's under `forward_layer` and `backward_layer`.
 */
export function keras3WeightPaths(root: Hdf5Group, config: KerasConfig, slots: readonly WeightSlot[]): string[] {
  const layerPaths = new Map<string, { layer: ConfigLayer; path: string }>();
  const walk = (model: unknown, base: string) => {
    const used = new Map<string, number>();
    for (const layer of configLayers(model)) {
      const stem = toSnakeCase(layer.className);
      const seen = used.get(stem);
      used.set(stem, seen === undefined ? 0 : seen + 1);
      const path = `${base}/${seen === undefined ? stem : `${stem}_${seen + 1}`}`;
      if (MODEL_CLASSES.includes(layer.className)) walk(layer.entry, `${path}/layers`);
      else layerPaths.set(layer.name, { layer, path });
    }
  };
  walk(config, 'layers');

  const paths: string[] = new Array(slots.length);
  for (const [name, expected] of slotsByLayer(slots)) {
    const found = layerPaths.get(name);
    if (!found) {
      throw new WeightError(`model.weights.h5 has no weights for layer "${name}" (the config names no such layer)`, { layer: name });
    }
    const vars = keras3LayerVars(root, found.layer, found.path);
    if (vars.length !== expected.length) {
      throw new WeightError(
        `layer "${name}" (${found.layer.className}) expects ${expected.length} weights (${expected.map((e) => e.slot.name).join(', ')}), ` +
          `but model.weights.h5 holds ${vars.length} under ${found.path}; the config and the weights disagree`,
        { layer: name, field: found.path, expected: expected.length, actual: vars.length },
      );
    }
    expected.forEach(({ slot, index }, i) => (paths[index] = checkShape(slot, childAt(root, vars[i]), vars[i])));
  }
  return paths;
}

/** A legacy string-list attribute, also in Keras's chunked form (`name0`, `name1`, ... for long lists). */
export function stringList(group: Hdf5Group, name: string): string[] {
  const asList = (value: AttributeValue): string[] => {
    if (value === null || value === undefined) return [];
    const items = Array.isArray(value) ? value : [value];
    return items.map((item) => String(item));
  };
  if (Object.hasOwn(group.attrs, name)) return asList(group.attrs[name]);
  const chunks: string[] = [];
  for (let i = 0; Object.hasOwn(group.attrs, `${name}${i}`); i++) chunks.push(...asList(group.attrs[`${name}${i}`]));
  return chunks;
}

/**
 * Legacy HDF5 (`model.save('x.h5')` in Keras 3 and tf.keras/Keras 2): `model_weights` lists its
 * layers in `layer_names`, each layer group lists its datasets in `weight_names`. Like Keras, the
 * layers that hold weights are matched by position with the model's layers that have weights.
 */
export function legacyWeightPaths(root: Hdf5Group, config: KerasConfig, slots: readonly WeightSlot[]): string[] {
  const weightsGroup = childAt(root, 'model_weights');
  if (!weightsGroup || weightsGroup.kind !== 'group') {
    throw new WeightError('the HDF5 file has no model_weights group: it holds no weights for this model', { field: 'model_weights' });
  }
  const saved = stringList(weightsGroup, 'layer_names').flatMap((layerName) => {
    const group = Object.hasOwn(weightsGroup.children, layerName) ? weightsGroup.children[layerName] : undefined;
    if (!group || group.kind !== 'group') {
      throw new WeightError(`model_weights lists layer "${layerName}" but has no group for it`, { layer: layerName, field: 'layer_names' });
    }
    const names = stringList(group, 'weight_names');
    return names.length > 0 ? [{ layerName, group, names }] : [];
  });

  const byLayer = slotsByLayer(slots);
  const expected = configLayers(config)
    .map((layer) => ({ layer, slots: leafNames(layer).flatMap((name) => byLayer.get(name) ?? []) }))
    .filter((entry) => entry.slots.length > 0);
  if (saved.length !== expected.length) {
    throw new WeightError(
      `the model has ${expected.length} layers with weights (${expected.map((e) => e.layer.name).join(', ')}), ` +
        `but the file stores weights for ${saved.length} (${saved.map((s) => s.layerName).join(', ')}); the config and the weights disagree`,
      { field: 'layer_names', expected: expected.length, actual: saved.length },
    );
  }
  const paths: string[] = new Array(slots.length);
  saved.forEach((layerWeights, i) => {
    const wanted = expected[i];
    if (layerWeights.names.length !== wanted.slots.length) {
      throw new WeightError(
        `layer "${wanted.layer.name}" expects ${wanted.slots.length} weights (${wanted.slots.map((e) => e.slot.name).join(', ')}), ` +
          `but the file stores ${layerWeights.names.length} for "${layerWeights.layerName}" (${layerWeights.names.join(', ')})`,
        { layer: wanted.layer.name, field: 'weight_names', expected: wanted.slots.length, actual: layerWeights.names.length },
      );
    }
    wanted.slots.forEach(({ slot, index }, j) => {
      const where = `${layerWeights.group.path}/${layerWeights.names[j]}`;
      paths[index] = checkShape(slot, childAt(layerWeights.group, layerWeights.names[j]), where);
    });
  });
  return paths;
}
