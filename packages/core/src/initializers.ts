import type { InitializerSpec, LayerSpec, ModelSpec, ModelWeights, RecurrentLayerSpec } from './spec.js';
import { GATE_COUNT } from './spec.js';
import type { Tensor } from './tensor.js';
import { sizeOf } from './tensor.js';
import { ConfigError, formatShape } from './errors.js';
import { kerasToCudnn } from './cudnn.js';
import { SeededRandom } from './random.js';
import { normalizationRoles, structureWeights } from './weights.js';

/**
 * Fresh weights for every layer from its initializers, deterministic for a given seed (a random
 * seed when none is given, like an unseeded Keras initializer).
 *
 * The distributions follow Keras 3: `glorot_uniform` is U(±sqrt(6/(fan_in+fan_out))),
 * `orthogonal` the Q of a Gaussian matrix's QR with Keras's sign correction times `gain`, the
 * truncated normals redraw beyond two standard deviations, the variance-scaling family divides the
 * truncated-normal stddev by .87962566103423978, and LSTM `unit_forget_bias` puts ones in the
 * forget quarter of the bias. Keras's own random streams (per backend, per seed) cannot be
 * reproduced, so the values differ from Keras's while the distributions match. An initializer
 * config with an integer `seed` always draws the same values, as in Keras; the others draw from
 * `seed` and the weight's position.
 */
export function initializeWeights(spec: ModelSpec, seed?: number): ModelWeights {
  if (seed !== undefined && !Number.isFinite(seed)) {
    throw new ConfigError(`initializeWeights: seed must be a finite number, got ${seed}`, { field: 'seed', actual: seed });
  }
  const baseSeed = seed ?? Math.floor(Math.random() * 2 ** 32);
  let slot = 0;
  const streamFor = (init: InitializerSpec): SeededRandom => {
    const index = slot++;
    const own = init.config.seed;
    return typeof own === 'number' && Number.isInteger(own) ? new SeededRandom(own) : new SeededRandom(baseSeed, index);
  };
  const flat = spec.layers.flatMap((layer) => layerTensors(layer, streamFor));
  return structureWeights(spec, flat);
}

type StreamFor = (init: InitializerSpec) => SeededRandom;

