import type { FixtureIndex } from '@rnn/browser-conformance/browser';
import { fetchFixtureIndex, fetchServedFixture } from '@rnn/browser-conformance/browser';
import type { FixtureOutput } from '@rnn/conformance';
import type { KerasConfig, ModelSpec, RunOptions, Tensor, TensorLike } from '@rnn/core';
import { createModel, toTensor } from '@rnn/core';
import { loadKerasModel } from '@rnn/keras';

/** The golden fixtures, next to the page (relative, so a build works from any folder of a static server). */
export const FIXTURES_BASE = './rnn-fixtures';

/** A model ready to compile on any backend, whatever it came from. */
export interface ModelSource {
  readonly title: string;
  /** Where it came from, for the summary line. */
  readonly origin: string;
  readonly config: KerasConfig;
  readonly weights: readonly TensorLike[];
  readonly kerasVersion: 2 | 3;
  /** `null` when the config has no input shape and the weights do not tell the features either. */
  readonly spec: ModelSpec | null;
  /** A call Keras made on this model, and what it returned. */
  readonly example: KerasExample | null;
}

export interface KerasExample {
  readonly input: Tensor;
  readonly options: RunOptions;
  readonly expected: readonly FixtureOutput[];
}

export interface BundledExample {
  /** A golden fixture id. */
  readonly id: string;
  readonly title: string;
  /** Load the fixture's saved `.keras`/`.h5` file (as a dropped file is), not its JSON config and weights. */
  readonly fromFile: boolean;
}

export const EXAMPLES: readonly BundledExample[] = [
  {
    id: 'seed-bilstm-state-b1-t4-i5-u3',
    title: 'Seed tutorial: Bidirectional(LSTM(3, return_state=True)), constant 0.1 kernels',
    fromFile: false,
  },
  { id: 'model-masking-bilstm-gru-dense-b3-t6-i5-seed901', title: 'Masking → Bidirectional(LSTM) → GRU → Dense (.keras file)', fromFile: true },
  { id: 'model-masking-bilstm-gru-dense-h5-b3-t6-i5-seed903', title: 'The same layers from a legacy .h5 file', fromFile: true },
  {
    id: 'model-simplernn-bigru-sum-lstm-back-b2-t5-i3-seed902',
    title: 'SimpleRNN → Bidirectional(GRU, sum) → LSTM(go_backwards) (.keras file)',
    fromFile: true,
  },
  { id: 'ext-hko-simplernn-relu-keras3-10-b3-t30', title: 'Real world: a weather SimpleRNN trained with Keras 3.10 (.keras file)', fromFile: true },
];

let index: Promise<FixtureIndex> | null = null;

export async function loadExample(example: BundledExample): Promise<ModelSource> {
  index ??= fetchFixtureIndex(FIXTURES_BASE);
  const entry = (await index).fixtures.find((f) => f.id === example.id);
  if (!entry) throw new Error(`the bundled fixtures have no "${example.id}"`);
  const loaded = await fetchServedFixture(entry, FIXTURES_BASE);
  const { fixture } = loaded;
  const recorded: KerasExample | null =
    fixture.inputs && fixture.outputs
      ? {
          input: toTensor(fixture.inputs),
          options: { mask: fixture.call.mask ?? undefined, initialState: fixture.call.initial_state ?? undefined },
          expected: fixture.outputs,
        }
      : null;
  if (example.fromFile && loaded.modelFile) {
    const response = await fetch(loaded.modelFile);
    if (!response.ok) throw new Error(`GET ${loaded.modelFile}: ${response.status} ${response.statusText}`);
    const file = fixture.model_file ?? loaded.modelFile;
    return { ...(await fromBytes(new Uint8Array(await response.arrayBuffer()), file)), title: example.title, example: recorded };
  }
  const config = fixture.layer as KerasConfig;
  return {
    title: example.title,
    origin: `fixture ${fixture.id}.json · config and weights from Keras ${fixture.generator.keras}`,
    config,
    weights: fixture.weights,
    kerasVersion: 3,
    spec: await specOf(config, fixture.weights),
    example: recorded,
  };
}

/** A dropped or picked `.keras` / `.h5` file. */
export async function loadFile(file: File): Promise<ModelSource> {
  return { ...(await fromBytes(new Uint8Array(await file.arrayBuffer()), file.name)), title: file.name, example: null };
}

async function fromBytes(bytes: Uint8Array, name: string): Promise<Omit<ModelSource, 'title' | 'example'>> {
  const loaded = await loadKerasModel(bytes);
  return {
    origin: `${name} · ${loaded.format === 'keras' ? 'Keras 3 zip' : 'legacy HDF5'} written by Keras ${loaded.kerasVersionString}`,
    config: loaded.config,
    weights: loaded.weights,
    kerasVersion: loaded.kerasVersion,
    spec: loaded.spec,
  };
}

/** The parsed spec, as `createModel` builds it (the features may come from the weights). */
async function specOf(config: KerasConfig, weights: readonly TensorLike[]): Promise<ModelSpec | null> {
  const model = await createModel(config, { backend: 'cpu', weights });
  try {
    return model.spec;
  } finally {
    await model.dispose();
  }
}
