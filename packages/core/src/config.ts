import type { LayerSpec, ModelSpec, OutputSpec, RecurrentLayerSpec, WindowPadding } from './spec.js';
import { convolutionWindow } from './window.js';
import { STATE_COUNT } from './spec.js';
import { ConfigError, formatShape } from './errors.js';
import { collectChain } from './config/chain.js';
import {
  GLOBAL_POOLING_CLASSES,
  POOLING_1D_CLASSES,
  INFERENCE_NOOP_CLASSES,
  RECURRENT_CLASSES,
  layerName,
  parseActivationLayer,
  parseParametricActivationLayer,
  PARAMETRIC_ACTIVATION_CLASSES,
  parseBatchNormalization,
  parseLayerNormalization,
  parseBidirectional,
  parseConv1D,
  parseDense,
  parseEmbedding,
  parseFlatten,
  parseReshape,
  parseGlobalPooling,
  parseMasking,
  parsePooling1D,
  parseRecurrent,
  parseRepeatVector,
  parseTimeDistributed,
  rawLayer,
  readDeclaredShape,
  type DeclaredShape,
  type ParseContext,
  type RawLayer,
} from './config/layers.js';
import { ConfigReader, isObject, show } from './config/reader.js';

/** A Keras `{class_name, config}` object as `get_config()` / `model.get_config()` / `to_json()` give it. */
export interface KerasConfig {
  readonly class_name: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly module?: string | null;
  readonly registered_name?: string | null;
  readonly build_config?: unknown;
}

export interface ParseOptions {
  /**
   * Keras major version that wrote the config (default 3). With 2, `hard_sigmoid` means
   * `0.2x + 0.5` and a GRU config without `reset_after` means `reset_after: false`.
   */
  readonly kerasVersion?: 2 | 3;
  /** Input features per step when the config does not record them (no build_config / batch_shape). */
  readonly inputFeatures?: number;
}

/** Layer classes `parseConfig` understands (besides Sequential/Functional models and InputLayer). */
export const SUPPORTED_LAYER_CLASSES: readonly string[] = [
  ...RECURRENT_CLASSES,
  'Bidirectional',
  'Dense',
  'TimeDistributed',
  'Masking',
  'Embedding',
  'Activation',
  ...PARAMETRIC_ACTIVATION_CLASSES,
  'RepeatVector',
  'Flatten',
  'Reshape',
  ...Object.keys(GLOBAL_POOLING_CLASSES),
  'BatchNormalization',
  'LayerNormalization',
  'Conv1D',
  ...Object.keys(POOLING_1D_CLASSES),
  ...INFERENCE_NOOP_CLASSES,
];

/** The message fragment the model API looks for to build lazily once the first input shows the features. */
export const INPUT_FEATURES_UNKNOWN = 'input features unknown';

/**
 * Parses a Keras layer or model config (Keras 3 `get_config()`, `to_json()` text, or Keras 2 /
 * tf.keras spellings) into a validated ModelSpec: every default and version quirk resolved, every
 * option that could change results either understood or refused with a ConfigError naming the
 * layer and field.
 */
