import type { CompileOptions, CompiledModel, RunRequest, RunResult } from './backend.js';
import type { KerasConfig, ParseOptions } from './config.js';
import { INPUT_FEATURES_UNKNOWN, parseConfig } from './config.js';
import { ConfigError, DisposedError, InputError, RnnError, UnsupportedError, formatShape } from './errors.js';
import { initializeWeights } from './initializers.js';
import { resolveBackend } from './registry.js';
import type { LayerSpec, ModelSpec, ModelWeights, StatefulLayerSpec } from './spec.js';
import { isStatefulLayer, stateShapes } from './spec.js';
import type { NamedTensor, Tensor, TensorLike } from './tensor.js';
import { sameShape, toTensor } from './tensor.js';
import { flattenWeights, structureWeights } from './weights.js';
import { checkWindowSteps } from './window.js';

export interface CreateModelOptions {
  /** `cpu`, `tfjs:wasm`, `onnx:cpu`, a family (`onnx`), or `auto` (default: the global `setBackend`, else auto). */
  readonly backend?: string;
  /** Weights in Keras `get_weights()` order. Without them, weights are drawn from the config's initializers. */
  readonly weights?: readonly TensorLike[];
  /** Seed for initializers when no weights are given (default 0: deterministic). */
  readonly seed?: number;
  /** Keras major version that wrote the config (2 = Keras 2 / tf.keras semantics). Default 3. */
  readonly kerasVersion?: 2 | 3;
  /** Passed through to the backend's `compile`. */
  readonly compileOptions?: CompileOptions;
}

export interface RunOptions {
  /**
   * Initial states in Keras order (`[h]`, `[h, c]`, Bidirectional `[fh, (fc), bh, (bc)]`), each `(batch, units)`.
   * For a model with several recurrent layers, an object keyed by layer name.
   */
  readonly initialState?: readonly TensorLike[] | Readonly<Record<string, readonly TensorLike[]>>;
  /** `(batch, timesteps)`, 1 = real step, 0 = masked step. */
  readonly mask?: TensorLike;
}

type LayerStates = (readonly Tensor[] | null)[];

const NO_RUN_OPTIONS: RunOptions = Object.freeze({});

/**
 * Creates a model (or single layer) from a Keras config (`layer.get_config()` / `model.get_config()` as
 * `{class_name, config}`, or the builders in layers.ts) and compiles it on a backend.
 */
export async function createModel(config: KerasConfig, options: CreateModelOptions = {}): Promise<Model> {
  const parseOptions: ParseOptions = { kerasVersion: options.kerasVersion };
  // The weights tell the input features only when the config does not: their first kernel may sit
  // after a layer that changes the features (a Flatten), where its rows are not the input's.
  const features = featuresFromWeights(options.weights);
  const spec = tryParse(config, parseOptions) ?? (features === undefined ? null : tryParse(config, { ...parseOptions, inputFeatures: features }));
  const model = new Model(config, parseOptions, options);
  if (spec) await model.build(spec);
  return model;
}

/**
 * A compiled layer or Sequential model on one backend. Calls are serialised, so stateful layers and
 * streams never see interleaved updates.
 */
export class Model {
  private builtSpec: ModelSpec | null = null;
  private builtWeights: ModelWeights | null = null;
  private compiled: CompiledModel | null = null;
  private building: Promise<void> | null = null;
  /** States carried by `stateful` layers between `run` calls; `null` = zeros. */
  private carried: LayerStates = [];
  /** Batch size fixed by the first call of a stateful model. */
  private statefulBatch: number | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** Calls started and not yet settled; an idle model starts the next call at once. */
  private pending = 0;
  private readonly settle = (): void => {
    this.pending--;
  };
  /** Ends a `run` call that failed (see `startRun`). */
  private readonly runFailed = (error: unknown): never => {
    this.pending--;
    throw error;
  };
  /** Ends a `run` call: carries the states of `stateful` layers and names the outputs. */
  private readonly runFinished = (result: RunResult): NamedTensor[] => {
    this.pending--;
    const spec = this.builtSpec!;
    if (this.hasStatefulLayers) {
      this.carried = spec.layers.map((layer, i) => (isStatefulLayer(layer) && layer.stateful ? result.finalStates[i] : null));
    }
    return nameOutputs(spec, result.outputs);
  };
  /** Whether any layer is `stateful` (fixed at build). */
  private hasStatefulLayers = false;
  /** Initial states of a call that starts every layer from zeros. */
  private zeroStates: readonly null[] = [];
  private disposed = false;
  private readonly streams = new Set<Stream>();

