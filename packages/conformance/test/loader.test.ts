import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError } from '@rnn/core';
import { afterEach, describe, expect, it } from 'vitest';
import { bundledFixturesDir, fixtureFamily, loadFixtureFile, loadFixtures } from '../src/node.js';

const goodCase = join(bundledFixturesDir, 'cases', 'simplernn-b3-t4-i5-u3-seed103.json');
const temporary: string[] = [];

function tempFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-fixtures-'));
  temporary.push(dir);
  mkdirSync(join(dir, 'cases'));
  return dir;
}

/** Writes a copy of the good fixture into `dir/cases` after `edit` changes the parsed JSON. */
function writeEdited(dir: string, edit: (fixture: Record<string, any>) => void, id = 'simplernn-b3-t4-i5-u3-seed103'): string {
  const fixture = JSON.parse(readFileSync(goodCase, 'utf8'));
  edit(fixture);
  const file = join(dir, 'cases', `${id}.json`);
  writeFileSync(file, JSON.stringify(fixture));
  return file;
}

function formatErrorOf(run: () => unknown): FormatError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
    return error as FormatError;
  }
  throw new Error('expected a FormatError');
}

afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('loadFixtures (bundled set)', () => {
  const fixtures = loadFixtures();

  it('loads every case of the three manifests, with real-world/ and extra/ models', () => {
    const manifest = JSON.parse(readFileSync(join(bundledFixturesDir, 'manifest.json'), 'utf8'));
    const realWorld = JSON.parse(readFileSync(join(bundledFixturesDir, 'real-world', 'manifest.json'), 'utf8'));
    const extra = JSON.parse(readFileSync(join(bundledFixturesDir, 'extra', 'manifest.json'), 'utf8'));
    const ids = fixtures.map((f) => f.id).sort();
    const expected = [...manifest.cases, ...realWorld.cases, ...extra.cases].map((c: { id: string }) => c.id).sort();
    expect(ids).toEqual(expected);
    expect(ids).toHaveLength(205);
  });

  it('groups fixtures into the six families the way the manifests classify them', () => {
    const manifests = ['manifest.json', 'real-world/manifest.json', 'extra/manifest.json'].map((file) => join(bundledFixturesDir, file));
    const expected = new Map<string, string>();
    for (const file of manifests) {
      for (const c of JSON.parse(readFileSync(file, 'utf8')).cases as { id: string; kind: string; layer: string }[]) {
        const family = c.kind === 'stateful' ? 'stateful' : c.kind === 'model' ? 'models' : c.layer.replace(/\(.*\)$/, '');
        expected.set(c.id, family);
      }
    }
    for (const f of fixtures) expect([f.id, fixtureFamily(f.fixture)]).toEqual([f.id, expected.get(f.id)]);
    const counts: Record<string, number> = {};
    for (const f of fixtures) counts[fixtureFamily(f.fixture)] = (counts[fixtureFamily(f.fixture)] ?? 0) + 1;
    expect(counts).toEqual({ SimpleRNN: 24, GRU: 51, LSTM: 30, Bidirectional: 46, stateful: 6, models: 48 });
  });

  it('returns typed fixtures with their source and model file location', () => {
    const seed = fixtures.find((f) => f.id === 'seed-bilstm-state-b1-t4-i5-u3')!;
    expect(seed.source).toBe(join(bundledFixturesDir, 'cases', 'seed-bilstm-state-b1-t4-i5-u3.json'));
    expect(seed.fixture.layer.class_name).toBe('Bidirectional');
    expect(seed.fixture.outputs!.map((o) => o.name)).toEqual(['output', 'forward_h', 'forward_c', 'backward_h', 'backward_c']);
    expect(seed.fixture.outputs![1].data[0]).toBe(0.6303138);
    expect(seed.modelFile).toBeUndefined();
    const model = fixtures.find((f) => f.id === 'model-masking-bilstm-gru-dense-h5-b3-t6-i5-seed903')!;
    expect(model.modelFile).toBe(join(bundledFixturesDir, 'models', 'model-masking-bilstm-gru-dense-h5-b3-t6-i5-seed903.h5'));
    const tokenModel = fixtures.find((f) => f.id === 'model-embedding-mask-gmp-dense-b3-t6-seed1013')!;
    expect(tokenModel.modelFile).toBe(join(bundledFixturesDir, 'extra', 'models', 'model-embedding-mask-gmp-dense-b3-t6-seed1013.keras'));
    expect(tokenModel.fixture.inputs!.shape).toEqual([3, 6]);
  });
});

