import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import '@rnn/backend-cpu';
import { getRegisteredBackend, parseConfig, type ModelSpec } from '@rnn/core';
import { compareOutputs } from '@rnn/conformance';
import { loadKerasModel, loadModel } from '../src/node.js';
import { loadKerasModel as loadKerasModelFromBytes } from '../src/index.js';
import { editH5, setAttribute } from './craft.js';
import { fixturePath, readJson, type ModelFixture } from './fixtures.js';

interface FileCase {
  readonly id: string;
  readonly json: string;
  readonly file: string;
}

/** Every model fixture that names its saved file: models/ and real-world/models/. */
function fileCases(): FileCase[] {
  const fromDir = (dir: string): FileCase[] =>
    readdirSync(fixturePath(dir))
      .filter((name) => name.endsWith('.json'))
      .flatMap((name) => {
        const fixture = readJson<ModelFixture>(dir, name);
        return fixture.model_file ? [{ id: fixture.id, json: fixturePath(dir, name), file: fixturePath(dir, fixture.model_file) }] : [];
      });
  return [...fromDir('models'), ...fromDir('real-world/models')];
}

const CASES = fileCases();
const KERAS2_FILE_RUN = 'real-world/files/ext-aind-gru-timedistributed-keras2-0-4-b3-t21.run.json';

/** Backends besides cpu, run when their package imports and reports itself available here. */
const OPTIONAL_BACKENDS: readonly { readonly pkg: string; readonly name: string }[] = [
  { pkg: '@rnn/backend-tfjs', name: 'tfjs:cpu' },
  { pkg: '@rnn/backend-onnx', name: 'onnx:cpu' },
];

async function availableBackends(): Promise<string[]> {
  const names = ['cpu'];
  for (const { pkg, name } of OPTIONAL_BACKENDS) {
    try {
      await import(pkg);
    } catch {
      continue;
    }
    const backend = getRegisteredBackend(name);
    if (backend && (await backend.available()).ok) names.push(name);
  }
  return names;
}

/**
 * The spec without its Keras version and initializers: older Keras versions serialise initializers
 * with fewer keys (no `input_axes`), which only matters for fresh weights, never for loaded ones.
 */
function comparable(spec: ModelSpec): unknown {
  return JSON.parse(JSON.stringify({ ...spec, kerasVersion: undefined }, (key, value: unknown) => (key === 'initializers' ? undefined : value)));
}

function readFixture(path: string): ModelFixture {
  return JSON.parse(readFileSync(path, 'utf8')) as ModelFixture;
}

describe('model files load to the config and weights of their fixtures', () => {
  it('finds the fixture files (both .keras fixtures, the .h5, and the real-world files)', () => {
    expect(CASES.filter((c) => c.file.endsWith('.keras')).length).toBeGreaterThanOrEqual(4);
    expect(CASES.filter((c) => c.file.endsWith('.h5')).length).toBeGreaterThanOrEqual(2);
  });

  for (const testCase of CASES) {
    it(`${testCase.id}: weights bit-exact, same spec`, async () => {
      const fixture = readFixture(testCase.json);
      const loaded = await loadKerasModel(testCase.file);
      expect(loaded.format).toBe(testCase.file.endsWith('.keras') ? 'keras' : 'h5');
      expect(loaded.weights.map((w) => w.shape)).toEqual(fixture.weights.map((w) => w.shape));
      loaded.weights.forEach((w, i) => {
        const want = Float32Array.from(fixture.weights[i].data);
        expect(w.data).toEqual(want);
      });
      // The fixture's config is Keras 3's reading of the file; a Keras 2 file parses to the same layers.
      const expected = parseConfig(fixture.layer, { kerasVersion: 3 });
      expect(comparable(loaded.spec)).toEqual(comparable(expected));
      expect(loaded.kerasVersion).toBe(Number(loaded.kerasVersionString.split('.')[0]));
    });
  }

  it('reads the same file from bytes in this thread (the browser entry)', async () => {
    const file = CASES.find((c) => c.file.endsWith('.keras'))!;
    const fromPath = await loadKerasModel(file.file);
    const fromBytes = await loadKerasModelFromBytes(new Uint8Array(readFileSync(file.file)).buffer);
    expect(fromBytes.weights).toEqual(fromPath.weights);
    expect(fromBytes.spec).toEqual(fromPath.spec);
  });

  it('records what wrote each file', async () => {
    const bilstm = await loadKerasModel(fixturePath('real-world/models/ext-bilstm-forecast-tfkeras2-10-b3-t12.h5'));
    expect([bilstm.kerasVersion, bilstm.kerasVersionString, bilstm.writtenBy]).toEqual([2, '2.10.0', 'tensorflow']);
    const spam = await loadKerasModel(fixturePath('real-world/models/ext-spam-embedding-gru-mask-keras3-13-2-b3-t500.keras'));
    expect([spam.kerasVersion, spam.kerasVersionString, spam.format]).toEqual([3, '3.13.2', 'keras']);
  });
});

describe('model files run like Keras', () => {
  let backends: string[] = [];
  // Importing tfjs and onnxruntime takes seconds, more on a busy machine.
  beforeAll(async () => {
    backends = await availableBackends();
  }, 180_000);

  for (const testCase of CASES) {
    it(`${testCase.id}: outputs within 1e-5 on every available backend`, async () => {
      const fixture = readFixture(testCase.json);
      expect(backends).toContain('cpu');
      for (const backend of backends) {
        const model = await loadModel(testCase.file, { backend });
        try {
          const outputs = await model.run(fixture.inputs);
          const comparison = compareOutputs(outputs, fixture.outputs);
          expect(comparison.message, `${backend}: ${comparison.message}`).toBe('');
          expect(comparison.ok).toBe(true);
        } finally {
          await model.dispose();
        }
      }
    });
  }
});

