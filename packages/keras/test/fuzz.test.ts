import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RnnError, firstNonFinite, sameShape, weightSlots } from '@rnn/core';
import { loadKerasModel, type LoadedKerasModel } from '../src/node.js';
import { rezip, zipEntry } from './craft.js';
import { fixturePath } from './fixtures.js';

/**
 * Mutates the fixture model files (their bytes, the HDF5 inside a `.keras`, and the JSON config)
 * and asserts that every load ends in a typed RnnError or a load whose weights fit its config.
 * CI runs RUNS cases per property with a fixed seed (well under a minute on 2 cores); raise them
 * for a long local run, e.g. `RNN_FUZZ_RUNS=20000 RNN_FUZZ_SEED=$RANDOM npx vitest run test/fuzz.test.ts`.
 */
const RUNS = Number(process.env.RNN_FUZZ_RUNS ?? 400);
const SEED = Number(process.env.RNN_FUZZ_SEED ?? 20240601);
/** Healthy fixture files parse in milliseconds; a corrupt one that makes HDF5 loop is stopped after this. */
const HDF5_TIMEOUT_MS = 5000;
const TEST_TIMEOUT_MS = Math.max(120_000, RUNS * 1000);

const SEEDS = {
  keras: fixturePath('models/model-masking-bilstm-gru-dense-b3-t6-i5-seed901.keras'),
  keras2: fixturePath('models/model-simplernn-bigru-sum-lstm-back-b2-t5-i3-seed902.keras'),
  h5: fixturePath('models/model-masking-bilstm-gru-dense-h5-b3-t6-i5-seed903.h5'),
  keras2H5: fixturePath('real-world/models/ext-bilstm-forecast-tfkeras2-10-b3-t12.h5'),
} as const;
type SeedName = keyof typeof SEEDS;
const seedBytes = Object.fromEntries(Object.entries(SEEDS).map(([name, path]) => [name, new Uint8Array(readFileSync(path))])) as Record<SeedName, Uint8Array>;

const originals = new Map<SeedName, LoadedKerasModel>();
async function original(name: SeedName): Promise<LoadedKerasModel> {
  let loaded = originals.get(name);
  if (!loaded) originals.set(name, (loaded = await loadKerasModel(seedBytes[name])));
  return loaded;
}

type Outcome = { readonly loaded: LoadedKerasModel } | { readonly error: unknown };

async function load(bytes: Uint8Array): Promise<Outcome> {
  try {
    return { loaded: await loadKerasModel(bytes, { hdf5TimeoutMs: HDF5_TIMEOUT_MS }) };
  } catch (error) {
    return { error };
  }
}

/** Outcomes per property (`loaded`, `FORMAT`, `CONFIG`, `WEIGHTS`), printed so a run shows what it exercised. */
let tally: Record<string, number> = {};

