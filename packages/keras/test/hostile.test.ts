import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type * as H5 from 'h5wasm';
import { ConfigError, FormatError, RnnError, WeightError } from '@rnn/core';
import { loadKerasModel } from '../src/node.js';
import { centralRecordOffset, deflatedZip, editH5, indexOfText, rezip, setAttribute, writeU32, zipEntry } from './craft.js';
import { fixturePath } from './fixtures.js';

const KERAS_FILE = fixturePath('models/model-masking-bilstm-gru-dense-b3-t6-i5-seed901.keras');
const H5_FILE = fixturePath('models/model-masking-bilstm-gru-dense-h5-b3-t6-i5-seed903.h5');
const keras = (): Uint8Array => new Uint8Array(readFileSync(KERAS_FILE));
const h5 = (): Uint8Array => new Uint8Array(readFileSync(H5_FILE));

/** The error a load ends in (the test fails if it loads). */
async function failure(source: Uint8Array | string, options: Parameters<typeof loadKerasModel>[1] = {}): Promise<RnnError> {
  try {
    await loadKerasModel(source, options);
  } catch (error) {
    if (error instanceof RnnError) return error;
    throw new Error(`expected an RnnError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected the load to fail');
}

interface LayerEntry {
  class_name: string;
  config: Record<string, unknown>;
}
type ModelConfig = { class_name: string; config: { layers: LayerEntry[] } };

function kerasConfig(): ModelConfig {
  return JSON.parse(new TextDecoder().decode(zipEntry(keras(), 'config.json'))) as ModelConfig;
}

function withConfig(edit: (config: ModelConfig) => void): Uint8Array {
  const config = kerasConfig();
  edit(config);
  return rezip(keras(), { 'config.json': JSON.stringify(config) });
}

function gruOf(config: ModelConfig): LayerEntry {
  return config.config.layers.find((l) => l.class_name === 'GRU')!;
}

function denseOf(config: ModelConfig): LayerEntry {
  return config.config.layers.find((l) => l.class_name === 'Dense')!;
}

describe('files that are not Keras model files', () => {
  it.each([
    ['an empty file', new Uint8Array(0)],
    ['random bytes', Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)],
    ['JSON', new TextEncoder().encode('{"class_name": "Sequential", "config": {}}')],
  ])('%s → FormatError', async (_, bytes) => {
    const error = await failure(bytes);
    expect(error).toBeInstanceOf(FormatError);
    expect(error.message).toMatch(/not a Keras model file/);
  });

  it('names a missing path, and a folder, instead of crashing', async () => {
    expect((await failure('/nonexistent/model.keras')).message).toMatch(/no such file/);
    expect((await failure(mkdtempSync(join(tmpdir(), 'rnn-keras-')))).message).toMatch(/is not a file/);
  });
});

describe('truncated and corrupt files', () => {
  it('a .keras file cut anywhere is a FormatError', async () => {
    const bytes = keras();
    for (const length of [4, 100, bytes.length >> 1, bytes.length - 200, bytes.length - 1]) {
      expect(await failure(bytes.subarray(0, length)), `cut at ${length}`).toBeInstanceOf(FormatError);
    }
  });

  it('an .h5 file cut anywhere is a FormatError', async () => {
    const bytes = h5();
    for (const length of [8, 600, 3000, bytes.length >> 1, bytes.length - 1000]) {
      const error = await failure(bytes.subarray(0, length));
      expect(error, `cut at ${length}: ${error.message}`).toBeInstanceOf(FormatError);
    }
  });

  it('a flipped byte inside a stored zip entry fails its CRC', async () => {
    const bytes = keras();
    const at = indexOfText(bytes, '"units": 8');
    bytes[at + 9] = '9'.charCodeAt(0);
    const error = await failure(bytes);
    expect(error).toBeInstanceOf(FormatError);
    expect(error.message).toMatch(/config\.json.*CRC-32/);
  });

  it('a .keras file whose weights entry is not HDF5 is a FormatError', async () => {
    const error = await failure(rezip(keras(), { 'model.weights.h5': 'not hdf5 at all' }));
    expect(error).toBeInstanceOf(FormatError);
    expect(error.message).toMatch(/HDF5/);
  });

  it('a .keras file without model.weights.h5 says what it lacks', async () => {
    const error = await failure(rezip(keras(), { 'model.weights.h5': null }));
    expect(error.message).toMatch(/no "model\.weights\.h5" entry/);
  });

  it('a corrupt HDF5 heap that sends HDF5 into an endless loop is stopped, and later loads still work', async () => {
    // One byte of the global heap of this file (a string's length) found by fuzzing: HDF5 loops forever on it.
    const bytes = h5();
    bytes[7689] = 3;
    const error = await failure(bytes, { hdf5TimeoutMs: 3000 });
    expect(error).toBeInstanceOf(FormatError);
    expect(error.message).toMatch(/did not finish within 30\d\d ms/);
    const loaded = await loadKerasModel(h5(), { hdf5TimeoutMs: 3000 });
    expect(loaded.weights).toHaveLength(11);
  });
});

describe('declared sizes are checked before anything is allocated', () => {
  let big: Uint8Array | undefined;
  const bigEntry = (): Uint8Array =>
    (big ??= deflatedZip({ 'config.json': zipEntry(keras(), 'config.json'), 'model.weights.h5': new Uint8Array(16 * 1024 * 1024) })).slice();

  it('an entry declaring more than maxDecompressedBytes is refused', async () => {
    const error = await failure(bigEntry(), { limits: { maxDecompressedBytes: 4 * 1024 * 1024 } });
    expect(error).toBeInstanceOf(FormatError);
    expect(error.message).toMatch(/16777216 bytes, over the limit of 4194304.*maxDecompressedBytes/);
  });

  it('an entry that inflates past its declared size (a zip bomb) stops early', async () => {
    const bomb = bigEntry();
    writeU32(bomb, centralRecordOffset(bomb, 'model.weights.h5') + 24, 1000);
    const error = await failure(bomb);
    expect(error).toBeInstanceOf(FormatError);
    expect(error.message).toMatch(/inflates past its declared 1000 bytes/);
  });

  it('a central directory declaring too many entries is refused', async () => {
    const error = await failure(keras(), { limits: { maxZipEntries: 2 } });
    expect(error.message).toMatch(/declares 3 entries, over the limit of 2/);
  });

  it('a file over maxFileBytes is refused before it is read', async () => {
    const error = await failure(KERAS_FILE, { limits: { maxFileBytes: 1000 } });
    expect(error.message).toMatch(/over the limit of 1000 \(raise limits\.maxFileBytes/);
  });

  it('a config declaring huge units is refused before weights are read', async () => {
    const error = await failure(withConfig((c) => void (denseOf(c).config.units = 1_000_000_000)));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/units 1000000000 is over the limit of 16384/);
    expect(error.layer).toBe('dense');
  });

  it('weights over maxWeightBytes are refused from the config alone', async () => {
    const error = await failure(KERAS_FILE, { limits: { maxWeightBytes: 1000 } });
    expect(error).toBeInstanceOf(WeightError);
    expect(error.message).toMatch(/more than 1000 bytes of weights/);
  });
});

describe('configs that are invalid, unsupported or disagree with the weights', () => {
  it('config.json that is not JSON is a FormatError', async () => {
    const error = await failure(rezip(keras(), { 'config.json': '{"class_name": "Sequential", ' }));
    expect(error).toBeInstanceOf(FormatError);
    expect(error.message).toMatch(/config\.json is not valid JSON/);
  });

  it('an unknown layer is a ConfigError naming it', async () => {
    const error = await failure(withConfig((c) => void (gruOf(c).class_name = 'Conv1D')));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/Conv1D/);
  });

  it('a Functional model that is not a single chain is a ConfigError', async () => {
    const lstm = (name: string) => ({
      class_name: 'LSTM',
      name,
      config: { name, units: 2 },
      inbound_nodes: [{ args: [{ class_name: '__keras_tensor__', config: { shape: [null, 6, 5], keras_history: ['in', 0, 0] } }], kwargs: {} }],
    });
    const functional = {
      class_name: 'Functional',
      config: {
        name: 'branches',
        layers: [{ class_name: 'InputLayer', name: 'in', config: { batch_shape: [null, 6, 5], name: 'in' }, inbound_nodes: [] }, lstm('a'), lstm('b')],
        input_layers: [['in', 0, 0]],
        output_layers: [['a', 0, 0], ['b', 0, 0]],
      },
    };
    const error = await failure(rezip(keras(), { 'config.json': JSON.stringify(functional) }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/single chain/);
  });

  it('units that disagree with the stored weights are a WeightError naming layer and shapes', async () => {
    const error = await failure(withConfig((c) => void (denseOf(c).config.units = 3)));
    expect(error).toBeInstanceOf(WeightError);
    expect(error.layer).toBe('dense');
    expect(error.message).toMatch(/dense\/kernel should be \(4, 3\), but the file stores \(4, 2\)/);
  });

  it('a Keras 1 file (keras_version 1.x) is refused by version', async () => {
    const error = await failure(rezip(keras(), { 'metadata.json': '{"keras_version": "1.2.2"}' }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/Keras 1\.2\.2; only Keras 2 and 3/);
  });

  it('a .keras file without metadata.json is read as Keras 3', async () => {
    const loaded = await loadKerasModel(rezip(keras(), { 'metadata.json': null }));
    expect(loaded.kerasVersion).toBe(3);
  });
});

describe('legacy .h5 files with broken parts', () => {
  const gruKernel = 'model_weights/gru/sequential/gru/gru_cell/kernel';

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('a %s weight is a WeightError naming the layer and index', async (_, value) => {
    const bytes = await editH5(h5(), (file) => (file.get(gruKernel) as H5.Dataset).write_slice([[3, 4], [5, 6]], new Float32Array([value])));
    const error = await failure(bytes);
    expect(error).toBeInstanceOf(WeightError);
    expect(error.layer).toBe('gru');
    expect(error.message).toMatch(/gru_cell\/kernel .*index \[3, 5\]/);
  });

  it('no keras_version means Keras 1, refused by version', async () => {
    const bytes = await editH5(h5(), (file) => {
      file.delete_attribute('keras_version');
      (file.get('model_weights') as H5.Group).delete_attribute('keras_version');
    });
    expect((await failure(bytes)).message).toMatch(/Keras 1\.x \(no keras_version recorded\)/);
  });

  it('no model_config means a weights-only file', async () => {
    const bytes = await editH5(h5(), (file) => file.delete_attribute('model_config'));
    const error = await failure(bytes);
    expect(error).toBeInstanceOf(FormatError);
    expect(error.message).toMatch(/no model_config attribute/);
  });

  it('weight_names naming a dataset that is not there is a WeightError', async () => {
    const bytes = await editH5(h5(), (file) => {
      const group = file.get('model_weights/dense') as H5.Group;
      group.delete_attribute('weight_names');
      group.create_attribute('weight_names', ['sequential/dense/kernel', 'sequential/dense/missing']);
    });
    const error = await failure(bytes);
    expect(error).toBeInstanceOf(WeightError);
    expect(error.message).toMatch(/dense\/bias should be stored at .*sequential\/dense\/missing, but the file has no dataset there/);
  });

  it('a file holding weights for fewer layers than the config is a WeightError listing both', async () => {
    const bytes = await editH5(h5(), (file) => {
      const group = file.get('model_weights') as H5.Group;
      group.delete_attribute('layer_names');
      group.create_attribute('layer_names', ['masking', 'bidirectional', 'gru']);
    });
    const error = await failure(bytes);
    expect(error).toBeInstanceOf(WeightError);
    expect(error.message).toMatch(/3 layers with weights \(bidirectional, gru, dense\), but the file stores weights for 2/);
  });

  it('a model_config of another model is refused by the weight shapes', async () => {
    const other = new TextDecoder().decode(zipEntry(new Uint8Array(readFileSync(fixturePath('models/model-simplernn-bigru-sum-lstm-back-b2-t5-i3-seed902.keras'))), 'config.json'));
    const bytes = await editH5(h5(), (file) => setAttribute(file, '/', 'model_config', other));
    expect(await failure(bytes)).toBeInstanceOf(WeightError);
  });
});
