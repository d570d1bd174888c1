import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FormatError } from '@rnn/core';
import type { LoadedFixture } from './fixture.js';
import type { FixtureValidator } from './validate.js';
import { createFixtureValidator } from './validate.js';

export * from './index.js';

/** The golden fixtures shipped in this package (Keras 3.15.1 outputs, incl. `real-world/` and `extra/`). */
export const bundledFixturesDir: string = fileURLToPath(new URL('../fixtures/', import.meta.url));

/**
 * Subfolders of the golden layout that hold fixtures; `real-world/` (trained models from GitHub) and
 * `extra/` (this project's models with RepeatVector, Flatten, global pooling, BatchNormalization,
 * Conv1D, 1-D pooling), if present, are the same layout again.
 */
const FIXTURE_FOLDERS = ['cases', 'models'] as const;
const NESTED_SETS = ['real-world', 'extra'] as const;

let validator: FixtureValidator | null = null;

/** Every fixture is checked against the bundled schema: it defines the format this package runs. */
function fixtureValidator(): FixtureValidator {
  validator ??= createFixtureValidator(JSON.parse(readFileSync(join(bundledFixturesDir, 'schema.json'), 'utf8')) as object);
  return validator;
}

/**
 * Loads and validates every fixture of a folder in the golden layout: `cases/*.json`, `models/*.json`,
 * and the same inside `real-world/` and `extra/` when present. Default: the bundled set. Throws `FormatError` naming
 * the file and JSON path of the first malformed fixture.
 */
export function loadFixtures(dir: string = bundledFixturesDir): LoadedFixture[] {
  const root = resolve(dir);
  if (!isDirectory(root)) throw new FormatError(`fixtures folder ${root} does not exist or is not a folder`, { actual: root });
  const fixtures: LoadedFixture[] = [];
  for (const set of [root, ...NESTED_SETS.map((name) => join(root, name)).filter(isDirectory)]) {
    for (const folder of FIXTURE_FOLDERS.map((name) => join(set, name)).filter(isDirectory)) {
      const files = readdirSync(folder).filter((name) => name.endsWith('.json')).sort();
      for (const file of files) fixtures.push(loadFixtureFile(join(folder, file)));
    }
  }
  if (fixtures.length === 0) {
    throw new FormatError(`no fixtures in ${root}: expected cases/*.json or models/*.json (the golden layout)`, { actual: root });
  }
  const seen = new Map<string, string>();
  for (const fixture of fixtures) {
    const earlier = seen.get(fixture.id);
    if (earlier) throw new FormatError(`${fixture.source}: id "${fixture.id}" is also used by ${earlier}`, { field: '/id', actual: fixture.id });
    seen.set(fixture.id, fixture.source);
  }
  return fixtures;
}

/** Loads and validates one fixture file. */
export function loadFixtureFile(file: string): LoadedFixture {
  const source = resolve(file);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(source, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FormatError(`${source}: cannot read the fixture as JSON: ${reason}`);
  }
  const fixture = fixtureValidator()(value, source);
  const expectedId = basename(source, '.json');
  if (fixture.id !== expectedId) {
    throw new FormatError(`${source}: /id is "${fixture.id}", expected the file name "${expectedId}"`, {
      field: '/id',
      expected: expectedId,
      actual: fixture.id,
    });
  }
  if (fixture.model_file === undefined) return { id: fixture.id, source, fixture };
  const modelFile = join(dirname(source), fixture.model_file);
  if (!existsSync(modelFile)) {
    throw new FormatError(`${source}: /model_file names ${modelFile}, which does not exist`, {
      field: '/model_file',
      actual: fixture.model_file,
    });
  }
  return { id: fixture.id, source, fixture, modelFile };
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}
