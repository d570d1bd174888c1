import type { Backend, CompileOptions, Model, NamedTensor, RunOptions } from '@rnn/core';
import { createModel, getRegisteredBackend, registerBackend } from '@rnn/core';
import type { Comparison } from './compare.js';
import { compareOutputs } from './compare.js';
import type { Family, Fixture, FixtureOutput, LoadedFixture } from './fixture.js';
import { fixtureFamily } from './fixture.js';

/**
 * Creates a model from a fixture's saved model file (`.keras`/`.h5`) on a backend. Supplied by the caller
 * (the CLI passes one built on @rnn/keras), so this package does not depend on a file format reader.
 */
export type ModelFileLoader = (request: ModelFileRequest) => Promise<Model>;

export interface ModelFileRequest {
  readonly fixture: Fixture;
  /** Where the model file lies: a path in Node, a URL in a browser (`LoadedFixture.modelFile`). */
  readonly modelFile: string;
  /** Registered backend name to compile on. */
  readonly backend: string;
}

/** One row of the matrix: a fixture, run from its JSON (`id`) or from its model file (`id#file`). */
export interface ConformanceCase {
  readonly id: string;
  readonly family: Family;
  readonly fixture: LoadedFixture;
  readonly fromModelFile: boolean;
}

export interface CaseResult {
  readonly case: string;
  readonly status: 'pass' | 'fail';
  /** Largest element error `|got-want| / max(1,|want|)` over all outputs (and calls); `null` when nothing could be compared. */
  readonly maxError: number | null;
  /** Empty on pass; the reason on failure. */
  readonly message: string;
}

export interface ConformanceReport {
  readonly backend: string;
  readonly results: readonly CaseResult[];
}

export interface ConformanceProgress {
  readonly backend: string;
  /** Cases finished so far, this one included. */
  readonly done: number;
  readonly total: number;
  readonly result: CaseResult;
}

export type CaseFilter = string | ((caseId: string) => boolean);

export interface CaseOptions {
  /** A substring of the case id (`lstm-`, `#file`, ...) or a predicate. */
  readonly filter?: CaseFilter;
  /** When given, every fixture with a `model_file` also runs from that file as case `<id>#file`. */
  readonly modelFileLoader?: ModelFileLoader;
}

export interface ConformanceOptions extends CaseOptions {
  /** A registered backend name (`cpu`, `onnx:cpu`, ...) or a Backend object, registered under its name if needed. */
  readonly backend: string | Backend;
  /** Loaded fixtures (`loadFixtures` in Node) or parsed fixture objects. */
  readonly fixtures: readonly (LoadedFixture | Fixture)[];
  readonly onProgress?: (progress: ConformanceProgress) => void;
  readonly compileOptions?: CompileOptions;
}

export const MODEL_FILE_SUFFIX = '#file';

export function toLoadedFixture(entry: LoadedFixture | Fixture): LoadedFixture {
  return 'fixture' in entry ? entry : { id: entry.id, source: entry.id, fixture: entry };
}

/** The cases a run covers, in fixture order, each fixture followed by its `#file` case. */
export function listCases(fixtures: readonly (LoadedFixture | Fixture)[], options: CaseOptions = {}): ConformanceCase[] {
  const accept = caseFilter(options.filter);
  const cases: ConformanceCase[] = [];
  for (const entry of fixtures) {
    const fixture = toLoadedFixture(entry);
    const family = fixtureFamily(fixture.fixture);
    cases.push({ id: fixture.id, family, fixture, fromModelFile: false });
    if (options.modelFileLoader && fixture.fixture.model_file) {
      cases.push({ id: `${fixture.id}${MODEL_FILE_SUFFIX}`, family, fixture, fromModelFile: true });
    }
  }
  return cases.filter((c) => accept(c.id));
}

function caseFilter(filter: CaseFilter | undefined): (id: string) => boolean {
  if (filter === undefined || filter === '') return () => true;
  if (typeof filter === 'function') return filter;
  return (id) => id.includes(filter);
}

/** Registers a Backend object under its name (unless that very object is registered) and returns the name. */
export function useBackend(backend: string | Backend): string {
  if (typeof backend === 'string') return backend;
  if (getRegisteredBackend(backend.name) !== backend) registerBackend(backend);
  return backend.name;
}