export function parseConfig(config: unknown, options: ParseOptions = {}): ModelSpec {
  const document = typeof config === 'string' ? parseJson(config) : config;
  const root = rawLayer(document);
  if (!root) {
    throw new ConfigError(`parseConfig: expected a Keras {class_name, config} object, got ${show(document)}`, {
      field: 'class_name',
      expected: '{class_name, config}',
      actual: document,
    });
  }
  checkOptions(options);
  const kerasVersion = options.kerasVersion ?? versionOf(document) ?? 3;
  const ctx: ParseContext = { kerasVersion, legacyConfig: kerasVersion === 2 || looksLikeKeras2(document) };
  const chain = collectChain(root);

  const computing = chain.layers.filter((l) => l.className !== 'InputLayer' && !INFERENCE_NOOP_CLASSES.includes(l.className));
  const first = computing[0];
  if (!first) {
    throw new ConfigError(`"${chain.name}" has no layer that computes anything (only ${chain.layers.map((l) => l.className).join(', ') || 'nothing'})`, {
      layer: chain.name,
      field: 'layers',
    });
  }
  const tokenIds = first.className === 'Embedding';
  const declared = chain.declared ?? firstLayerDeclared(first);
  const features = tokenIds ? null : inputFeatures(first, declared, options.inputFeatures);
  const stateful = computing.some(isStatefulConfig);
  const batch = stateful ? (declared?.[0] ?? buildShapeOf(first)?.[0] ?? null) : null;
  const timesteps = declared && declared.length >= 2 ? declared[1] : null;
  if (declared && declared.length !== (tokenIds ? 2 : 3)) {
    throw new ConfigError(
      `"${chain.name}": input shape ${formatShape(declared)} must be ${tokenIds ? '(batch, timesteps) of token ids' : '(batch, timesteps, features)'}`,
      { layer: chain.name, field: 'input_shape', expected: tokenIds ? 2 : 3, actual: declared },
    );
  }

  let shape: (number | null)[] = tokenIds ? [batch, timesteps] : [batch, timesteps, features ?? 0];
  const layers: LayerSpec[] = [];
  const ignoredLayers: string[] = [];
  for (const [index, raw] of chain.layers.entries()) {
    if (raw.className === 'InputLayer' || INFERENCE_NOOP_CLASSES.includes(raw.className)) {
      ignoredLayers.push(layerName(raw));
      continue;
    }
    const isLast = raw === computing[computing.length - 1];
    const layer = parseLayer(raw, shape, layers.length === 0, ctx, index);
    shape = layerOutputShape(layer, shape);
    checkChainPosition(layer, isLast);
    layers.push(layer);
  }

  if (features === null && !tokenIds) {
    const name = layerName(first);
    throw new ConfigError(
      `${first.className} layer "${name}": ${INPUT_FEATURES_UNKNOWN}; the config records no input shape ` +
        '(build_config, batch_shape, input_shape or an InputLayer), so pass inputFeatures',
      { layer: name, field: 'input_shape', expected: 'a known input shape', actual: null },
    );
  }

  return {
    name: chain.name,
    source: chain.source,
    layers,
    input: { batch, timesteps, features, tokenIds },
    outputs: outputsOf(layers[layers.length - 1], shape),
    kerasVersion,
    ignoredLayers,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigError(`parseConfig: the config text is not valid JSON (${(error as Error).message})`, { field: 'config' });
  }
}

function checkOptions(options: ParseOptions): void {
  if (options.kerasVersion !== undefined && options.kerasVersion !== 2 && options.kerasVersion !== 3) {
    throw new ConfigError(`parseConfig: option kerasVersion must be 2 or 3, got ${show(options.kerasVersion)}`, {
      field: 'kerasVersion',
      expected: '2 or 3',
      actual: options.kerasVersion,
    });
  }
  const f = options.inputFeatures;
  if (f !== undefined && (!Number.isInteger(f) || f < 1)) {
    throw new ConfigError(`parseConfig: option inputFeatures must be a positive integer, got ${show(f)}`, {
      field: 'inputFeatures',
      expected: 'a positive integer',
      actual: f,
    });
  }
}

/** `to_json()` output carries `keras_version` ("2.10.0", "3.15.1"). */
function versionOf(document: unknown): 2 | 3 | undefined {
  if (!isObject(document) || typeof document.keras_version !== 'string') return undefined;
  const major = document.keras_version.split('.')[0];
  return major === '2' ? 2 : major === '3' ? 3 : undefined;
}

/** Keys only Keras 2 / tf.keras wrote; Keras 3 `get_config()` never does. */
const KERAS2_ONLY_KEYS = ['batch_input_shape', 'time_major', 'implementation'];

/** Whether the config carries Keras 2 spellings, so a missing GRU `reset_after` means false. */
function looksLikeKeras2(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(looksLikeKeras2);
  if (!isObject(value)) return false;
  if (value.class_name === 'Model') return true;
  if (isObject(value.config) && KERAS2_ONLY_KEYS.some((k) => k in (value.config as object))) return true;
  // Keras 2 inbound nodes are nested lists: [[["input_1", 0, 0, {}]]].
  if (Array.isArray(value.inbound_nodes) && value.inbound_nodes.some((n) => Array.isArray(n))) return true;
  return Object.values(value).some(looksLikeKeras2);
}

function isStatefulConfig(raw: RawLayer): boolean {
  if (raw.config.stateful === true) return true;
  const inner = raw.config.layer;
  return raw.className === 'Bidirectional' && isObject(inner) && isObject(inner.config) && inner.config.stateful === true;
}

/** The layer wrapped by a Bidirectional (it may carry the input shape Keras 2 recorded). */
function nestedLayer(raw: RawLayer): RawLayer | undefined {
  return raw.className === 'Bidirectional' || raw.className === 'TimeDistributed' ? rawLayer(raw.config.layer) : undefined;
}