/** Keras 2 files with CuDNNLSTM / CuDNNGRU layers (tooling/goldens/cudnn_files.py), each with its expected run. */
const CUDNN_RUNS = readdirSync(fixturePath('cudnn')).filter((name) => name.endsWith('.run.json'));

describe('Keras 2 CuDNNLSTM and CuDNNGRU files', () => {
  let backends: string[] = [];
  beforeAll(async () => {
    backends = await availableBackends();
  }, 180_000);

  it('finds the files', () => {
    expect(CUDNN_RUNS.length).toBeGreaterThanOrEqual(5);
  });

  for (const name of CUDNN_RUNS) {
    it(`${name}: loads as LSTM / reset_after GRU with converted weights and runs like Keras on every available backend`, async () => {
      const run = readJson<{ model_file: string; inputs: ModelFixture['inputs']; outputs: ModelFixture['outputs'] }>('cudnn', name);
      const file = fixturePath('cudnn', run.model_file);
      const loaded = await loadKerasModel(file);
      expect(loaded.kerasVersion).toBe(2);
      const recurrent = loaded.spec.layers.flatMap((layer) =>
        layer.kind === 'rnn' ? [layer] : layer.kind === 'bidirectional' ? [layer.forward, layer.backward] : [],
      );
      expect(recurrent.length).toBeGreaterThan(0);
      for (const layer of recurrent) {
        expect(layer).toMatchObject({ weightLayout: 'cudnn', activation: 'tanh', recurrentActivation: 'sigmoid', useBias: true });
        if (layer.cell === 'GRU') expect(layer.resetAfter).toBe(true);
      }
      for (const backend of backends) {
        const model = await loadModel(file, { backend });
        try {
          const comparison = compareOutputs(await model.run(run.inputs), run.outputs);
          expect(comparison.message, `${backend}: ${comparison.message}`).toBe('');
          // getWeights() gives the file's layout back: kernels bit for bit (a GRU's bias too; an LSTM's
          // two biases come back as equal halves of their sum, which is all the layer reads).
          const weights = model.getWeights();
          expect(weights.map((w) => w.shape)).toEqual(loaded.weights.map((w) => w.shape));
          weights.forEach((w, i) => {
            if (w.shape.length === 2) expect(w.data).toEqual(loaded.weights[i].data);
          });
        } finally {
          await model.dispose();
        }
      }
    });
  }
});

describe('Keras 2 semantics follow the version the file records', () => {
  it('runs the unmodified Keras 2.0.4 file with Keras 2 hard_sigmoid and reset_after=false', async () => {
    const run = readJson<{ model_file: string; inputs: ModelFixture['inputs']; outputs: ModelFixture['outputs'] }>(KERAS2_FILE_RUN);
    const file = fixturePath('real-world/files', run.model_file);
    const loaded = await loadKerasModel(file);
    expect(loaded.kerasVersion).toBe(2);
    const gru = loaded.spec.layers[0];
    expect(gru.kind === 'rnn' && [gru.recurrentActivation, gru.resetAfter]).toEqual(['hard_sigmoid_keras2', false]);

    const model = await loadModel(file, { backend: 'cpu' });
    const outputs = await model.run(run.inputs);
    const comparison = compareOutputs(outputs, run.outputs);
    expect(comparison.message).toBe('');

    // Keras 3's reading of the same weights (hard_sigmoid = x/6 + 0.5) is measurably different.
    const keras3 = readJson<ModelFixture>('real-world/models/ext-aind-gru-timedistributed-keras2-0-4-b3-t21.json');
    expect(compareOutputs(outputs, keras3.outputs).maxError).toBeGreaterThan(1e-3);
    await model.dispose();
  });

  it('decides hard_sigmoid by keras_version: the same config means x/6+0.5 from Keras 3, 0.2x+0.5 from Keras 2', async () => {
    const original = new Uint8Array(readFileSync(fixturePath('models/model-masking-bilstm-gru-dense-h5-b3-t6-i5-seed903.h5')));
    const withHardSigmoid = async (version: string) =>
      editH5(original, (file) => {
        const config = JSON.parse(String(file.attrs.model_config.value)) as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
        const gru = config.config.layers.find((l) => l.class_name === 'GRU')!;
        gru.config.recurrent_activation = 'hard_sigmoid';
        setAttribute(file, '/', 'model_config', JSON.stringify(config));
        setAttribute(file, '/', 'keras_version', version);
      });
    const fixture = readJson<ModelFixture>('models/model-masking-bilstm-gru-dense-h5-b3-t6-i5-seed903.json');
    const results: number[][] = [];
    for (const [version, activation] of [
      ['3.15.1', 'hard_sigmoid'],
      ['2.10.0', 'hard_sigmoid_keras2'],
    ] as const) {
      const bytes = await withHardSigmoid(version);
      const loaded = await loadKerasModel(bytes);
      const gru = loaded.spec.layers.find((l) => l.kind === 'rnn' && l.cell === 'GRU');
      expect(gru?.kind === 'rnn' && gru.recurrentActivation).toBe(activation);
      const model = await loadModel(bytes, { backend: 'cpu' });
      results.push([...(await model.run(fixture.inputs))[0].data]);
      await model.dispose();
    }
    expect(results[0]).not.toEqual(results[1]);
  });
});