/** A failure must be one of the loader's typed errors; a success must be weights that fit the config. */
function checkOutcome(outcome: Outcome): LoadedKerasModel | null {
  const kind =
    'error' in outcome
      ? outcome.error instanceof RnnError
        ? `${outcome.error.code}${outcome.error.message.includes('did not finish') ? ' (HDF5 stopped after a timeout)' : ''}`
        : 'untyped'
      : 'loaded';
  tally[kind] = (tally[kind] ?? 0) + 1;
  if ('error' in outcome) {
    const { error } = outcome;
    if (!(error instanceof RnnError) || !['FORMAT', 'CONFIG', 'WEIGHTS'].includes(error.code)) {
      throw new Error(`untyped failure: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, { cause: error });
    }
    return null;
  }
  const { loaded } = outcome;
  const slots = weightSlots(loaded.spec);
  expect(loaded.weights).toHaveLength(slots.length);
  loaded.weights.forEach((w, i) => {
    expect(sameShape(w.shape, slots[i].shape)).toBe(true);
    expect(w.data.length).toBe(slots[i].shape.reduce((a, b) => a * b, 1));
    expect(firstNonFinite(w.data)).toBe(-1);
  });
  return loaded;
}

/** A position anywhere in a file: unbiased (fast-check otherwise favours small numbers, i.e. the header). */
const anywhere = fc.noBias(fc.nat());

/** Byte edits: overwrite a few bytes, fill a short run, and maybe cut the end. */
const byteEdits = fc.record({
  writes: fc.array(fc.record({ at: anywhere, value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 8 }),
  run: fc.option(fc.record({ at: anywhere, length: fc.integer({ min: 1, max: 64 }), value: fc.constantFrom(0x00, 0xff) })),
  cut: fc.oneof({ arbitrary: fc.constant(null), weight: 4 }, { arbitrary: anywhere, weight: 1 }),
});
type ByteEdits = typeof byteEdits extends fc.Arbitrary<infer T> ? T : never;

function mutateBytes(source: Uint8Array, edits: ByteEdits): Uint8Array {
  const bytes = source.slice();
  const index = (position: number) => position % bytes.length;
  for (const { at, value } of edits.writes) bytes[index(at)] = value;
  if (edits.run) bytes.fill(edits.run.value, index(edits.run.at), index(edits.run.at) + edits.run.length);
  return edits.cut === null ? bytes : bytes.subarray(0, index(edits.cut));
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a value in a JSON document. */
function jsonPaths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const here = prefix.length > 0 ? [prefix] : [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((item, i) => jsonPaths(item, [...prefix, i]))];
  if (value !== null && typeof value === 'object') return [...here, ...Object.entries(value).flatMap(([k, v]) => jsonPaths(v, [...prefix, k]))];
  return here;
}

const REPLACEMENTS: fc.Arbitrary<Json | undefined> = fc.oneof(
  fc.constant(undefined), // delete the key / array item
  fc.constantFrom<Json>(0, -1, 1, 2.5, 1e9, -1e9, 1e300, null, true, '', [], {}, 'hard_sigmoid', 'relu', 'softmax', 'LSTM', 'GRU', 'Conv1D', 'Sequential', 'Bidirectional'),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

function mutateJson(document: Json, pick: number, replacement: Json | undefined): Json {
  const copy = JSON.parse(JSON.stringify(document)) as Json;
  const paths = jsonPaths(copy);
  const path = paths[pick % paths.length];
  const parent = path.slice(0, -1).reduce<Json>((node, key) => (node as Record<string | number, Json>)[key], copy) as Record<string | number, Json> | Json[];
  const key = path[path.length - 1];
  if (replacement === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else {
    (parent as Record<string | number, Json>)[key] = replacement;
  }
  return copy;
}

const runs = { numRuns: RUNS, seed: SEED, endOnFailure: true };

beforeEach(() => {
  tally = {};
});
afterEach((context) => {
  console.log(`${context.task.name}: ${JSON.stringify(tally)}`);
});

describe(`fuzzed model files end in a typed error or a consistent load (${RUNS} runs per property, seed ${SEED})`, () => {
  it(
    'mutated file bytes (.keras zips and .h5 files)',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom<SeedName>('keras', 'keras2', 'h5', 'keras2H5'), byteEdits, async (seed, edits) => {
          const loaded = checkOutcome(await load(mutateBytes(seedBytes[seed], edits)));
          // Every .keras entry is CRC-checked: a zip that still loads holds the original config and weights.
          if (loaded && loaded.format === 'keras') expect(loaded.weights).toEqual((await original(seed)).weights);
        }),
        runs,
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'mutated HDF5 inside an intact .keras zip',
    async () => {
      const weights = { keras: zipEntry(seedBytes.keras, 'model.weights.h5'), keras2: zipEntry(seedBytes.keras2, 'model.weights.h5') };
      await fc.assert(
        fc.asyncProperty(fc.constantFrom<'keras' | 'keras2'>('keras', 'keras2'), byteEdits, async (seed, edits) => {
          checkOutcome(await load(rezip(seedBytes[seed], { 'model.weights.h5': mutateBytes(weights[seed], edits) })));
        }),
        runs,
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'mutated config.json',
    async () => {
      const configs = {
        keras: JSON.parse(new TextDecoder().decode(zipEntry(seedBytes.keras, 'config.json'))) as Json,
        keras2: JSON.parse(new TextDecoder().decode(zipEntry(seedBytes.keras2, 'config.json'))) as Json,
      };
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom<'keras' | 'keras2'>('keras', 'keras2'),
          fc.array(fc.tuple(anywhere, REPLACEMENTS), { minLength: 1, maxLength: 3 }),
          async (seed, edits) => {
            const config = edits.reduce((doc, [pick, replacement]) => mutateJson(doc, pick, replacement), configs[seed]);
            checkOutcome(await load(rezip(seedBytes[seed], { 'config.json': JSON.stringify(config) })));
          },
        ),
        runs,
      );
    },
    TEST_TIMEOUT_MS,
  );

  it('the fixture files still load after all of that (no broken HDF5 state)', async () => {
    for (const seed of Object.keys(SEEDS) as SeedName[]) {
      const loaded = await loadKerasModel(seedBytes[seed]);
      expect(loaded.weights).toEqual((await original(seed)).weights);
    }
  });
});
