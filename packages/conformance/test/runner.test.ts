import type { Backend, ModelSpec, RunRequest, RunResult, Tensor } from '@rnn/core';
import { createModel, getRegisteredBackend, isStatefulLayer, stateShapes, unregisterBackend } from '@rnn/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConformanceProgress, Fixture, FixtureOutput, LoadedFixture } from '../src/node.js';
import { elementError, listCases, loadFixtures, runConformance } from '../src/node.js';

const all = loadFixtures();
const byId = (id: string): LoadedFixture => all.find((f) => f.id === id)!;

interface FakeBackend extends Backend {
  compiled: number;
  disposed: number;
  requests: RunRequest[];
}

/** A third-party backend whose `run` returns whatever `produce` says. */
function fakeBackend(name: string, produce: (spec: ModelSpec, request: RunRequest, call: number) => RunResult, extra: Partial<Backend> = {}): FakeBackend {
  const backend: FakeBackend = {
    name,
    compiled: 0,
    disposed: 0,
    requests: [],
    available: async () => ({ ok: true }),
    compile: async (spec) => {
      backend.compiled++;
      let call = 0;
      return {
        backend: name,
        run: async (request) => {
          backend.requests.push(request);
          return produce(spec, request, call++);
        },
        dispose: () => {
          backend.disposed++;
        },
      };
    },
    ...extra,
  };
  return backend;
}

const tensorOf = (t: { shape: readonly number[]; data: readonly number[] }, scale = 1): Tensor => ({
  shape: [...t.shape],
  data: Float32Array.from(t.data, (v) => v * scale),
});

/** Outputs of the right shapes (batch and time taken from the input), every element `value`. */
function constantOutputs(value: number) {
  return (spec: ModelSpec, request: RunRequest): RunResult => ({
    outputs: spec.outputs.map((o) => {
      const shape = o.shape.map((d, i) => d ?? request.input.shape[i]);
      return { shape, data: new Float32Array(shape.reduce((n, d) => n * d, 1)).fill(value) };
    }),
    finalStates: spec.layers.map(() => null),
  });
}

/** Replays a fixture's expected outputs, each multiplied by `scale`; stateful fixtures call by call. */
function replay(fixture: Fixture, scale: number) {
  return (spec: ModelSpec, request: RunRequest, call: number): RunResult => {
    const outputs: readonly FixtureOutput[] = fixture.sequence ? fixture.sequence[call].outputs : fixture.outputs!;
    return {
      outputs: outputs.map((o) => tensorOf(o, scale)),
      // Recognisable final states (every value = call index + 1), so a test sees what the runner carries.
      finalStates: spec.layers.map((layer) =>
        isStatefulLayer(layer)
          ? stateShapes(layer, request.input.shape[0]).map((shape) => ({ shape, data: new Float32Array(shape[0] * shape[1]).fill(call + 1) }))
          : null,
      ),
    };
  };
}

function expectedMaxError(fixture: Fixture, value: number): number {
  let max = 0;
  for (const o of fixture.outputs!) for (const w of o.data) max = Math.max(max, elementError(value, Math.fround(w)));
  return max;
}

afterEach(() => {
  for (const name of ['fake', 'fake-wrong', 'fake-gone', 'fake-partial']) {
    if (getRegisteredBackend(name)) unregisterBackend(name);
  }
});