/**
 * Why a backend cannot run anything here (not registered, or unavailable), or `null` when it can.
 * Checked once per run, so an unavailable backend fails every case with its own reason, quickly.
 */
export async function backendProblem(name: string): Promise<string | null> {
  const backend = getRegisteredBackend(name);
  if (!backend) return `no backend "${name}" is registered`;
  try {
    const availability = await backend.available();
    return availability.ok ? null : `backend "${name}" is not available: ${availability.reason}`;
  } catch (error) {
    return `backend "${name}" is not available: ${errorText(error)}`;
  }
}

/** Runs every selected case on one backend. A case the backend cannot run (unsupported, throws) fails with the reason. */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const backend = useBackend(options.backend);
  const cases = listCases(options.fixtures, options);
  const problem = await backendProblem(backend);
  const results: CaseResult[] = [];
  for (const c of cases) {
    const result = problem
      ? failure(c.id, problem)
      : await runCase(backend, c, { modelFileLoader: options.modelFileLoader, compileOptions: options.compileOptions });
    results.push(result);
    options.onProgress?.({ backend, done: results.length, total: cases.length, result });
  }
  return { backend, results };
}

/** Runs one case on a registered backend; never throws. */
export async function runCase(
  backend: string,
  c: ConformanceCase,
  options: { modelFileLoader?: ModelFileLoader; compileOptions?: CompileOptions } = {},
): Promise<CaseResult> {
  const { fixture } = c.fixture;
  let model: Model | null = null;
  try {
    model = await openModel(backend, c, options);
    const comparison = fixture.sequence ? await runSequence(model, fixture) : await runSingleCall(model, fixture);
    return {
      case: c.id,
      status: comparison.ok ? 'pass' : 'fail',
      maxError: comparison.maxError,
      message: comparison.message,
    };
  } catch (error) {
    return failure(c.id, errorText(error));
  } finally {
    await model?.dispose().catch(() => undefined);
  }
}

async function openModel(
  backend: string,
  c: ConformanceCase,
  options: { modelFileLoader?: ModelFileLoader; compileOptions?: CompileOptions },
): Promise<Model> {
  const { fixture, modelFile } = c.fixture;
  if (!c.fromModelFile) {
    return createModel(fixture.layer, { backend, weights: fixture.weights, compileOptions: options.compileOptions });
  }
  if (!options.modelFileLoader) throw new Error(`case ${c.id} needs a modelFileLoader`);
  if (!modelFile) throw new Error(`${c.fixture.source}: model_file "${fixture.model_file}" has no known location`);
  return options.modelFileLoader({ fixture, modelFile, backend });
}

async function runSingleCall(model: Model, fixture: Fixture): Promise<Comparison> {
  const options: RunOptions = {
    initialState: fixture.call.initial_state ?? undefined,
    mask: fixture.call.mask ?? undefined,
  };
  const outputs = await model.run(fixture.inputs!, options);
  return compare(outputs, fixture.outputs!);
}

/** Stateful fixtures: successive calls on one model; states carry over unless `reset_states_before`. */
async function runSequence(model: Model, fixture: Fixture): Promise<Comparison> {
  let maxError = 0;
  let firstFailure: Comparison | null = null;
  for (const [k, step] of fixture.sequence!.entries()) {
    if (step.reset_states_before) model.resetStates();
    const comparison = compare(await model.run(step.inputs), step.outputs);
    if (comparison.maxError === null) return { ...comparison, message: `call ${k}: ${comparison.message}` };
    maxError = Math.max(maxError, comparison.maxError);
    if (!comparison.ok && !firstFailure) firstFailure = { ...comparison, message: `call ${k}: ${comparison.message}` };
  }
  return firstFailure ? { ...firstFailure, maxError } : { ok: true, maxError, message: '' };
}

/** Expected values as the float32 numbers Keras computed (the JSON holds their shortest decimals). */
function compare(got: readonly NamedTensor[], want: readonly FixtureOutput[]): Comparison {
  return compareOutputs(
    got,
    want.map((w) => ({ name: w.name, shape: w.shape, data: Float32Array.from(w.data) })),
  );
}

function failure(caseId: string, message: string): CaseResult {
  return { case: caseId, status: 'fail', maxError: null, message };
}

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