  /** @internal use createModel */
  constructor(
    private readonly config: KerasConfig,
    private readonly parseOptions: ParseOptions,
    private readonly options: CreateModelOptions,
  ) {}

  /** The parsed spec; `null` until built (a config without input shape builds on its first call). */
  get spec(): ModelSpec | null {
    return this.builtSpec;
  }

  /** Per-layer weights, as compiled; `null` until built. */
  get weights(): ModelWeights | null {
    return this.builtWeights;
  }

  /** The backend (and provider) that runs this model, e.g. `onnx:cpu`; `null` until built. */
  get backend(): string | null {
    return this.compiled?.backend ?? null;
  }

  get outputNames(): string[] {
    return this.requireSpec('outputNames').outputs.map((o) => o.name);
  }

  /** Weights in Keras `get_weights()` order. */
  getWeights(): Tensor[] {
    const spec = this.requireSpec('getWeights');
    return flattenWeights(spec, this.builtWeights!);
  }

  /** @internal Parses weights, picks the backend and compiles; runs once. */
  async build(spec: ModelSpec): Promise<void> {
    const weights = this.options.weights
      ? structureWeights(spec, this.options.weights)
      : initializeWeights(spec, this.options.seed ?? 0);
    const backend = await resolveBackend(this.options.backend);
    const support = backend.supports?.(spec) ?? { ok: true as const };
    if (!support.ok) {
      throw new UnsupportedError(`backend "${backend.name}" cannot run model "${spec.name}": ${support.reason}`, {
        field: 'backend',
        actual: backend.name,
      });
    }
    this.compiled = await backend.compile(spec, weights, this.options.compileOptions);
    this.builtSpec = spec;
    this.builtWeights = weights;
    this.carried = spec.layers.map(() => null);
    this.hasStatefulLayers = spec.layers.some((l) => isStatefulLayer(l) && l.stateful);
    this.zeroStates = Object.freeze(spec.layers.map(() => null));
    this.statefulBatch = spec.input.batch !== null && spec.layers.some(isStatefulLayer) ? spec.input.batch : null;
  }

  /** Runs one call; outputs in Keras order with their names (`output`, `h`, `c`, ...). */
  run(x: TensorLike, options: RunOptions = NO_RUN_OPTIONS): Promise<NamedTensor[]> {
    this.assertLive();
    // An idle model starts the call now rather than a microtask later behind a settled queue. Promise
    // chains rather than async functions, and the call's end counted in the chain it already has: each
    // extra await or promise costs a short call on a fast backend a measurable part of its time.
    const call = this.pending === 0 ? this.startRun(x, options) : this.startAfterQueue(x, options);
    this.pending++;
    this.queue = call;
    return call;
  }

  /** Starts a call once the calls before it have ended, however they ended (its own method: `run` then allocates no closure). */
  private startAfterQueue(x: TensorLike, options: RunOptions): Promise<NamedTensor[]> {
    const start = (): Promise<NamedTensor[]> => this.startRun(x, options);
    return this.queue.then(start, start);
  }

  /** Starts one `run` call; however it ends, its end is counted (`runFinished` or `runFailed`). */
  private startRun(x: TensorLike, options: RunOptions): Promise<NamedTensor[]> {
    try {
      const input = toTensor(x, 'input');
      return this.builtSpec ? this.runBuilt(input, options) : this.buildThenRun(input, options);
    } catch (error) {
      this.pending--;
      return Promise.reject(error);
    }
  }

  /** A call before the model is built (a config without input shape builds from the first call's input). */
  private buildThenRun(input: Tensor, options: RunOptions): Promise<NamedTensor[]> {
    return this.ensureBuilt(input).then(() => this.startRun(input, options), this.runFailed);
  }

  /** Checks the call against the built spec and hands it to the backend; may throw before it starts. */
  private runBuilt(input: Tensor, options: RunOptions): Promise<NamedTensor[]> {
    const spec = this.builtSpec!;
    const batch = checkInput(spec, input);
    const mask = options.mask === undefined ? null : checkMask(spec, options.mask, input);
    const explicit = options.initialState === undefined ? null : checkInitialState(spec, options.initialState, batch);
    const stateful = this.hasStatefulLayers;
    if (stateful) this.checkStatefulBatch(spec, batch);
    const initialStates =
      explicit === null && !stateful
        ? this.zeroStates
        : spec.layers.map((layer, i) => explicit?.[i] ?? (isStatefulLayer(layer) && layer.stateful ? this.carried[i] : null));
    return this.compiled!.run({ input, mask, initialStates, returnStates: stateful }).then(this.runFinished, this.runFailed);
  }