function layerTensors(layer: LayerSpec, streamFor: StreamFor): Tensor[] {
  switch (layer.kind) {
    case 'rnn':
      return recurrentTensors(layer, layer.name, streamFor);
    case 'bidirectional':
      return [...recurrentTensors(layer.forward, layer.name, streamFor), ...recurrentTensors(layer.backward, layer.name, streamFor)];
    case 'dense': {
      const kernel = draw(layer.initializers.kernel, [layer.inputDim, layer.units], streamFor, layer.name, 'kernel_initializer');
      if (!layer.useBias) return [kernel];
      return [kernel, draw(layer.initializers.bias, [layer.units], streamFor, layer.name, 'bias_initializer')];
    }
    case 'embedding':
      return [draw(layer.initializers.embeddings, [layer.vocabulary, layer.outputDim], streamFor, layer.name, 'embeddings_initializer')];
    case 'batch-normalization':
    case 'layer-normalization':
      return normalizationRoles(layer).map(([role, name]) => draw(layer.initializers[role], [layer.features], streamFor, layer.name, `${name}_initializer`));
    case 'conv1d': {
      const kernel = draw(layer.initializers.kernel, [layer.kernelSize, layer.inputDim, layer.filters], streamFor, layer.name, 'kernel_initializer');
      if (!layer.useBias) return [kernel];
      return [kernel, draw(layer.initializers.bias, [layer.filters], streamFor, layer.name, 'bias_initializer')];
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

function recurrentTensors(layer: RecurrentLayerSpec, owner: string, streamFor: StreamFor): Tensor[] {
  const width = GATE_COUNT[layer.cell] * layer.units;
  const where = owner === layer.name ? owner : `${owner}/${layer.name}`;
  const tensors = [
    draw(layer.initializers.kernel, [layer.inputDim, width], streamFor, where, 'kernel_initializer'),
    draw(layer.initializers.recurrent, [layer.units, width], streamFor, where, 'recurrent_initializer'),
  ];
  if (!layer.useBias) return tensors;
  const bias = layer.initializers.bias;
  if (layer.cell === 'LSTM' && layer.unitForgetBias) {
    // Keras: concat(bias_init((u,)), ones((u,)), bias_init((2u,))) — gates i, f, c, o.
    const u = layer.units;
    const input = draw(bias, [u], streamFor, where, 'bias_initializer');
    const rest = draw(bias, [2 * u], streamFor, where, 'bias_initializer');
    const data = new Float32Array(4 * u);
    data.set(input.data, 0);
    data.fill(1, u, 2 * u);
    data.set(rest.data, 2 * u);
    tensors.push({ shape: [4 * u], data });
  } else {
    const shape = layer.cell === 'GRU' && layer.resetAfter ? [2, width] : [width];
    tensors.push(draw(bias, shape, streamFor, where, 'bias_initializer'));
  }
  if (layer.weightLayout === 'keras') return tensors;
  // Drawn in the Keras layout; `structureWeights` takes a CuDNNLSTM/CuDNNGRU's in the layout its file stores.
  const [kernel, recurrentKernel, drawnBias] = tensors;
  const stored = kerasToCudnn(layer, { kernel, recurrentKernel, bias: drawnBias });
  return [stored.kernel, stored.recurrentKernel, stored.bias!];
}

/** Reads an initializer's config with errors naming the layer and field. */
class InitializerConfig {
  private readonly seen = new Set<string>(['seed', 'dtype']);

  constructor(
    private readonly init: InitializerSpec,
    private readonly layer: string,
    private readonly field: string,
  ) {}

  error(detail: string, actual: unknown): ConfigError {
    return new ConfigError(`Layer "${this.layer}": ${this.field} "${this.init.name}" ${detail}`, {
      layer: this.layer,
      field: this.field,
      actual,
    });
  }

  number(key: string, fallback: number): number {
    this.seen.add(key);
    const value = this.init.config[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw this.error(`needs a finite number for ${key}, got ${JSON.stringify(value)}`, value);
    return value;
  }

  string(key: string, fallback: string): string {
    this.seen.add(key);
    const value = this.init.config[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string') throw this.error(`needs a string for ${key}, got ${JSON.stringify(value)}`, value);
    return value;
  }

  /** Keras 3.13+ fan axes: only the default (null) is supported. */
  defaultAxes(): void {
    for (const key of ['input_axes', 'output_axes']) {
      this.seen.add(key);
      const value = this.init.config[key];
      if (value !== undefined && value !== null) throw this.error(`with ${key} ${JSON.stringify(value)} is not supported (only null)`, value);
    }
  }

  done(): void {
    for (const key of Object.keys(this.init.config)) {
      if (!this.seen.has(key)) throw this.error(`has an unknown option "${key}"`, this.init.config[key]);
    }
  }
}

interface VarianceScaling {
  readonly scale: number;
  readonly mode: 'fan_in' | 'fan_out' | 'fan_avg';
  readonly distribution: 'uniform' | 'truncated_normal' | 'untruncated_normal';
}

/** Keras's named members of the variance-scaling family. */
const VARIANCE_SCALING_PRESETS: Readonly<Record<string, VarianceScaling>> = {
  glorot_uniform: { scale: 1, mode: 'fan_avg', distribution: 'uniform' },
  glorot_normal: { scale: 1, mode: 'fan_avg', distribution: 'truncated_normal' },
  he_uniform: { scale: 2, mode: 'fan_in', distribution: 'uniform' },
  he_normal: { scale: 2, mode: 'fan_in', distribution: 'truncated_normal' },
  lecun_uniform: { scale: 1, mode: 'fan_in', distribution: 'uniform' },
  lecun_normal: { scale: 1, mode: 'fan_in', distribution: 'truncated_normal' },
};

/** The initializer names `initializeWeights` can draw from. */
export const SUPPORTED_INITIALIZERS: readonly string[] = [
  'zeros',
  'ones',
  'constant',
  'random_normal',
  'random_uniform',
  'truncated_normal',
  'variance_scaling',
  ...Object.keys(VARIANCE_SCALING_PRESETS),
  'orthogonal',
  'identity',
];

/** Stddev of a unit normal truncated to ±2, which Keras divides out so the truncated values keep the wanted variance. */
const TRUNCATED_NORMAL_STDDEV = 0.87962566103423978;

/** Keras `compute_fans`. */
export function computeFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  const receptive = sizeOf(shape.slice(0, -2));
  return { fanIn: shape[shape.length - 2] * receptive, fanOut: shape[shape.length - 1] * receptive };
}

function draw(init: InitializerSpec, shape: readonly number[], streamFor: StreamFor, layer: string, field: string): Tensor {
  const config = new InitializerConfig(init, layer, field);
  const n = sizeOf(shape);
  const data = new Float32Array(n);
  const preset = Object.hasOwn(VARIANCE_SCALING_PRESETS, init.name) ? VARIANCE_SCALING_PRESETS[init.name] : undefined;
  switch (init.name) {
    case 'zeros':
      break;
    case 'ones':
      data.fill(1);
      break;
    case 'constant': {
      const value = init.config.value;
      if (Array.isArray(value)) throw config.error('with a list value is not supported (only a number)', value);
      data.fill(config.number('value', 0));
      break;
    }
    case 'random_normal': {
      const mean = config.number('mean', 0);
      const stddev = config.number('stddev', 0.05);
      const rng = streamFor(init);
      for (let i = 0; i < n; i++) data[i] = mean + stddev * rng.normal();
      break;
    }
    case 'random_uniform': {
      const min = config.number('minval', -0.05);
      const max = config.number('maxval', 0.05);
      const rng = streamFor(init);
      for (let i = 0; i < n; i++) data[i] = min + (max - min) * rng.uniform();
      break;
    }
    case 'truncated_normal': {
      const mean = config.number('mean', 0);
      const stddev = config.number('stddev', 0.05);
      fillTruncatedNormal(data, mean, stddev, streamFor(init));
      break;
    }
    case 'orthogonal':
      fillOrthogonal(data, shape, config.number('gain', 1), streamFor(init), config);
      break;
    case 'identity': {
      const gain = config.number('gain', 1);
      if (shape.length !== 2) throw config.error(`needs a 2D weight, got shape ${formatShape(shape)}`, shape);
      for (let i = 0; i < Math.min(shape[0], shape[1]); i++) data[i * shape[1] + i] = gain;
      break;
    }
    default: {
      let vs: VarianceScaling | undefined = preset;
      if (init.name === 'variance_scaling') vs = readVarianceScaling(config);
      if (!vs) {
        throw new ConfigError(
          `Layer "${layer}": ${field} "${init.name}" is not an initializer this library can draw from; ` +
            `supported: ${SUPPORTED_INITIALIZERS.join(', ')} (pass weights to use a model with other initializers)`,
          { layer, field, expected: SUPPORTED_INITIALIZERS, actual: init.name },
        );
      }
      config.defaultAxes();
      fillVarianceScaling(data, shape, vs, streamFor(init));
    }
  }
  config.done();
  return { shape: [...shape], data };
}

function readVarianceScaling(config: InitializerConfig): VarianceScaling {
  const scale = config.number('scale', 1);
  if (scale <= 0) throw config.error(`needs a positive scale, got ${scale}`, scale);
  const mode = config.string('mode', 'fan_in');
  if (mode !== 'fan_in' && mode !== 'fan_out' && mode !== 'fan_avg') throw config.error(`has an unknown mode "${mode}"`, mode);
  let distribution = config.string('distribution', 'truncated_normal').toLowerCase();
  // Keras maps the old "normal" to the truncated normal.
  if (distribution === 'normal') distribution = 'truncated_normal';
  if (distribution !== 'uniform' && distribution !== 'truncated_normal' && distribution !== 'untruncated_normal') {
    throw config.error(`has an unknown distribution "${distribution}"`, distribution);
  }
  return { scale, mode, distribution };
}

function fillVarianceScaling(data: Float32Array, shape: readonly number[], vs: VarianceScaling, rng: SeededRandom): void {
  const { fanIn, fanOut } = computeFans(shape);
  const denominator = vs.mode === 'fan_in' ? fanIn : vs.mode === 'fan_out' ? fanOut : (fanIn + fanOut) / 2;
  const scale = vs.scale / Math.max(1, denominator);
  if (vs.distribution === 'uniform') {
    const limit = Math.sqrt(3 * scale);
    for (let i = 0; i < data.length; i++) data[i] = limit * (2 * rng.uniform() - 1);
  } else if (vs.distribution === 'truncated_normal') {
    fillTruncatedNormal(data, 0, Math.sqrt(scale) / TRUNCATED_NORMAL_STDDEV, rng);
  } else {
    const stddev = Math.sqrt(scale);
    for (let i = 0; i < data.length; i++) data[i] = stddev * rng.normal();
  }
}

/** Normal values more than two standard deviations from the mean are redrawn, as in Keras. */
function fillTruncatedNormal(data: Float32Array, mean: number, stddev: number, rng: SeededRandom): void {
  for (let i = 0; i < data.length; i++) {
    let z = rng.normal();
    while (Math.abs(z) > 2) z = rng.normal();
    data[i] = mean + stddev * z;
  }
}

/**
 * Keras `Orthogonal`: QR of a (max, min) Gaussian matrix, Q's columns scaled by sign(diag(R)),
 * transposed when the weight has fewer rows than columns. Gram–Schmidt yields R with a positive
 * diagonal, which is exactly that sign-corrected Q.
 */
function fillOrthogonal(data: Float32Array, shape: readonly number[], gain: number, rng: SeededRandom, config: InitializerConfig): void {
  if (shape.length < 2) throw config.error(`needs a weight of rank 2 or more, got shape ${formatShape(shape)}`, shape);
  const rows = sizeOf(shape.slice(0, -1));
  const cols = shape[shape.length - 1];
  const tall = Math.max(rows, cols);
  const narrow = Math.min(rows, cols);
  // q[j] is column j of the tall × narrow matrix, in float64.
  const q: Float64Array[] = Array.from({ length: narrow }, () => {
    const column = new Float64Array(tall);
    for (let i = 0; i < tall; i++) column[i] = rng.normal();
    return column;
  });
  for (let j = 0; j < narrow; j++) {
    const v = q[j];
    // Two passes of modified Gram–Schmidt keep the columns orthogonal to float64 precision.
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        const dot = dotProduct(q[k], v);
        for (let i = 0; i < tall; i++) v[i] -= dot * q[k][i];
      }
    }
    const norm = Math.sqrt(dotProduct(v, v));
    for (let i = 0; i < tall; i++) v[i] /= norm;
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      // rows >= cols: element (r, c) is q[c][r]; otherwise the transpose, q[r][c].
      data[r * cols + c] = gain * (rows >= cols ? q[c][r] : q[r][c]);
    }
  }
}

function dotProduct(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}
