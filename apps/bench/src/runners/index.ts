import { ortRawRunner } from './ort-raw.js';
import { RNN_BACKENDS, rnnRunner } from './rnn.js';
import { tfjsLayersRunner } from './tfjs-layers.js';
import type { RunnerDefinition } from './types.js';

export type { Runner, RunnerDefinition, RunnerSession } from './types.js';

/** Every runner the CLI knows, in table order: this project's backends first, then the peers. */
export const RUNNERS: readonly RunnerDefinition[] = [
  ...RNN_BACKENDS.map(rnnRunner),
  rnnRunner('auto'),
  tfjsLayersRunner('cpu'),
  tfjsLayersRunner('wasm'),
  ortRawRunner(),
];

export function runnerByName(name: string): RunnerDefinition {
  const runner = RUNNERS.find((r) => r.name === name);
  if (!runner) throw new Error(`unknown runner "${name}" (have ${RUNNERS.map((r) => r.name).join(', ')})`);
  return runner;
}