function declaredOf(raw: RawLayer): DeclaredShape | undefined {
  return readDeclaredShape(new ConfigReader(raw.className, layerName(raw), raw.config));
}

function firstLayerDeclared(first: RawLayer): DeclaredShape | undefined {
  const inner = nestedLayer(first);
  return declaredOf(first) ?? (inner ? declaredOf(inner) : undefined);
}

function buildShapeOf(first: RawLayer): readonly (number | null)[] | undefined {
  return first.buildShape ?? nestedLayer(first)?.buildShape;
}

function inputFeatures(first: RawLayer, declared: DeclaredShape | undefined, given: number | undefined): number | null {
  const name = layerName(first);
  const candidates: [string, readonly (number | null)[] | undefined][] = [
    ['the declared input shape', declared],
    ['build_config.input_shape', buildShapeOf(first)],
  ];
  let found: { from: string; value: number } | undefined;
  for (const [from, shape] of candidates) {
    const last = shape && shape.length > 0 ? shape[shape.length - 1] : null;
    if (typeof last !== 'number') continue;
    if (found && found.value !== last) {
      throw new ConfigError(
        `${first.className} layer "${name}": ${from} gives ${last} input features but ${found.from} gives ${found.value}`,
        { layer: name, field: 'input_shape', expected: found.value, actual: last },
      );
    }
    found ??= { from, value: last };
  }
  if (given !== undefined && found && found.value !== given) {
    throw new ConfigError(
      `${first.className} layer "${name}": inputFeatures is ${given} but ${found.from} gives ${found.value}`,
      { layer: name, field: 'input_shape', expected: found.value, actual: given },
    );
  }
  return found?.value ?? given ?? null;
}

function parseLayer(raw: RawLayer, input: readonly (number | null)[], isFirst: boolean, ctx: ParseContext, index: number): LayerSpec {
  const name = layerName(raw);
  const features = input[input.length - 1] ?? 0;
  const needsSequence = (what: string): void => {
    if (input.length !== 3) {
      throw new ConfigError(
        `${raw.className} layer "${name}": ${what} needs a (batch, timesteps, features) input, but the layer before it ` +
          `outputs ${formatShape(input)}`,
        { layer: name, field: 'input_shape', expected: '(batch, timesteps, features)', actual: input },
      );
    }
  };
  if (RECURRENT_CLASSES.includes(raw.className)) {
    needsSequence('a recurrent layer');
    return parseRecurrent(raw, features, ctx);
  }
  switch (raw.className) {
    case 'Bidirectional':
      needsSequence('a recurrent layer');
      return parseBidirectional(raw, features, ctx);
    case 'Dense':
      return parseDense(raw, features, ctx);
    case 'TimeDistributed':
      needsSequence('TimeDistributed');
      return parseTimeDistributed(raw, features, ctx);
    case 'Masking':
      needsSequence('Masking');
      return parseMasking(raw);
    case 'Embedding':
      if (!isFirst) {
        throw new ConfigError(`Embedding layer "${name}" must be the first layer (it reads token ids)`, {
          layer: name,
          field: 'class_name',
          expected: 'Embedding first',
          actual: index,
        });
      }
      return parseEmbedding(raw);
    case 'Activation':
      return parseActivationLayer(raw, ctx);
    case 'LeakyReLU':
    case 'ELU':
    case 'ReLU':
    case 'Softmax':
      return parseParametricActivationLayer(raw);
    case 'RepeatVector':
      if (input.length !== 2) {
        throw new ConfigError(
          `RepeatVector layer "${name}" needs a (batch, features) input, but the layer before it outputs ${formatShape(input)}`,
          { layer: name, field: 'input_shape', expected: '(batch, features)', actual: input },
        );
      }
      return parseRepeatVector(raw);
    case 'Flatten':
      if (input.slice(1).some((d) => d === null)) {
        throw new ConfigError(
          `Flatten layer "${name}" needs every input dimension but the batch known, got ${formatShape(input)} ` +
            '(give the model a fixed number of timesteps)',
          { layer: name, field: 'input_shape', expected: 'known timesteps', actual: input },
        );
      }
      return parseFlatten(raw);
    case 'Reshape':
      return parseReshape(raw, input);
    case 'BatchNormalization':
      return parseBatchNormalization(raw, features, input.length);
    case 'LayerNormalization':
      return parseLayerNormalization(raw, features, input.length);
    case 'Conv1D':
      needsSequence('Conv1D');
      return parseConv1D(raw, features, ctx);
    default:
      if (Object.hasOwn(POOLING_1D_CLASSES, raw.className)) {
        needsSequence(raw.className);
        return parsePooling1D(raw);
      }
      if (Object.hasOwn(GLOBAL_POOLING_CLASSES, raw.className)) {
        needsSequence(raw.className);
        return parseGlobalPooling(raw);
      }
      throw new ConfigError(
        `Layer "${name}" has class "${raw.className}", which is not supported; supported: ${SUPPORTED_LAYER_CLASSES.join(', ')}`,
        { layer: name, field: 'class_name', expected: SUPPORTED_LAYER_CLASSES, actual: raw.className },
      );
  }
}

