/**
 * What the page needs to fetch a fixture set: every fixture's id and where its JSON (and model file)
 * lies, relative to the fixtures route. Browser-safe types; the Node side builds the index.
 */
export interface FixtureIndexEntry {
  readonly id: string;
  /** Path of the fixture's JSON, relative to the fixtures folder, `/`-separated. */
  readonly file: string;
  /** Path of its `.keras`/`.h5` model file, when it has one. */
  readonly modelFile?: string;
}

export interface FixtureIndex {
  readonly format: 'rnn-fixture-index/1';
  readonly fixtures: readonly FixtureIndexEntry[];
}

/**
 * Where the fixtures folder is served (index at `<route>/index.json`): by the dev server, and as
 * files of the same names in a `vite build` output, so a static server serves them too.
 */
export const FIXTURES_ROUTE = '/rnn-fixtures';
