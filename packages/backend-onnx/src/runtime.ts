import {
  BackendError,
  DisposedError,
  checkWindowSteps,
  isStatefulLayer,
  type Availability,
  type Backend,
  type CompileOptions,
  type CompiledModel,
  type ModelSpec,
  type ModelWeights,
  type RunRequest,
  type RunResult,
  type Tensor,
} from '@rnn/core';
import type { InferenceSession, Tensor as OrtTensor, TensorConstructor, Env } from 'onnxruntime-common';
import { GraphBuilder, valueInfo } from './graph.js';
import { buildRuntimeGraph, usesRunMask, type RuntimeIo, type RuntimeStateGroup, type RuntimeVariant } from './model-graph.js';
import { IR_VERSION, OPSET_VERSION, encodeModel } from './proto.js';

/** What this package uses of an onnxruntime module: `onnxruntime-node` and `onnxruntime-web` both fit. */
export interface OrtModule {
  readonly InferenceSession: { create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
  readonly Tensor: TensorConstructor;
  readonly env: Env;
}

/** One backend: a runtime package and one of its execution providers. */
export interface OnnxTarget {
  /** Backend name, e.g. `onnx:cuda`. */
  readonly name: string;
  /** The npm package it runs on, for messages. */
  readonly runtime: 'onnxruntime-node' | 'onnxruntime-web';
  readonly load: () => Promise<OrtModule>;
  readonly executionProvider: (options: CompileOptions) => InferenceSession.ExecutionProviderConfig;
  /** A reason this provider cannot work here, known before loading anything (e.g. "browser only"). */
  readonly precheck?: () => string | null;
  /** Runs once before the first session (e.g. turning TF32 off for CUDA). */
  readonly prepare?: () => void;
  /** Turns the runtime's error from starting the provider into what is missing and how to get it. */
  readonly explainFailure: (message: string) => string;
  /** ONNX activation names its recurrent-operator kernels implement, when not all of them. */
  readonly operatorActivations?: readonly string[];
  /** onnxruntime-web runs one call per session at a time. */
  readonly serializeRuns: boolean;
}

/**
 * Compile options this backend reads (all optional):
 * - `sessionOptions`: passed to `InferenceSession.create` (thread counts, log level, ...), except
 *   `executionProviders`, which the backend name decides;
 * - `deviceId`: the GPU for `onnx:cuda`;
 * - `recurrentOperators`: `false` runs every recurrent layer as a Scan of the Keras cell instead of
 *   ONNX's LSTM/GRU/RNN operators (see the README's mapping table).
 */
export interface OnnxCompileOptions extends CompileOptions {
  readonly recurrentOperators?: boolean;
  readonly sessionOptions?: Omit<InferenceSession.SessionOptions, 'executionProviders'>;
  readonly deviceId?: number;
}

/** ONNX Runtime starts one execution provider at a time (a concurrent second start fails), so the checks queue. */
let providerChecks: Promise<unknown> = Promise.resolve();

function queued<T>(work: () => Promise<T>): Promise<T> {
  const result = providerChecks.then(work, work);
  providerChecks = result.catch(() => undefined);
  return result;
}

export function createOnnxBackend(target: OnnxTarget): Backend {
  let availability: Promise<Availability> | undefined;
  let loaded: OrtModule | undefined;

  const check = async (): Promise<Availability> => {
    const early = target.precheck?.();
    if (early) return { ok: false, reason: early };
    let ort: OrtModule;
    try {
      ort = await target.load();
    } catch (error) {
      return {
        ok: false,
        reason: `${target.runtime} is not installed or failed to load (${firstLine(error)}); install it next to @rnn/backend-onnx: pnpm add ${target.runtime}`,
      };
    }
    target.prepare?.();
    try {
      await probe(ort, target.executionProvider({}));
    } catch (error) {
      return { ok: false, reason: target.explainFailure(firstLine(error)) };
    }
    loaded = ort;
    const version = ort.env.versions?.node ?? ort.env.versions?.web ?? ort.env.versions?.common ?? '';
    return { ok: true, detail: `${target.runtime} ${version}`.trim() };
  };

  return {
    name: target.name,
    available: () => (availability ??= queued(check)),
    async compile(spec: ModelSpec, weights: ModelWeights, options: OnnxCompileOptions = {}): Promise<CompiledModel> {
      const status = await (availability ??= queued(check));
      if (!status.ok || !loaded) {
        throw new BackendError(`backend "${target.name}" is not available: ${status.ok ? 'runtime not loaded' : status.reason}`, {
          field: 'backend',
          actual: target.name,
        });
      }
      const ort = loaded;
      const graphOptions = { recurrentOperators: options.recurrentOperators, operatorActivations: target.operatorActivations };
      // `finalStates` of a call without state outputs, shared by every call.
      const noStates: readonly null[] = Object.freeze(spec.layers.map(() => null));
      const load = async (variant: RuntimeVariant): Promise<GraphSession> => {
        const { bytes, io } = buildRuntimeGraph(spec, weights, variant, graphOptions);
        try {
          const session = await ort.InferenceSession.create(bytes, {
            graphOptimizationLevel: 'all',
            logSeverityLevel: 3,
            ...options.sessionOptions,
            executionProviders: [target.executionProvider(options)],
          });
          return new GraphSession(session, io, variant.timeMajorEdge, ort.Tensor, noStates);
        } catch (error) {
          throw new BackendError(`${target.name}: ONNX Runtime could not load the graph of "${spec.name}": ${firstLine(error)}`, {}, { cause: error });
        }
      };
      // A graph whose steps are fixed too few for a valid window would fail to load with a less useful message.
      if (spec.input.timesteps !== null) checkWindowSteps(spec, spec.input.timesteps);
      const model = new OnnxCompiledModel(target, ort, spec, load);
      // The graph most calls need loads now, so that a graph ONNX Runtime rejects fails compile.
      await model.graph({
        masked: false,
        states: spec.layers.some((layer) => isStatefulLayer(layer) && layer.stateful),
        timeMajorEdge: spec.input.batch === 1,
      });
      return model;
    },
  };
}

/** A one-node model run once on the provider: loading the provider alone does not prove it works. */
async function probe(ort: OrtModule, provider: InferenceSession.ExecutionProviderConfig): Promise<void> {
  const g = new GraphBuilder();
  const x = g.reserve('x');
  const y = g.reserve('y');
  g.opN('Tanh', [x], [y]);
  const bytes = encodeModel({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET_VERSION }],
    graph: g.toGraph('probe', [valueInfo(x, 'float32', [2])], [valueInfo(y, 'float32', [2])]),
  });
  const session = await ort.InferenceSession.create(bytes, { executionProviders: [provider], logSeverityLevel: 3 });
  try {
    const result = await session.run({ x: new ort.Tensor('float32', new Float32Array([0, 1]), [2]) });
    const value = (result.y.data as Float32Array)[1];
    if (Math.abs(value - Math.tanh(1)) > 1e-5) throw new Error(`tanh(1) came back as ${value}`);
  } finally {
    await session.release();
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n').find((line) => line.trim())?.trim() ?? message;
}