  /** Zeroes the states of `stateful` layers (Keras `reset_states()`); the next call may use a new batch size. */
  resetStates(): void {
    this.assertLive();
    this.carried = this.carried.map(() => null);
    if (this.builtSpec && this.builtSpec.input.batch === null) this.statefulBatch = null;
  }

  /**
   * A streaming session: each `step(x)` is a call on a chunk of steps (usually one) whose recurrent
   * states carry into the next step, so the concatenated outputs equal one full-sequence run. Streams are
   * independent of each other and of the model's own `stateful` states.
   */
  createStream(): Stream {
    this.assertLive();
    const stream = new Stream(this, (s) => this.streams.delete(s));
    this.streams.add(stream);
    return stream;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const stream of this.streams) stream.detach();
    this.streams.clear();
    await this.queue.catch(() => undefined);
    await this.compiled?.dispose();
    this.compiled = null;
  }

  /** @internal Runs a chunk with explicit per-layer states; used by streams. */
  runWithStates(input: Tensor, mask: TensorLike | undefined, states: LayerStates): Promise<{ outputs: NamedTensor[]; states: LayerStates }> {
    return this.serial(async () => {
      await this.ensureBuilt(input);
      const spec = this.builtSpec!;
      checkStreamable(spec);
      checkInput(spec, input);
      const checkedMask = mask === undefined ? null : checkMask(spec, mask, input);
      const request: RunRequest = { input, mask: checkedMask, initialStates: states.length ? states : spec.layers.map(() => null) };
      const result = await this.compiled!.run(request);
      return { outputs: nameOutputs(spec, result.outputs), states: [...result.finalStates] };
    });
  }

  private async ensureBuilt(input: Tensor): Promise<void> {
    if (this.builtSpec) return;
    if (!this.building) {
      const features = input.shape.length === 3 ? input.shape[2] : undefined;
      const spec = parseConfig(this.config, { ...this.parseOptions, inputFeatures: features });
      this.building = this.build(spec);
    }
    await this.building;
  }

  private checkStatefulBatch(spec: ModelSpec, batch: number): void {
    if (this.statefulBatch === null) {
      this.statefulBatch = batch;
      return;
    }
    if (batch !== this.statefulBatch) {
      const layer = spec.layers.find((l) => isStatefulLayer(l) && l.stateful)!;
      throw new InputError(
        `${layer.name}: a stateful layer keeps batch size ${this.statefulBatch} until resetStates(); got batch ${batch}`,
        { layer: layer.name, field: 'batch', expected: this.statefulBatch, actual: batch },
      );
    }
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    this.assertLive();
    // An idle model starts the call now rather than a microtask later behind a settled queue.
    const next = this.pending === 0 ? startNow(task) : this.queue.then(task, task);
    this.pending++;
    this.queue = next.then(this.settle, this.settle);
    return next;
  }

  private requireSpec(what: string): ModelSpec {
    this.assertLive();
    if (!this.builtSpec) {
      throw new ConfigError(`${what}: the model is not built yet (its config has no input shape; call run() once first)`);
    }
    return this.builtSpec;
  }

  private assertLive(): void {
    if (this.disposed) throw new DisposedError(`model "${this.config.config?.name ?? this.config.class_name}"`);
  }
}

export class Stream {
  private states: LayerStates = [];
  private detached = false;

  /** @internal use model.createStream() */
  constructor(
    private readonly model: Model,
    private readonly onDispose: (stream: Stream) => void,
  ) {}

  /**
   * Feeds the next chunk: `(batch, features)` for one step, or `(batch, steps, features)`
   * (`(batch)` / `(batch, steps)` token ids for an embedding model). Outputs are those of a call on
   * the chunk, in Keras order.
   */
  async step(x: TensorLike, options: { mask?: TensorLike } = {}): Promise<NamedTensor[]> {
    if (this.detached) throw new DisposedError('stream');
    const chunk = asChunk(toTensor(x, 'input'), this.model.spec);
    if (this.states.length) checkStreamBatch(this.model.spec!, this.states, chunk.shape[0]);
    const { outputs, states } = await this.model.runWithStates(chunk, options.mask, this.states);
    this.states = states;
    return outputs;
  }

  /** Current states per layer in Keras order (`null` for layers without state or before the first step). */
  get layerStates(): readonly (readonly Tensor[] | null)[] {
    return this.states;
  }

  /** Starts the stream over from zero states. */
  reset(): void {
    this.states = [];
  }

  dispose(): void {
    this.detach();
    this.onDispose(this);
  }

  /** @internal */
  detach(): void {
    this.detached = true;
    this.states = [];
  }
}

// ---------------------------------------------------------------------------------------------
// Validation: every check names the layer or argument, the expected and the actual value.