function recurrentOutput(layer: RecurrentLayerSpec, input: readonly (number | null)[], features: number): (number | null)[] {
  return layer.returnSequences ? [input[0], input[1], features] : [input[0], features];
}

/** Shape of the main output a layer passes to the next one (states of `return_state` not included). */
export function layerOutputShape(layer: LayerSpec, input: readonly (number | null)[]): (number | null)[] {
  switch (layer.kind) {
    case 'rnn':
      return recurrentOutput(layer, input, layer.units);
    case 'bidirectional': {
      const units = layer.mergeMode === 'concat' ? layer.forward.units + layer.backward.units : layer.forward.units;
      return recurrentOutput(layer.forward, input, units);
    }
    case 'dense':
      return [...input.slice(0, -1), layer.units];
    case 'embedding':
      return [...input, layer.outputDim];
    case 'masking':
    case 'activation':
    case 'batch-normalization':
    case 'layer-normalization':
      return [...input];
    case 'repeat-vector':
      return [input[0], layer.times, input[1]];
    case 'flatten':
      return [input[0], input.slice(1).reduce<number>((n, d) => n * (d ?? 0), 1)];
    case 'reshape':
      return [input[0], ...layer.targetShape];
    case 'global-pooling':
      return layer.keepDims ? [input[0], 1, input[2]] : [input[0], input[2]];
    case 'conv1d':
      return [input[0], windowSteps(input[1], layer.kernelSize, layer.strides, layer.dilation, layer.padding), layer.filters];
    case 'pooling1d':
      return [input[0], windowSteps(input[1], layer.poolSize, layer.strides, 1, layer.padding), input[2]];
  }
}

function windowSteps(steps: number | null, size: number, strides: number, dilation: number, padding: WindowPadding): number | null {
  return steps === null ? null : convolutionWindow(steps, size, strides, dilation, padding).outSteps;
}

/** Layers whose extra outputs (states, a second direction) would be dropped must come last. */
function checkChainPosition(layer: LayerSpec, isLast: boolean): void {
  if (isLast) return;
  const problem =
    layer.kind === 'rnn' && layer.returnState
      ? 'has return_state true'
      : layer.kind === 'bidirectional' && layer.returnState
        ? 'has return_state true'
        : layer.kind === 'bidirectional' && layer.mergeMode === null
          ? 'has merge_mode null (two outputs)'
          : undefined;
  if (problem) {
    throw new ConfigError(
      `Layer "${layer.name}" ${problem} but is not the last layer; a chain passes one tensor from layer to layer`,
      { layer: layer.name, field: layer.kind === 'bidirectional' && !layer.returnState ? 'merge_mode' : 'return_state', actual: true },
    );
  }
}

function stateOutputs(prefix: string, layer: RecurrentLayerSpec, batch: number | null): OutputSpec[] {
  const names = STATE_COUNT[layer.cell] === 2 ? ['h', 'c'] : ['h'];
  return names.map((n) => ({ name: `${prefix}${n}`, shape: [batch, layer.units] }));
}

/** Outputs in the order Keras returns them (see the goldens README). */
function outputsOf(last: LayerSpec, shape: readonly (number | null)[]): OutputSpec[] {
  const batch = shape[0];
  if (last.kind === 'rnn') {
    return [{ name: 'output', shape: [...shape] }, ...(last.returnState ? stateOutputs('', last, batch) : [])];
  }
  if (last.kind === 'bidirectional') {
    const outputs: OutputSpec[] =
      last.mergeMode === null
        ? [
            { name: 'forward_output', shape: [...shape.slice(0, -1), last.forward.units] },
            { name: 'backward_output', shape: [...shape.slice(0, -1), last.backward.units] },
          ]
        : [{ name: 'output', shape: [...shape] }];
    if (last.returnState) outputs.push(...stateOutputs('forward_', last.forward, batch), ...stateOutputs('backward_', last.backward, batch));
    return outputs;
  }
  return [{ name: 'output', shape: [...shape] }];
}