/** A session and the edge of its graph: what a call feeds it and how its results become a `RunResult`. */
class GraphSession {
  /** The input tensor of the last call, reused while calls pass the same array with the same shape (ONNX Runtime only reads it). */
  private lastInput: OrtTensor | null = null;
  /** Feeds holding only `lastInput`. */
  private lastInputFeeds: Record<string, OrtTensor> | null = null;

  constructor(
    readonly session: InferenceSession,
    readonly io: RuntimeIo,
    /** The graph takes `(time, batch, ...)`: batch-1 calls, whose data is the same in either order. */
    private readonly timeMajorEdge: boolean,
    private readonly Tensor: TensorConstructor,
    private readonly noStates: readonly null[],
  ) {}

  /** The result of a call without state outputs (a bound method: a call allocates no closure for it). */
  readonly statelessResult = (results: InferenceSession.ReturnType): RunResult => ({ outputs: this.outputs(results), finalStates: this.noStates });

  inputTensor(input: Tensor): OrtTensor {
    const last = this.lastInput;
    if (last !== null && last.data === input.data && sameEdgeDims(last.dims, input.shape, this.timeMajorEdge)) return last;
    const tensor = new this.Tensor('float32', input.data, this.edgeDims(input.shape));
    this.lastInput = tensor;
    return tensor;
  }

  /** Feeds of a call with neither mask nor states: the same object while the input tensor is. */
  inputFeeds(input: Tensor): Record<string, OrtTensor> {
    const tensor = this.inputTensor(input);
    if (this.lastInputFeeds === null || this.lastInputFeeds[this.io.input] !== tensor) this.lastInputFeeds = { [this.io.input]: tensor };
    return this.lastInputFeeds;
  }

