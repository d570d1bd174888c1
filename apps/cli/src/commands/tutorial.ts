import { parseArgs } from 'node:util';
import type { KerasConfig, NamedTensor } from '@rnn/core';
import { bidirectional, createModel, formatShape, getRegisteredBackend, listBackends, lstm, simpleRNN, tensor } from '@rnn/core';
import { loadBackendPackages, packagesFor } from '../backends.js';
import type { CliIO, Command } from '../command.js';
import { EXIT_OK } from '../command.js';

const usage = `Usage: rnn tutorial [--backend NAME]

Reproduces the seed tutorial on one input of shape (1, 4, 5):
  1. SimpleRNN(3) and LSTM(3) output shapes for every return_sequences / return_state combination;
  2. Bidirectional(LSTM(3, return_state=True)) with constant 0.1 kernels and zero bias (forget-gate
     bias 1 from unit_forget_bias), printing its final states next to Keras's own float32 results
     (forward_h 0.6303138, backward_h 0.7038734).

Options:
  --backend NAME  backend to run on (default: cpu)
  -h, --help      show this help
`;

export const tutorialCommand: Command = {
  name: 'tutorial',
  summary: 'the seed tutorial: RNN output shapes and the deterministic Bidirectional(LSTM) states',
  usage,
  run: runTutorial,
};

/** The tutorial's input: one sequence of 4 steps with 5 features. */
const TUTORIAL_INPUT = tensor(
  [
    [0.1, 4.2, 1.5, 1.1, 2.8],
    [1.0, 3.1, 2.5, 0.7, 1.1],
    [0.3, 2.1, 1.5, 2.1, 0.1],
    [2.2, 1.4, 0.5, 0.9, 1.1],
  ],
  [1, 4, 5],
);

const UNITS = 3;

/**
 * What Keras 3.15.1 computes for the seed example (goldens: seed-bilstm-state-b1-t4-i5-u3). A backend
 * may differ in the last float32 digit (its own summation order and rounding), well within the 1e-5
 * conformance tolerance.
 */
const KERAS_SEED_STATES = { forward_h: '0.6303138', backward_h: '0.7038734' } as const;
const constant = (value: number) => ({ className: 'Constant', config: { value } });

async function runTutorial(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { backend: { type: 'string', default: 'cpu' } },
    strict: true,
    allowPositionals: false,
  });
  const backend = values.backend;
  const packageFailures = await loadBackendPackages(packagesFor([backend]));
  if (!getRegisteredBackend(backend)) {
    const why = packageFailures.map((f) => `\n  ${f.name}: ${f.reason}`).join('');
    throw new Error(`backend "${backend}" is not registered (registered: ${listBackends().join(', ') || 'none'})${why}`);
  }

  io.stdout(`Input shape ${formatShape(TUTORIAL_INPUT.shape)}\n\n`);
  io.stdout(`Output shapes (units=${UNITS}):\n`);
  for (const [name, build] of [
    ['SimpleRNN', simpleRNN],
    ['LSTM', lstm],
  ] as const) {
    for (const returnSequences of [false, true]) {
      for (const returnState of [false, true]) {
        const outputs = await runOnce(build({ units: UNITS, returnSequences, returnState }), backend);
        const label = `${name}(${UNITS}, return_sequences=${pythonBool(returnSequences)}, return_state=${pythonBool(returnState)})`;
        io.stdout(`  ${label.padEnd(58)} ${outputs.map((o) => `${o.name} ${formatShape(o.shape)}`).join(', ')}\n`);
      }
    }
  }

  const seed = bidirectional(
    lstm({
      units: UNITS,
      returnState: true,
      kernelInitializer: constant(0.1),
      recurrentInitializer: constant(0.1),
      biasInitializer: constant(0),
      unitForgetBias: true,
    }),
  );
  const outputs = await runOnce(seed, backend);
  io.stdout(`\nBidirectional(LSTM(${UNITS}, return_state=True)), kernels 0.1, bias 0, unit_forget_bias:\n`);
  io.stdout(`  ${outputs.map((o) => `${o.name} ${formatShape(o.shape)}`).join(', ')}\n`);
  // Every unit carries the same value (constant kernels), so one number per state says it all.
  for (const o of outputs.filter((t) => t.name !== 'output')) io.stdout(`${o.name} ${formatFloat32(o.data[0])}\n`);
  const reference = Object.entries(KERAS_SEED_STATES).map(([name, value]) => `${name} ${value}`).join(', ');
  io.stdout(`Keras 3.15.1 (float32): ${reference}\n`);
  return EXIT_OK;
}

async function runOnce(config: KerasConfig, backend: string): Promise<NamedTensor[]> {
  const model = await createModel(config, { backend });
  try {
    return await model.run(TUTORIAL_INPUT);
  } finally {
    await model.dispose();
  }
}

function pythonBool(value: boolean): string {
  return value ? 'True' : 'False';
}

/** The shortest decimal that reads back as the same float32 (how numpy prints a float32). */
export function formatFloat32(value: number): string {
  for (let digits = 1; digits <= 9; digits++) {
    const text = String(Number(value.toPrecision(digits)));
    if (Math.fround(Number(text)) === value) return text;
  }
  return String(value);
}
