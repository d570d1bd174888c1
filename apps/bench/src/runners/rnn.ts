import type { CompileOptions, KerasConfig, Model, Tensor } from '@rnn/core';
import type { Problem, ProblemData } from '../problem.js';
import { STREAM_CHECK_STEPS, stepSlice } from '../problem.js';
import type { Runner, RunnerDefinition, RunnerSession } from './types.js';
import { interleaveSteps } from './types.js';

/**
 * This project's backends, driven through the public API exactly as a user would: `createModel` with
 * Keras `get_weights()` arrays, `model.run(x)` per call, and `model.createStream().step(x)` for the
 * streaming shape.
 */

/** Packages that register each backend (`auto` imports every one that loads). */
const BACKEND_MODULES: Readonly<Record<string, readonly string[]>> = {
  cpu: ['@rnn/backend-cpu'],
  'tfjs:cpu': ['@rnn/backend-tfjs'],
  'tfjs:wasm': ['@rnn/backend-tfjs'],
  'onnx:cpu': ['@rnn/backend-onnx'],
  'onnx-web:wasm': ['@rnn/backend-onnx'],
};

export const RNN_BACKENDS = Object.keys(BACKEND_MODULES);

/**
 * Every engine on one thread, set the way a user would: ONNX Runtime through the backend's session
 * options, onnxruntime-web and tfjs-wasm through their global settings (before they initialise).
 * `auto` compiles on every backend with the same options, so it gets all of them.
 */
async function singleThreaded(backend: string): Promise<CompileOptions> {
  const engines = backend === 'auto' ? RNN_BACKENDS : [backend];
  if (engines.includes('onnx-web:wasm')) (await import('onnxruntime-web')).env.wasm.numThreads = 1;
  if (engines.includes('tfjs:wasm')) (await import('@tensorflow/tfjs-backend-wasm')).setThreadsCount(1);
  return engines.includes('onnx:cpu') ? { sessionOptions: { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' } } : {};
}

export function rnnRunner(backend: string): RunnerDefinition {
  const auto = backend === 'auto';
  return {
    name: backend,
    kind: 'rnn',
    description: auto ? 'createModel with backend "auto" (every backend package installed)' : `createModel with backend "${backend}"`,
    gruResetAfter: true,
    async load() {
      const modules = auto ? [...new Set(Object.values(BACKEND_MODULES).flat())] : BACKEND_MODULES[backend];
      if (!modules) throw new Error(`no backend package is known for "${backend}"`);
      await importBackends(modules, auto);
      const core = await import('@rnn/core');
      // Throws the backend's own reason when it cannot run here.
      await core.resolveBackend(backend);
      return new RnnRunner(backend, await singleThreaded(backend));
    },
  };
}

/** Dynamic specifiers, so the harness builds and runs while a backend package is missing or broken. */
async function importBackends(modules: readonly string[], tolerateFailures: boolean): Promise<void> {
  const results = await Promise.allSettled(modules.map((specifier) => import(specifier)));
  const loaded = results.filter((r) => r.status === 'fulfilled').length;
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure && (!tolerateFailures || loaded === 0)) {
    const reason = failure.reason instanceof Error ? failure.reason.message : String(failure.reason);
    throw new Error(`cannot import ${modules.join(', ')}: ${reason.split('\n')[0]}`);
  }
}

function layerConfig(core: typeof import('@rnn/core'), problem: Problem): KerasConfig {
  const { units, inputs } = problem.shape;
  const common = { units, returnSequences: true, inputShape: [null, inputs] };
  switch (problem.cell) {
    case 'lstm':
      return core.lstm(common);
    case 'gru':
      return core.gru({ ...common, resetAfter: problem.resetAfter });
    case 'simple_rnn':
      return core.simpleRNN(common);
  }
}

class RnnRunner implements Runner {
  constructor(
    private readonly backend: string,
    private readonly compileOptions: CompileOptions,
  ) {}

  async create(problem: Problem, data: ProblemData): Promise<RunnerSession> {
    const core = await import('@rnn/core');
    const { batch, inputs, units } = problem.shape;
    const width = data.weights.kernel.length / inputs;
    const model = await core.createModel(layerConfig(core, problem), {
      backend: this.backend,
      weights: [
        { shape: [inputs, width], data: data.weights.kernel },
        { shape: [units, width], data: data.weights.recurrentKernel },
        { shape: data.weights.biasShape, data: data.weights.bias },
      ],
      compileOptions: this.compileOptions,
    });
    if (!problem.shape.streaming) {
      const x: Tensor = { shape: [batch, data.inputSteps, inputs], data: data.input };
      return new FullSequenceSession(model, x);
    }
    const steps = Array.from({ length: data.inputSteps }, (_, k): Tensor => ({
      shape: [batch, inputs],
      data: stepSlice(data.input, problem.shape, data.inputSteps, k),
    }));
    return new StreamingSession(model, steps, batch, units);
  }
}

class FullSequenceSession implements RunnerSession {
  constructor(
    private readonly model: Model,
    private readonly x: Tensor,
  ) {}

  get backend(): string {
    return this.model.backend ?? 'unknown';
  }

  async check(): Promise<Float32Array> {
    const [output] = await this.model.run(this.x);
    return output.data;
  }

  async call(): Promise<void> {
    await this.model.run(this.x);
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}

class StreamingSession implements RunnerSession {
  /** The timed stream keeps going across calls; `check` uses its own fresh stream. */
  private readonly timed;
  private next = 0;

  constructor(
    private readonly model: Model,
    private readonly steps: readonly Tensor[],
    private readonly batch: number,
    private readonly units: number,
  ) {
    this.timed = model.createStream();
  }

  get backend(): string {
    return this.model.backend ?? 'unknown';
  }

  async check(): Promise<Float32Array> {
    const stream = this.model.createStream();
    const outputs: Float32Array[] = [];
    for (const step of this.steps.slice(0, STREAM_CHECK_STEPS)) outputs.push((await stream.step(step))[0].data);
    stream.dispose();
    return interleaveSteps(outputs, this.batch, this.units);
  }

  async call(): Promise<void> {
    await this.timed.step(this.steps[this.next]);
    this.next = (this.next + 1) % this.steps.length;
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}