  edgeDims(shape: readonly number[]): number[] {
    return this.timeMajorEdge ? swapLeadingDims(shape) : [...shape];
  }

  outputs(results: InferenceSession.ReturnType): Tensor[] {
    const specs = this.io.outputs;
    const outputs = new Array<Tensor>(specs.length);
    for (let i = 0; i < specs.length; i++) {
      const { dims, data } = results[specs[i].name];
      const position = specs[i].statePosition;
      if (position === null) {
        outputs[i] = { shape: this.sequenceShape(dims), data: data as Float32Array };
      } else {
        const size = dims[1] * dims[2];
        outputs[i] = { shape: [dims[1], dims[2]], data: (data as Float32Array).subarray(position * size, (position + 1) * size) };
      }
    }
    return outputs;
  }

  /**
   * A model output's Keras shape: a sequence comes edge-ordered, or straight from a recurrent operator
   * as `(time, 1, batch, units)` in a time-major graph; anything else as it is.
   */
  private sequenceShape(dims: readonly number[]): number[] {
    if (dims.length === 4) return [dims[2], dims[0], dims[3]];
    return dims.length === 3 ? this.edgeDims(dims) : [...dims];
  }
}

/**
 * A compiled model. It runs one of up to eight graphs, each in its own session, loaded on first use:
 * with or without a mask input, with or without state inputs and outputs, for batch 1 or any batch.
 * Separate graphs rather than an `If` inside one, which costs every call about 15 µs; a call that
 * starts from zeros and drops its final states (`model.run` of a model without stateful layers)
 * skips the state inputs and outputs, which cost ONNX Runtime 5–20 µs a call; and batch 1 needs no
 * layout transposes. States cross the edge stacked `(directions, batch, units)`, as the recurrent
 * operators take them.
 */
class OnnxCompiledModel implements CompiledModel {
  readonly backend: string;
  private readonly takesRunMask: boolean;
  /** Calls then need enough steps for every `valid` Conv1D/pooling window (core's `checkWindowSteps`). */
  private readonly hasValidWindows: boolean;
  private readonly graphs = new Map<number, Promise<GraphSession>>();
  /** The graphs loaded so far by variant key, for calls that need no await before running. */
  private readonly loaded: (GraphSession | undefined)[] = [];
  /** Zero initial states by `rows×batch×units`, made once: ONNX Runtime only reads inputs. */
  private readonly zeroStates = new Map<string, OrtTensor>();
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(
    private readonly target: OnnxTarget,
    private readonly ort: OrtModule,
    private readonly spec: ModelSpec,
    private readonly load: (variant: RuntimeVariant) => Promise<GraphSession>,
  ) {
    this.backend = target.name;
    this.takesRunMask = usesRunMask(spec);
    this.hasValidWindows = spec.layers.some((layer) => (layer.kind === 'conv1d' || layer.kind === 'pooling1d') && layer.padding === 'valid');
  }

  graph(variant: RuntimeVariant): Promise<GraphSession> {
    const key = variantKey(variant.masked, variant.states, variant.timeMajorEdge);
    let graph = this.graphs.get(key);
    if (!graph) {
      graph = this.load(variant).then((loaded) => {
        this.loaded[key] = loaded;
        return loaded;
      });
      this.graphs.set(key, graph);
    }
    return graph;
  }

