import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The golden fixtures committed with @rnn/conformance (test data only: core has no dependency on it). */
export const GOLDENS_DIR = process.env.RNN_GOLDENS_DIR ?? fileURLToPath(new URL('../../conformance/fixtures/', import.meta.url));

export interface FixtureTensor {
  readonly name?: string;
  readonly shape: number[];
  readonly data: number[];
}

export interface Fixture {
  readonly id: string;
  readonly file: string;
  readonly layer: { class_name: string; config: Record<string, unknown> };
  readonly weights: FixtureTensor[];
  readonly inputs: FixtureTensor | null;
  readonly outputs: FixtureTensor[] | null;
  readonly sequence: { inputs: FixtureTensor; outputs: FixtureTensor[] }[] | null;
  readonly call: { initial_state: FixtureTensor[] | null; mask: FixtureTensor | null };
}

function loadDir(dir: string): Fixture[] {
  const full = join(GOLDENS_DIR, dir);
  return readdirSync(full)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ ...(JSON.parse(readFileSync(join(full, f), 'utf8')) as Fixture), file: join(dir, f) }));
}

let cache: Fixture[] | undefined;

/** Every fixture: one-layer cases, model cases and the real-world models. */
export function allFixtures(): Fixture[] {
  cache ??= [...loadDir('cases'), ...loadDir('models'), ...loadDir('real-world/models')];
  return cache;
}

export function fixture(id: string): Fixture {
  const found = allFixtures().find((f) => f.id === id);
  if (!found) throw new Error(`no fixture ${id}`);
  return found;
}

/** Outputs of a fixture: plain cases, or the first call of a stateful sequence. */
export function fixtureOutputs(f: Fixture): FixtureTensor[] {
  return f.outputs ?? f.sequence?.[0]?.outputs ?? [];
}

export function fixtureInputShape(f: Fixture): number[] {
  return (f.inputs ?? f.sequence?.[0]?.inputs)!.shape;
}
