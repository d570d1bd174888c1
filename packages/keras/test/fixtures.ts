import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The golden fixtures shipped with @rnn/conformance; tests read every fixture through this one constant. */
export const FIXTURES_DIR: string = fileURLToPath(new URL('../../conformance/fixtures/', import.meta.url));

export interface NamedTensorJson {
  readonly name: string;
  readonly shape: number[];
  readonly data: number[];
}

export interface ModelFixture {
  readonly id: string;
  readonly layer: { class_name: string; config: Record<string, unknown> };
  readonly weights: NamedTensorJson[];
  readonly inputs: { shape: number[]; data: number[] };
  readonly outputs: NamedTensorJson[];
  readonly model_file?: string;
}

export function fixturePath(...parts: string[]): string {
  return join(FIXTURES_DIR, ...parts);
}

export function readJson<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(fixturePath(...parts), 'utf8')) as T;
}
