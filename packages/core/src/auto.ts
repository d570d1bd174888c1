import type { Backend, CompileOptions, CompiledModel, RunRequest, RunResult } from './backend.js';
import { UnsupportedError } from './errors.js';
import { modelFlops } from './flops.js';
import { listBackends, getRegisteredBackend } from './registry.js';
import type { ModelSpec, ModelWeights } from './spec.js';
import { isStatefulLayer } from './spec.js';
import { zeros } from './tensor.js';

/**
 * The `auto` backend: compiles the model on every usable backend, times each on two calibration
 * calls (one step, and a longer batch; the fastest of several calls each), fits `time = overhead + flops / throughput`, keeps the ones
 * that win somewhere, and sends each call to the one predicted fastest for that call's shape.
 * Switching per call is safe because backends are stateless: states travel with the request.
 * Calibrations are cached per backend and layer signature for the life of the process.
 */

export interface CostModel {
  /** Fixed cost of a call, milliseconds. */
  readonly overheadMs: number;
  /** FLOPs per millisecond beyond the overhead. */
  readonly flopsPerMs: number;
}

export interface AutoChoice {
  readonly backend: string;
  readonly cost: CostModel;
}

/** The high-resolution clock of Node and browsers; core compiles against the plain ES lib, which lacks its type. */
const clock = (globalThis as unknown as { performance: { now(): number } }).performance;

const calibrations = new Map<string, CostModel>();

/** Calibration shapes: a streaming step, and a batch long enough that throughput dominates. */
const SMALL = { batch: 1, steps: 1 };
const LARGE = { batch: 8, steps: 64 };
/** The fastest of several calls: interference from other work only ever adds time. */
const TIMED_CALLS = 7;

export interface AutoCompileOptions extends CompileOptions {
  /** Backend names to consider (default: every registered one but `auto`). */
  readonly candidates?: readonly string[];
}