  run(request: RunRequest): Promise<RunResult> {
    if (this.disposed) return Promise.reject(new DisposedError(`model compiled for ${this.backend}`));
    if (!this.target.serializeRuns) return this.runNow(request);
    const result = this.queue.then(() => this.runNow(request));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Turns ONNX Runtime's error into a typed one (a bound method: a call allocates no closure for it). */
  private readonly runFailed = (error: unknown): never => {
    if (this.disposed) throw new DisposedError(`model compiled for ${this.backend}`);
    throw new BackendError(`${this.backend}: run failed: ${firstLine(error)}`, {}, { cause: error });
  };

  // Promise chains rather than async/await, and no closure a call could do without: each await or
  // allocation around ONNX Runtime's call costs a measurable part of a short sequence's time.
  private runNow(request: RunRequest): Promise<RunResult> {
    // Also after waiting for a graph to load: a model disposed meanwhile must not load another.
    if (this.disposed) return Promise.reject(new DisposedError(`model compiled for ${this.backend}`));
    const mask = this.takesRunMask ? request.mask : null;
    const { input, initialStates } = request;
    const batch = input.shape[0];
    // ONNX's operators give no empty sequence for a window that does not fit: Conv fails, the poolings return a partial window.
    if (this.hasValidWindows) {
      try {
        checkWindowSteps(this.spec, input.shape[1]);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const states = request.returnStates !== false || hasAnyState(initialStates);
    // With one sequence, time-major data is the same data: only the dimensions swap.
    const timeMajorEdge = batch === 1;
    const graph = this.loaded[variantKey(mask !== null, states, timeMajorEdge)];
    if (!graph) return this.graph({ masked: mask !== null, states, timeMajorEdge }).then(() => this.runNow(request));
    if (!states && mask === null) return graph.session.run(graph.inputFeeds(input)).then(graph.statelessResult, this.runFailed);
    const { io } = graph;
    const feeds: Record<string, OrtTensor> = { [io.input]: graph.inputTensor(input) };
    if (io.mask && mask) feeds[io.mask] = new this.ort.Tensor('float32', mask.data, graph.edgeDims(mask.shape));
    if (!states) return graph.session.run(feeds).then(graph.statelessResult, this.runFailed);
    for (const stack of io.states) {
      const given = initialStates[stack.layer];
      feeds[stack.initial] = given
        ? new this.ort.Tensor('float32', stacked(stack.group.map((k) => given[k].data)), stateDims(stack, batch))
        : this.zeros(stack, batch);
    }
    return graph.session.run(feeds).then((results): RunResult => {
      const finalStates: (Tensor[] | null)[] = this.spec.layers.map((layer) => (isStatefulLayer(layer) ? [] : null));
      for (const stack of io.states) {
        const data = results[stack.final].data as Float32Array;
        const size = batch * stack.units;
        stack.group.forEach((k, position) => {
          finalStates[stack.layer]![k] = { shape: [batch, stack.units], data: data.subarray(position * size, (position + 1) * size) };
        });
      }
      return { outputs: graph.outputs(results), finalStates };
    }, this.runFailed);
  }

  private zeros(stack: RuntimeStateGroup, batch: number): OrtTensor {
    const dims = stateDims(stack, batch);
    const key = dims.join('x');
    let zeros = this.zeroStates.get(key);
    if (!zeros) {
      zeros = new this.ort.Tensor('float32', new Float32Array(stack.group.length * batch * stack.units), dims);
      this.zeroStates.set(key, zeros);
    }
    return zeros;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.zeroStates.clear();
    this.loaded.length = 0;
    await this.queue;
    const loaded = await Promise.allSettled(this.graphs.values());
    for (const graph of loaded) if (graph.status === 'fulfilled') await graph.value.session.release();
  }
}

function hasAnyState(states: RunRequest['initialStates']): boolean {
  for (let i = 0; i < states.length; i++) if (states[i] !== null) return true;
  return false;
}

/** Whether `dims` are `shape` as the graph's edge takes it (leading two swapped when time-major). */
function sameEdgeDims(dims: readonly number[], shape: readonly number[], timeMajorEdge: boolean): boolean {
  if (dims.length !== shape.length) return false;
  const swap = timeMajorEdge && shape.length > 1;
  if (dims[0] !== (swap ? shape[1] : shape[0]) || dims[1] !== (swap ? shape[0] : shape[1])) return false;
  for (let i = 2; i < dims.length; i++) if (dims[i] !== shape[i]) return false;
  return true;
}

function variantKey(masked: boolean, states: boolean, timeMajorEdge: boolean): number {
  return (masked ? 4 : 0) + (states ? 2 : 0) + (timeMajorEdge ? 1 : 0);
}

/** `(batch, time, ...)` ↔ `(time, batch, ...)`. */
function swapLeadingDims(shape: readonly number[]): number[] {
  return shape.length === 3 ? [shape[1], shape[0], shape[2]] : [shape[1], shape[0], ...shape.slice(2)];
}

function stateDims(stack: RuntimeStateGroup, batch: number): number[] {
  return stack.stacked ? [stack.group.length, batch, stack.units] : [batch, stack.units];
}

/** States `(batch, units)` each, stacked on a new leading axis (a single one as is). */
function stacked(parts: readonly Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0];
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
