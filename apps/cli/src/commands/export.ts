import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatShape, structureWeights } from '@rnn/core';
import { loadKerasModel } from '@rnn/keras/node';
import type { CliIO, Command } from '../command.js';
import { EXIT_OK, UsageError } from '../command.js';
import { modelPath } from './inspect.js';

const usage = `Usage: rnn export MODEL -o OUT.onnx [--scan] [--activations LIST]

Converts a saved Keras model (.keras, or legacy .h5 from Keras 3 or tf.keras 2.x) to a standalone ONNX
file (IR 8, opset 17) for any ONNX Runtime, Keras semantics included (masks, go_backwards, Keras 2
hard_sigmoid). Inputs: "input", "mask" when a mask reaches a recurrent layer, "<layer>.initial_<state>";
outputs: the Keras outputs, then "<layer>.final_<state>".

Options:
  -o, --output FILE     where to write the .onnx file (required)
  --scan                write every recurrent layer as a Scan of the Keras cell instead of ONNX
                        LSTM/GRU/RNN operators (for runtimes without those operators)
  --activations LIST    comma-separated ONNX activations the recurrent operators may use (e.g.
                        Sigmoid,Tanh,Relu for onnxruntime-web's WebGPU); others become Scans
  -h, --help            show this help

Exit code: 0 ok, 1 if the model cannot be read or exported, 2 on a usage error.
`;

export const exportCommand: Command = {
  name: 'export',
  summary: 'convert a .keras/.h5 model file to ONNX',
  usage,
  run: runExport,
};

async function runExport(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      output: { type: 'string', short: 'o' },
      scan: { type: 'boolean', default: false },
      activations: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const path = modelPath(positionals);
  if (!values.output) throw new UsageError('missing -o OUT.onnx');
  const activations = values.activations?.split(',').map((a) => a.trim()).filter((a) => a.length > 0);
  if (activations && activations.length === 0) throw new UsageError('--activations needs at least one ONNX activation name');

  const loaded = await loadKerasModel(path);
  // Imported here: loading the ONNX package is only worth it for this command.
  const { exportOnnx, onnxIoNames } = await import('@rnn/backend-onnx');
  const onnx = exportOnnx(loaded.spec, structureWeights(loaded.spec, loaded.weights), {
    recurrentOperators: !values.scan,
    operatorActivations: activations,
    docString: `${path} (Keras ${loaded.kerasVersionString}), exported by rnn`,
  });
  writeFileSync(values.output, onnx);

  const names = onnxIoNames(loaded.spec);
  const input = loaded.spec.input;
  const inputShape = input.tokenIds ? [input.batch, input.timesteps] : [input.batch, input.timesteps, input.features];
  const states = names.initialStates.flat();
  io.stdout(
    [
      `wrote ${values.output} (${onnx.length} bytes)`,
      `  input:   ${names.input} ${formatShape(inputShape)}${input.tokenIds ? ' token ids' : ''} float32`,
      ...(names.mask ? [`  mask:    ${names.mask} (batch, timesteps) of 0/1, or a (0, 0) tensor for none`] : []),
      ...(states.length > 0 ? [`  states:  ${states.join(', ')}`] : []),
      `  outputs: ${loaded.spec.outputs.map((o) => `${o.name} ${formatShape(o.shape)}`).join(', ')}${names.finalStates.flat().length ? `, ${names.finalStates.flat().join(', ')}` : ''}`,
      '',
    ].join('\n'),
  );
  return EXIT_OK;
}