export const autoBackend: Backend = {
  name: 'auto',
  async available() {
    const others = listBackends().filter((n) => n !== 'auto');
    for (const name of others) {
      if ((await getRegisteredBackend(name)!.available().catch(() => ({ ok: false }))).ok) return { ok: true };
    }
    return { ok: false, reason: 'no other backend is registered and available' };
  },
  async compile(spec: ModelSpec, weights: ModelWeights, options: AutoCompileOptions = {}): Promise<CompiledModel> {
    const names = (options.candidates ?? listBackends()).filter((n) => n !== 'auto');
    const compiled: { name: string; model: CompiledModel; cost: CostModel }[] = [];
    const skipped: string[] = [];
    for (const name of names) {
      const backend = getRegisteredBackend(name);
      if (!backend) continue;
      const availability = await backend.available().catch((e: unknown) => ({ ok: false as const, reason: String(e) }));
      const support = availability.ok ? (backend.supports?.(spec) ?? availability) : availability;
      if (!support.ok) {
        skipped.push(`${name}: ${support.reason}`);
        continue;
      }
      try {
        const model = await backend.compile(spec, weights, options);
        compiled.push({ name, model, cost: await calibrate(name, spec, model) });
      } catch (error) {
        skipped.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (compiled.length === 0) {
      throw new UnsupportedError(`auto: no backend can run model "${spec.name}":\n  ${skipped.join('\n  ') || 'none registered'}`);
    }
    // Keep only the backends predicted fastest at one of the calibration shapes; release the rest.
    const winners = new Set(calibrationShapes(spec).map((shape) => cheapest(compiled, spec, shape.batch, shape.steps)));
    for (const entry of compiled) if (!winners.has(entry)) await entry.model.dispose();
    return new AutoModel(spec, [...winners]);
  },
};

class AutoModel implements CompiledModel {
  private last: string;

  constructor(
    private readonly spec: ModelSpec,
    private readonly choices: { name: string; model: CompiledModel; cost: CostModel }[],
  ) {
    this.last = choices[0].name;
  }

  /** `auto(NAME)`: the backend that ran the latest call (before any call, the first choice). */
  get backend(): string {
    return `auto(${this.last})`;
  }

  /** The candidates kept and their fitted costs. */
  get choicesMade(): AutoChoice[] {
    return this.choices.map((c) => ({ backend: c.name, cost: c.cost }));
  }

  run(request: RunRequest): Promise<RunResult> {
    const [batch, steps] = request.input.shape;
    const choice = cheapest(this.choices, this.spec, batch, steps);
    this.last = choice.name;
    return choice.model.run(request);
  }

  async dispose(): Promise<void> {
    for (const choice of this.choices) await choice.model.dispose();
  }
}

function cheapest<T extends { cost: CostModel }>(entries: T[], spec: ModelSpec, batch: number, steps: number): T {
  const flops = modelFlops(spec, batch, steps);
  let best = entries[0];
  for (const entry of entries) if (predictMs(entry.cost, flops) < predictMs(best.cost, flops)) best = entry;
  return best;
}

function predictMs(cost: CostModel, flops: number): number {
  return cost.overheadMs + flops / cost.flopsPerMs;
}

/** The cached cost model of a backend for this spec's layer signature, measuring it the first time. */
async function calibrate(name: string, spec: ModelSpec, model: CompiledModel): Promise<CostModel> {
  const key = `${name}|${signature(spec)}`;
  const cached = calibrations.get(key);
  if (cached) return cached;
  const [smallShape, largeShape] = calibrationShapes(spec);
  const small = await timeCall(spec, model, smallShape.batch, smallShape.steps);
  const large = await timeCall(spec, model, largeShape.batch, largeShape.steps);
  const smallFlops = modelFlops(spec, smallShape.batch, smallShape.steps);
  const largeFlops = modelFlops(spec, largeShape.batch, largeShape.steps);
  const slope = Math.max(large - small, 1e-6) / Math.max(largeFlops - smallFlops, 1);
  const cost = { overheadMs: Math.max(small - smallFlops * slope, 0), flopsPerMs: 1 / slope };
  calibrations.set(key, cost);
  return cost;
}

/** The calibration shapes, keeping a model's fixed timesteps and stateful batch where it has them. */
function calibrationShapes(spec: ModelSpec): { batch: number; steps: number }[] {
  const steps = (wanted: number) => (spec.source === 'sequential' ? (spec.input.timesteps ?? wanted) : wanted);
  const batch = (wanted: number) => spec.input.batch ?? wanted;
  return [
    { batch: batch(SMALL.batch), steps: steps(SMALL.steps) },
    { batch: batch(LARGE.batch), steps: steps(LARGE.steps) },
  ];
}

/** The fastest of a few calls after one warm-up, in milliseconds. */
async function timeCall(spec: ModelSpec, model: CompiledModel, batch: number, steps: number): Promise<number> {
  const features = spec.input.tokenIds ? [] : [spec.input.features ?? 1];
  const request: RunRequest = {
    input: zeros([batch, steps, ...features]),
    mask: null,
    initialStates: spec.layers.map(() => null),
  };
  await model.run(request);
  const times: number[] = [];
  for (let i = 0; i < TIMED_CALLS; i++) {
    const start = clock.now();
    await model.run(request);
    times.push(clock.now() - start);
  }
  return Math.min(...times);
}

/** Layers and sizes, the things a backend's speed depends on. */
function signature(spec: ModelSpec): string {
  return spec.layers
    .map((l) =>
      l.kind === 'rnn'
        ? `${l.cell}${l.units}x${l.inputDim}`
        : l.kind === 'bidirectional'
          ? `bi(${l.forward.cell}${l.forward.units}x${l.inputDim})`
          : l.kind === 'dense'
            ? `d${l.units}x${l.inputDim}`
            : l.kind,
    )
    .join('-') + (spec.layers.some((l) => isStatefulLayer(l) && l.stateful) ? '-stateful' : '');
}

/** Forgets cached calibrations (e.g. after registering a new backend). */
export function clearAutoCalibration(): void {
  calibrations.clear();
}
