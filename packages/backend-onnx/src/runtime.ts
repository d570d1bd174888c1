import {
  BackendError,
  DisposedError,
  isStatefulLayer,
  stateShapes,
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
import { buildModelProto, onnxIoNames, type OnnxIoNames } from './model-graph.js';
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
      const bytes = buildModelProto(spec, weights, {
        recurrentOperators: options.recurrentOperators,
        operatorActivations: target.operatorActivations,
      });
      let session: InferenceSession;
      try {
        session = await ort.InferenceSession.create(bytes, {
          graphOptimizationLevel: 'all',
          // The optional mask input is an initializer too, which ONNX Runtime warns about on every load.
          logSeverityLevel: 3,
          ...options.sessionOptions,
          executionProviders: [target.executionProvider(options)],
        });
      } catch (error) {
        throw new BackendError(`${target.name}: ONNX Runtime could not load the graph of "${spec.name}": ${firstLine(error)}`, {}, { cause: error });
      }
      return new OnnxCompiledModel(target, ort, session, spec);
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

class OnnxCompiledModel implements CompiledModel {
  readonly backend: string;
  private readonly names: OnnxIoNames;
  /** Units of each state input, per layer (empty for layers without state). */
  private readonly stateUnits: readonly (readonly number[])[];
  /** Zero initial states by `batch×units`, made once: ONNX Runtime only reads inputs. */
  private readonly zeroStates = new Map<string, OrtTensor>();
  /** The `(0, 0)` mask that selects the graph's unmasked branch. */
  private readonly noMask: OrtTensor;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(
    private readonly target: OnnxTarget,
    private readonly ort: OrtModule,
    private readonly session: InferenceSession,
    spec: ModelSpec,
  ) {
    this.backend = target.name;
    this.names = onnxIoNames(spec);
    this.noMask = new ort.Tensor('float32', new Float32Array(0), [0, 0]);
    this.stateUnits = spec.layers.map((layer) => (isStatefulLayer(layer) ? stateShapes(layer, 1).map((s) => s[1]) : []));
  }

  run(request: RunRequest): Promise<RunResult> {
    if (this.disposed) return Promise.reject(new DisposedError(`model compiled for ${this.backend}`));
    if (!this.target.serializeRuns) return this.runNow(request);
    const result = this.queue.then(() => this.runNow(request));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async runNow(request: RunRequest): Promise<RunResult> {
    const { Tensor } = this.ort;
    const names = this.names;
    const batch = request.input.shape[0];
    const feeds: Record<string, OrtTensor> = { [names.input]: new Tensor('float32', request.input.data, request.input.shape) };
    if (names.mask) feeds[names.mask] = request.mask ? new Tensor('float32', request.mask.data, request.mask.shape) : this.noMask;
    names.initialStates.forEach((inputs, layer) => {
      const given = request.initialStates[layer];
      inputs.forEach((name, k) => {
        const state = given?.[k];
        feeds[name] = state ? new Tensor('float32', state.data, state.shape) : this.zeros(batch, this.stateUnits[layer][k]);
      });
    });
    let results: InferenceSession.ReturnType;
    try {
      results = await this.session.run(feeds);
    } catch (error) {
      if (this.disposed) throw new DisposedError(`model compiled for ${this.backend}`);
      throw new BackendError(`${this.backend}: run failed: ${firstLine(error)}`, {}, { cause: error });
    }
    const read = (name: string): Tensor => {
      const value = results[name];
      return { shape: [...value.dims], data: value.data as Float32Array };
    };
    return {
      outputs: names.outputs.map(read),
      finalStates: names.finalStates.map((states, layer) => (this.stateUnits[layer].length ? states.map(read) : null)),
    };
  }

  private zeros(batch: number, units: number): OrtTensor {
    const key = `${batch}x${units}`;
    let zeros = this.zeroStates.get(key);
    if (!zeros) {
      zeros = new this.ort.Tensor('float32', new Float32Array(batch * units), [batch, units]);
      this.zeroStates.set(key, zeros);
    }
    return zeros;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.zeroStates.clear();
    await this.queue;
    await this.session.release();
  }
}
