import {
  ACTIVATION_ALIASES,
  isElementwiseActivation,
  type Activation,
  type ElementwiseActivation,
} from '../activations.js';
import { isObject, type ConfigReader } from './reader.js';

/** Module paths Keras writes in front of a built-in activation's name. */
const KERAS_ACTIVATION_MODULES = [
  'keras.activations',
  'keras.src.activations',
  'keras.src.activations.activations',
  'tf.keras.activations',
  'tensorflow.keras.activations',
  'activations',
];

const AXIS_ACTIVATIONS: readonly string[] = ['softmax', 'log_softmax'];

interface ActivationOptions {
  readonly kerasVersion: 2 | 3;
  /** Recurrent cells apply their activations element-wise: softmax is refused there. */
  readonly elementwiseOnly: boolean;
}

/**
 * A Keras activation as serialized: a name (`"tanh"`, `"keras.activations.tanh"`, `null` for
 * linear), Keras 3's function dict `{class_name: "function", config: "tanh"}`, or a dict naming
 * the activation with its arguments (`{class_name: "gelu", config: {approximate: true}}`).
 */
export function readActivation(
  reader: ConfigReader,
  key: string,
  fallback: ElementwiseActivation,
  options: ActivationOptions & { elementwiseOnly: true },
): ElementwiseActivation;
export function readActivation(
  reader: ConfigReader,
  key: string,
  fallback: Activation,
  options: ActivationOptions,
): Activation;
export function readActivation(
  reader: ConfigReader,
  key: string,
  fallback: Activation,
  options: ActivationOptions,
): Activation {
  const value = reader.raw(key);
  if (value === undefined) return fallback;
  const expected = options.elementwiseOnly
    ? 'an element-wise Keras activation (tanh, sigmoid, relu, ...)'
    : 'a Keras activation (tanh, sigmoid, relu, softmax, ...)';

  let name: string;
  let args: Readonly<Record<string, unknown>> = {};
  if (value === null) {
    name = 'linear';
  } else if (typeof value === 'string') {
    name = value;
  } else if (isObject(value) && value.class_name === 'function' && typeof value.config === 'string') {
    name = value.config;
  } else if (isObject(value) && typeof value.class_name === 'string' && (value.config === undefined || isObject(value.config))) {
    name = value.class_name;
    args = (value.config as Readonly<Record<string, unknown>> | undefined) ?? {};
  } else {
    throw reader.error(key, expected, value);
  }

  let resolved = resolveName(name);
  if (resolved === 'gelu' && args.approximate === true) resolved = 'gelu_approximate';
  const unknownArgs = Object.keys(args).filter((k) => !(resolved?.startsWith('gelu') && k === 'approximate'));
  if (resolved === undefined || unknownArgs.length > 0) {
    const why = unknownArgs.length > 0 ? ` (arguments ${unknownArgs.join(', ')} are not supported)` : '';
    throw reader.error(key, expected, value, why);
  }
  if (resolved === 'hard_sigmoid' && options.kerasVersion === 2) return 'hard_sigmoid_keras2';
  if (options.elementwiseOnly && !isElementwiseActivation(resolved)) {
    throw reader.error(key, expected, value, ' (softmax runs over the feature axis; a recurrent cell cannot use it)');
  }
  return resolved;
}

function resolveName(raw: string): Activation | undefined {
  let name = raw;
  const dot = name.lastIndexOf('.');
  if (dot >= 0) {
    if (!KERAS_ACTIVATION_MODULES.includes(name.slice(0, dot))) return undefined;
    name = name.slice(dot + 1);
  }
  // Keras 2 wrote `softmax_v2` for tf.nn.softmax; it is the same function.
  if (name === 'softmax_v2') name = 'softmax';
  if (Object.hasOwn(ACTIVATION_ALIASES, name)) return ACTIVATION_ALIASES[name];
  // `hard_sigmoid_keras2` is our internal name, never a Keras one.
  if (name === 'hard_sigmoid_keras2') return undefined;
  if (isElementwiseActivation(name)) return name;
  if (AXIS_ACTIVATIONS.includes(name)) return name as Activation;
  return undefined;
}