describe('runConformance with a third-party Backend object', () => {
  const layerCases = ['lstm-seq-state-b3-t13-i16-u32-seed183', 'gru-b3-t4-i16-u1-seed124', 'bi-gru-mnone-seq-b1-t4-i1-u3-seed225'].map(byId);

  it('registers the object under its name and fails wrong numbers with their max error', async () => {
    const backend = fakeBackend('fake-wrong', constantOutputs(0.5));
    const report = await runConformance({ backend, fixtures: layerCases });
    expect(getRegisteredBackend('fake-wrong')).toBe(backend);
    expect(report.backend).toBe('fake-wrong');
    expect(report.results.map((r) => r.case)).toEqual(layerCases.map((f) => f.id));
    for (const [i, result] of report.results.entries()) {
      const want = expectedMaxError(layerCases[i].fixture, 0.5);
      expect(want).toBeGreaterThan(0.01);
      expect(result.status).toBe('fail');
      expect(result.maxError).toBeCloseTo(want, 6);
      expect(result.message).toMatch(/^max error \S+ > 0\.00001 at \w+\[\d+\]: got 0\.5, expected /);
    }
    expect(backend.disposed).toBe(backend.compiled);
    expect(backend.compiled).toBe(3);
  });

  it('passes outputs within 1e-5 and fails them at 2e-5, passing initial state and mask through', async () => {
    const fixture = byId('simplernn-seq-state-actrelu-init-masklead-b3-t7-i5-u3-seed204');
    expect(fixture.fixture.call.initial_state).not.toBeNull();
    expect(fixture.fixture.call.mask).not.toBeNull();
    const close = fakeBackend('fake', replay(fixture.fixture, 1 + 4e-6));
    const [pass] = (await runConformance({ backend: close, fixtures: [fixture] })).results;
    expect(pass.status).toBe('pass');
    expect(pass.maxError).toBeGreaterThan(1e-6);
    expect(pass.maxError).toBeLessThanOrEqual(4.1e-6);
    const request = close.requests[0];
    expect(Array.from(request.mask!.data)).toEqual(fixture.fixture.call.mask!.data);
    expect(Array.from(request.initialStates[0]![0].data)).toEqual(Array.from(Float32Array.from(fixture.fixture.call.initial_state![0].data)));
    expect(Array.from(request.input.data)).toEqual(Array.from(Float32Array.from(fixture.fixture.inputs!.data)));

    const far = fakeBackend('fake', replay(fixture.fixture, 1 + 2e-5));
    const [fail] = (await runConformance({ backend: far, fixtures: [fixture] })).results;
    expect(fail.status).toBe('fail');
    expect(fail.maxError).toBeGreaterThan(1e-5);
  });

  it('runs a stateful sequence on one model, carrying states and resetting them where the fixture says', async () => {
    const fixture = all.find((f) => f.fixture.sequence?.some((s, k) => k > 0 && s.reset_states_before) && f.fixture.layer.class_name !== 'Bidirectional')!;
    const backend = fakeBackend('fake', replay(fixture.fixture, 1));
    const [result] = (await runConformance({ backend, fixtures: [fixture] })).results;
    expect(result).toEqual({ case: fixture.id, status: 'pass', maxError: 0, message: '' });
    expect(backend.compiled).toBe(1);
    const steps = fixture.fixture.sequence!;
    expect(backend.requests).toHaveLength(steps.length);
    for (const [k, step] of steps.entries()) {
      const carried = backend.requests[k].initialStates[0];
      if (k === 0 || step.reset_states_before) expect(carried).toBeNull();
      else expect(carried![0].data[0]).toBe(k);
    }
  });

  it('fails every case of an unavailable backend with its reason, without compiling', async () => {
    const backend = fakeBackend('fake-gone', constantOutputs(0), { available: async () => ({ ok: false, reason: 'no GPU here' }) });
    const report = await runConformance({ backend, fixtures: layerCases });
    expect(report.results).toEqual(
      layerCases.map((f) => ({ case: f.id, status: 'fail', maxError: null, message: 'backend "fake-gone" is not available: no GPU here' })),
    );
    expect(backend.compiled).toBe(0);
  });

  it('fails an unsupported case with the reason and disposes models whose run throws', async () => {
    const backend = fakeBackend(
      'fake-partial',
      () => {
        throw new Error('kernel exploded');
      },
      { supports: (spec) => (spec.layers[0].kind === 'bidirectional' ? { ok: false, reason: 'no Bidirectional' } : { ok: true }) },
    );
    const report = await runConformance({ backend, fixtures: layerCases });
    expect(report.results.map((r) => [r.status, r.maxError])).toEqual([
      ['fail', null],
      ['fail', null],
      ['fail', null],
    ]);
    expect(report.results[0].message).toBe('Error: kernel exploded');
    expect(report.results[2].message).toMatch(/UNSUPPORTED.*backend "fake-partial" cannot run model .*: no Bidirectional/);
    expect(backend.compiled).toBe(2);
    expect(backend.disposed).toBe(2);
  });

  it('fails cases on a name that is not registered', async () => {
    const report = await runConformance({ backend: 'no-such-backend', fixtures: layerCases.slice(0, 1) });
    expect(report.results[0]).toMatchObject({ status: 'fail', message: 'no backend "no-such-backend" is registered' });
  });

  it('filters case ids and reports progress after each case', async () => {
    const backend = fakeBackend('fake', constantOutputs(0));
    const progress: ConformanceProgress[] = [];
    const report = await runConformance({ backend, fixtures: all, filter: 'bi-gru-mconcat', onProgress: (p) => progress.push(p) });
    const expected = all.filter((f) => f.id.includes('bi-gru-mconcat')).map((f) => f.id);
    expect(expected.length).toBeGreaterThan(3);
    expect(report.results.map((r) => r.case)).toEqual(expected);
    expect(progress.map((p) => [p.done, p.total, p.result.case])).toEqual(expected.map((id, i) => [i + 1, expected.length, id]));
  });
});

describe('model fixtures from their files', () => {
  const models = all.filter((f) => f.fixture.model_file);

  it('adds an <id>#file case per model file only when a loader is given', () => {
    expect(listCases(models).map((c) => c.id)).toEqual(models.map((f) => f.id));
    const ids = listCases(models, { modelFileLoader: async () => Promise.reject(new Error('unused')) }).map((c) => c.id);
    expect(ids).toEqual(models.flatMap((f) => [f.id, `${f.id}#file`]));
    expect(ids.filter((id) => id.endsWith('#file'))).toHaveLength(47);
  });

  it('runs the model the loader returns and fails with the loader error', async () => {
    const fixture = byId('model-simplernn-bigru-sum-lstm-back-b2-t5-i3-seed902');
    const backend = fakeBackend('fake', replay(fixture.fixture, 1));
    const requests: { modelFile: string; backend: string }[] = [];
    const report = await runConformance({
      backend,
      fixtures: [fixture],
      filter: '#file',
      modelFileLoader: async ({ fixture: f, modelFile, backend: name }) => {
        requests.push({ modelFile, backend: name });
        return createModel(f.layer, { backend: name, weights: f.weights });
      },
    });
    expect(report.results).toEqual([{ case: `${fixture.id}#file`, status: 'pass', maxError: 0, message: '' }]);
    expect(requests).toEqual([{ modelFile: fixture.modelFile, backend: 'fake' }]);

    const failing = await runConformance({
      backend,
      fixtures: [fixture],
      filter: '#file',
      modelFileLoader: async () => {
        throw new Error('not a zip file');
      },
    });
    expect(failing.results[0]).toEqual({ case: `${fixture.id}#file`, status: 'fail', maxError: null, message: 'Error: not a zip file' });
  });
});