function tryParse(config: KerasConfig, options: ParseOptions): ModelSpec | null {
  try {
    return parseConfig(config, options);
  } catch (error) {
    // A config without any input shape builds on its first call, as a Keras layer does.
    if (error instanceof ConfigError && error.message.includes(INPUT_FEATURES_UNKNOWN) && options.inputFeatures === undefined) {
      return null;
    }
    throw error;
  }
}

/** Kernel rows of the first weighted layer: the input features, for configs that do not record them. */
function featuresFromWeights(weights: readonly TensorLike[] | undefined): number | undefined {
  const first = weights?.[0];
  return first && Array.isArray(first.shape) && first.shape.length === 2 ? first.shape[0] : undefined;
}

function firstLayer(spec: ModelSpec): LayerSpec {
  return spec.layers[0];
}

/** Checks rank, features, timesteps and token ids; returns the batch size. */
function checkInput(spec: ModelSpec, input: Tensor): number {
  const layer = firstLayer(spec).name;
  const tokenIds = spec.input.tokenIds;
  const rank = tokenIds ? 2 : 3;
  if (input.shape.length !== rank) {
    const expected = expectedInput(spec);
    throw new InputError(`${layer}: input must have rank ${rank} ${expected}, got shape ${formatShape(input.shape)}`, {
      layer,
      field: 'input',
      expected,
      actual: input.shape,
    });
  }
  const batch = input.shape[0];
  const steps = input.shape[1];
  if (batch < 1 || steps < 1) {
    throw new InputError(`${layer}: input needs at least one batch row and one timestep, got shape ${formatShape(input.shape)}`, {
      layer,
      field: 'input',
      actual: input.shape,
    });
  }
  if (!tokenIds && input.shape[2] !== spec.input.features) {
    const expected = expectedInput(spec);
    throw new InputError(
      `${layer}: input has ${input.shape[2]} features per step, the layer expects ${spec.input.features} (shape ${formatShape(input.shape)}, expected ${expected})`,
      { layer, field: 'input', expected: spec.input.features, actual: input.shape[2] },
    );
  }
  if (spec.source === 'sequential' && spec.input.timesteps !== null && steps !== spec.input.timesteps) {
    throw new InputError(`${layer}: the model's input has ${spec.input.timesteps} timesteps, got ${steps}`, {
      layer,
      field: 'input',
      expected: spec.input.timesteps,
      actual: steps,
    });
  }
  if (tokenIds) checkTokenIds(spec, input);
  checkWindowSteps(spec, steps);
  return batch;
}


function expectedInput(spec: ModelSpec): string {
  return spec.input.tokenIds ? '(batch, timesteps)' : `(batch, timesteps, ${spec.input.features})`;
}

function checkTokenIds(spec: ModelSpec, input: Tensor): void {
  const embedding = firstLayer(spec);
  if (embedding.kind !== 'embedding') return;
  for (let i = 0; i < input.data.length; i++) {
    const id = input.data[i];
    if (!Number.isInteger(id) || id < 0 || id >= embedding.vocabulary) {
      throw new InputError(
        `${embedding.name}: token ids must be integers in [0, ${embedding.vocabulary}), got ${id} at flat index ${i}`,
        { layer: embedding.name, field: 'input', expected: `[0, ${embedding.vocabulary})`, actual: id },
      );
    }
  }
}

function checkMask(spec: ModelSpec, value: TensorLike, input: Tensor): Tensor {
  const mask = toTensor(value, 'mask');
  const layer = firstLayer(spec).name;
  const expected = input.shape.slice(0, 2);
  if (!sameShape(mask.shape, expected)) {
    throw new InputError(`${layer}: mask must have shape ${formatShape(expected)} (batch, timesteps), got ${formatShape(mask.shape)}`, {
      layer,
      field: 'mask',
      expected,
      actual: mask.shape,
    });
  }
  const bad = mask.data.findIndex((v) => v !== 0 && v !== 1);
  if (bad >= 0) {
    throw new InputError(`${layer}: mask values must be 0 or 1, got ${mask.data[bad]} at flat index ${bad}`, {
      layer,
      field: 'mask',
      actual: mask.data[bad],
    });
  }
  return mask;
}