describe('loadFixtures (malformed fixtures)', () => {
  it('loads a folder holding one good fixture', () => {
    const dir = tempFolder();
    writeEdited(dir, () => undefined);
    const [loaded] = loadFixtures(dir);
    expect(loaded.id).toBe('simplernn-b3-t4-i5-u3-seed103');
    expect(loaded.fixture.inputs!.shape).toEqual([3, 4, 5]);
  });

  it('names the file and the JSON path of a schema violation', () => {
    const dir = tempFolder();
    const file = writeEdited(dir, (f) => {
      f.outputs[0].shape = 'three';
    });
    const error = formatErrorOf(() => loadFixtures(dir));
    expect(error.message).toBe(`${file}: /outputs/0/shape: must be array`);
    expect(error.field).toBe('/outputs/0/shape');
  });

  it('rejects unknown top-level keys and unknown output names', () => {
    const dir = tempFolder();
    const file = writeEdited(dir, (f) => {
      f.expected = [];
    });
    expect(formatErrorOf(() => loadFixtures(dir)).message).toBe(`${file}: /: must NOT have additional properties ("expected")`);
    writeEdited(dir, (f) => {
      f.outputs[0].name = 'out';
    });
    expect(formatErrorOf(() => loadFixtures(dir)).message).toMatch(/\/outputs\/0\/name: must be equal to one of the allowed values/);
  });

  it('rejects data whose length does not match the shape', () => {
    const dir = tempFolder();
    const file = writeEdited(dir, (f) => {
      f.weights[1].data.pop();
    });
    const error = formatErrorOf(() => loadFixtures(dir));
    expect(error.message).toBe(`${file}: /weights/1/data holds 8 values, shape [3, 3] needs 9`);
    expect(error.field).toBe('/weights/1/data');
  });

  it('rejects invalid JSON, an id that is not the file name, and a missing model file', () => {
    const dir = tempFolder();
    const broken = join(dir, 'cases', 'broken.json');
    writeFileSync(broken, '{"format": "rnn-golden/1",');
    expect(formatErrorOf(() => loadFixtureFile(broken)).message).toMatch(new RegExp(`^${broken}: cannot read the fixture as JSON: `));

    const renamed = writeEdited(dir, () => undefined, 'another-name');
    expect(formatErrorOf(() => loadFixtureFile(renamed)).message).toBe(
      `${renamed}: /id is "simplernn-b3-t4-i5-u3-seed103", expected the file name "another-name"`,
    );

    const withFile = writeEdited(dir, (f) => {
      f.model_file = 'missing.keras';
    });
    expect(formatErrorOf(() => loadFixtureFile(withFile)).message).toBe(
      `${withFile}: /model_file names ${join(dir, 'cases', 'missing.keras')}, which does not exist`,
    );
  });

  it('rejects a folder without fixtures, a missing folder and duplicate ids', () => {
    const empty = tempFolder();
    expect(formatErrorOf(() => loadFixtures(empty)).message).toMatch(/^no fixtures in .*: expected cases\/\*\.json or models\/\*\.json/);
    expect(formatErrorOf(() => loadFixtures(join(empty, 'nope'))).message).toMatch(/does not exist or is not a folder$/);

    const dir = tempFolder();
    writeEdited(dir, () => undefined);
    mkdirSync(join(dir, 'models'));
    cpSync(join(dir, 'cases'), join(dir, 'models'), { recursive: true });
    expect(formatErrorOf(() => loadFixtures(dir)).message).toMatch(/id "simplernn-b3-t4-i5-u3-seed103" is also used by/);
  });
});
