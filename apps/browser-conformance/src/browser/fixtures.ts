import type { Fixture, LoadedFixture } from '@rnn/conformance';
import type { FixtureIndex, FixtureIndexEntry } from '../fixture-index.js';
import { FIXTURES_ROUTE } from '../fixture-index.js';

/** Parallel requests while fetching a fixture set (the browser queues the rest anyway). */
const CONCURRENCY = 8;

/** The index of the fixture set served at `base` (see `fixturesPlugin`). */
export async function fetchFixtureIndex(base: string = FIXTURES_ROUTE): Promise<FixtureIndex> {
  const index = await fetchJson<FixtureIndex>(`${base}/index.json`);
  if (index.format !== 'rnn-fixture-index/1') throw new Error(`${base}/index.json: unknown format "${String(index.format)}"`);
  return index;
}

/** Fetches one fixture of a served set; its `source` and `modelFile` are URLs. */
export async function fetchServedFixture(entry: FixtureIndexEntry, base: string = FIXTURES_ROUTE): Promise<LoadedFixture> {
  const source = `${base}/${entry.file}`;
  const fixture = await fetchJson<Fixture>(source);
  return { id: entry.id, source, fixture, ...(entry.modelFile ? { modelFile: `${base}/${entry.modelFile}` } : {}) };
}

/** Fetches the whole fixture set served at `base`, in index order. */
export async function fetchServedFixtures(base: string = FIXTURES_ROUTE): Promise<LoadedFixture[]> {
  const { fixtures: entries } = await fetchFixtureIndex(base);
  const fixtures: LoadedFixture[] = new Array(entries.length);
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const i = next++;
      fixtures[i] = await fetchServedFixture(entries[i], base);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return fixtures;
}

async function fetchJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${response.statusText}`);
  return (await response.json()) as T;
}