function checkInitialState(
  spec: ModelSpec,
  value: NonNullable<RunOptions['initialState']>,
  batch: number,
): LayerStates {
  const stateful = spec.layers.map((layer, i) => ({ layer, i })).filter(({ layer }) => isStatefulLayer(layer));
  const byLayer: LayerStates = spec.layers.map(() => null);
  const assign = (layer: StatefulLayerSpec, index: number, states: readonly TensorLike[]) => {
    const shapes = stateShapes(layer, batch);
    if (!Array.isArray(states) || states.length !== shapes.length) {
      throw new InputError(
        `${layer.name}: initialState needs ${shapes.length} tensors (${stateNames(layer).join(', ')}), got ${Array.isArray(states) ? states.length : typeof states}`,
        { layer: layer.name, field: 'initialState', expected: shapes.length, actual: Array.isArray(states) ? states.length : undefined },
      );
    }
    byLayer[index] = states.map((s, k) => {
      const t = toTensor(s, `initialState[${k}]`);
      if (!sameShape(t.shape, shapes[k])) {
        throw new InputError(
          `${layer.name}: initialState[${k}] (${stateNames(layer)[k]}) must have shape ${formatShape(shapes[k])}, got ${formatShape(t.shape)}`,
          { layer: layer.name, field: `initialState[${k}]`, expected: shapes[k], actual: t.shape },
        );
      }
      return t;
    });
  };
  if (Array.isArray(value)) {
    if (stateful.length !== 1) {
      throw new InputError(
        `initialState: this model has ${stateful.length} recurrent layers; pass an object keyed by layer name (${stateful.map((s) => s.layer.name).join(', ')})`,
        { field: 'initialState' },
      );
    }
    assign(stateful[0].layer as StatefulLayerSpec, stateful[0].i, value);
    return byLayer;
  }
  for (const [name, states] of Object.entries(value as Record<string, readonly TensorLike[]>)) {
    const match = stateful.find(({ layer }) => layer.name === name);
    if (!match) {
      throw new InputError(`initialState: no recurrent layer named "${name}" (have ${stateful.map((s) => s.layer.name).join(', ')})`, {
        field: 'initialState',
        actual: name,
      });
    }
    assign(match.layer as StatefulLayerSpec, match.i, states);
  }
  return byLayer;
}

function stateNames(layer: StatefulLayerSpec): string[] {
  const own = (cell: string) => (cell === 'LSTM' ? ['h', 'c'] : ['h']);
  if (layer.kind === 'rnn') return own(layer.cell);
  return [...own(layer.forward.cell).map((n) => `forward_${n}`), ...own(layer.backward.cell).map((n) => `backward_${n}`)];
}

/** Streams need causal layers: a backwards or bidirectional layer needs the whole sequence first. */
function checkStreamable(spec: ModelSpec): void {
  for (const layer of spec.layers) {
    if (layer.kind === 'bidirectional' || (layer.kind === 'rnn' && layer.goBackwards)) {
      throw new UnsupportedError(
        `${layer.name}: a streaming session cannot run a ${layer.kind === 'bidirectional' ? 'Bidirectional' : 'go_backwards'} layer: it needs the whole sequence; use run() instead`,
        { layer: layer.name, field: layer.kind === 'bidirectional' ? 'class_name' : 'go_backwards' },
      );
    }
  }
}

function checkStreamBatch(spec: ModelSpec, states: LayerStates, batch: number): void {
  const index = states.findIndex((s) => s !== null);
  if (index < 0) return;
  const carried = states[index]![0].shape[0];
  if (carried !== batch) {
    const layer = spec.layers[index].name;
    throw new InputError(`${layer}: this stream carries batch size ${carried}; got ${batch} (reset() the stream to change it)`, {
      layer,
      field: 'batch',
      expected: carried,
      actual: batch,
    });
  }
}

/** A single step `(batch, features)` becomes a chunk `(batch, 1, features)`. */
function asChunk(x: Tensor, spec: ModelSpec | null): Tensor {
  const tokenIds = spec?.input.tokenIds ?? false;
  const stepRank = tokenIds ? 1 : 2;
  if (x.shape.length !== stepRank) return x;
  return { shape: [x.shape[0], 1, ...x.shape.slice(1)], data: x.data };
}

/** Runs `task` now; what it throws becomes a rejection, as from a queued call. */
function startNow<T>(task: () => Promise<T>): Promise<T> {
  try {
    return task();
  } catch (error) {
    return Promise.reject(error);
  }
}

function nameOutputs(spec: ModelSpec, outputs: readonly Tensor[]): NamedTensor[] {
  if (outputs.length !== spec.outputs.length) {
    throw new RnnError('BACKEND', `backend returned ${outputs.length} outputs, the model has ${spec.outputs.length}`);
  }
  const named = new Array<NamedTensor>(outputs.length);
  for (let i = 0; i < outputs.length; i++) named[i] = { name: spec.outputs[i].name, shape: outputs[i].shape, data: outputs[i].data };
  return named;
}
