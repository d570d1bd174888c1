import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Model, NamedTensor, NestedArray, Tensor } from '@rnn/core';
import { InputError, createModel, formatShape, isStatefulLayer, sizeOf, tensor, toTensor } from '@rnn/core';
import { loadKerasModel } from '@rnn/keras/node';
import { loadBackendPackages, packagesFor } from '../backends.js';
import type { CliIO, Command } from '../command.js';
import { EXIT_OK, UsageError } from '../command.js';
import { isNpy, readNpy } from '../npy.js';
import { modelPath } from './inspect.js';
import { formatFloat32 } from './tutorial.js';

export const RUN_OUTPUT_FORMAT = 'rnn-run/1';
const DEFAULT_BATCH_SIZE = 256;

const usage = `Usage: rnn run MODEL --input FILE [--backend NAME] [--output FILE] [--batch-size N]

Runs a saved Keras model (.keras, or legacy .h5 from Keras 3 or tf.keras 2.x) on an input batch and
writes its outputs as JSON. Keras 2 files run with Keras 2 semantics (e.g. hard_sigmoid = 0.2x + 0.5).

Input FILE:
  .npy                 a NumPy array (batch, timesteps, features), or (batch, timesteps) token ids
  .json                nested arrays [[[...]]], or {"shape": [...], "data": [flat row-major values]},
                       or an object whose "inputs" is one of those (a golden fixture)

Options:
  --input FILE       the input batch (required)
  --backend NAME     cpu, tfjs:cpu, onnx:cpu, ..., a family (tfjs, onnx), or auto: measures the
                     available backends on the model and sends each call to the fastest (reported
                     as auto(NAME)). Default: the highest-priority backend available here
  --output FILE      write the JSON there instead of stdout
  --batch-size N     rows per backend call (default ${DEFAULT_BATCH_SIZE}); larger batches run in chunks
                     with a progress bar on stderr. Stateful models run in one call.
  -h, --help         show this help

Output: {"format": "${RUN_OUTPUT_FORMAT}", "model", "backend", "outputs": [{"name", "shape", "data"}]},
data flat in row-major order (float32 values, shortest form).
Exit code: 0 ok, 1 if the model or input cannot be read or run, 2 on a usage error.
`;

export const runCommand: Command = {
  name: 'run',
  summary: 'run a .keras/.h5 model file on an input (.json or .npy); write the outputs as JSON',
  usage,
  run: runModel,
};

async function runModel(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      input: { type: 'string' },
      backend: { type: 'string' },
      output: { type: 'string' },
      'batch-size': { type: 'string', default: String(DEFAULT_BATCH_SIZE) },
    },
    allowPositionals: true,
    strict: true,
  });
  const path = modelPath(positionals);
  if (!values.input) throw new UsageError('missing --input FILE (.json or .npy)');
  const batchSize = Number(values['batch-size']);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new UsageError(`--batch-size must be a positive integer, got "${values['batch-size']}"`);

  // The file and the input first: their errors should not wait for backend runtimes to load.
  const loaded = await loadKerasModel(path);
  const input = readInput(values.input);
  // `auto` is core's measuring backend, as in createModel; it needs every package, as does the default.
  const backend = values.backend;
  const failures = await loadBackendPackages(backend === undefined || backend === 'auto' ? undefined : packagesFor([backend]));
  for (const failure of failures) io.stderr(`rnn run: note: ${failure.name} failed to import: ${failure.reason}\n`);

  const model = await createModel(loaded.config, { weights: loaded.weights, kerasVersion: loaded.kerasVersion, backend });
  try {
    const outputs = await runInChunks(model, input, batchSize, io);
    const json = outputJson(path, model.backend ?? backend ?? 'unknown', outputs);
    if (values.output) {
      writeFileSync(values.output, json);
      io.stderr(`wrote ${values.output}: ${outputs.map((o) => `${o.name} ${formatShape(o.shape)}`).join(', ')} (backend ${model.backend})\n`);
    } else {
      io.stdout(json);
    }
  } finally {
    await model.dispose();
  }
  return EXIT_OK;
}

function readInput(file: string): Tensor {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new InputError(`cannot read input ${file}: ${(error as { code?: string }).code === 'ENOENT' ? 'no such file' : String(error)}`, { field: 'input' });
  }
  if (isNpy(bytes)) return readNpy(bytes, file);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new InputError(`${file} is neither a .npy file nor valid JSON (${error instanceof Error ? error.message : String(error)})`, { field: 'input' });
  }
  return jsonTensor(value, file);
}

function jsonTensor(value: unknown, file: string): Tensor {
  if (Array.isArray(value)) {
    checkRectangular(value, file);
    return tensor(value as NestedArray);
  }
  if (typeof value === 'object' && value !== null) {
    const object = value as Record<string, unknown>;
    if ('shape' in object && 'data' in object) return toTensor(object as { shape: number[]; data: number[] }, file);
    if ('inputs' in object) return jsonTensor(object.inputs, `${file} (inputs)`);
  }
  throw new InputError(`${file}: expected nested arrays, {"shape", "data"}, or an object with "inputs"`, { field: 'input' });
}

/** Nested arrays must be a full hyper-rectangle of numbers (ragged rows would silently misalign). */
function checkRectangular(value: unknown, file: string, path = ''): number[] {
  if (!Array.isArray(value)) {
    if (typeof value !== 'number') throw new InputError(`${file}: input${path} is ${JSON.stringify(value)}, not a number`, { field: 'input' });
    return [];
  }
  const shapes = value.map((item, i) => checkRectangular(item, file, `${path}[${i}]`));
  shapes.forEach((shape, i) => {
    if (shape.join() !== shapes[0].join()) {
      throw new InputError(`${file}: input${path}[${i}] has shape ${formatShape(shape)}, but input${path}[0] has ${formatShape(shapes[0])}`, { field: 'input' });
    }
  });
  return [value.length, ...(shapes[0] ?? [])];
}

function rows(t: Tensor, start: number, end: number): Tensor {
  const rowSize = sizeOf(t.shape.slice(1));
  return { shape: [end - start, ...t.shape.slice(1)], data: t.data.subarray(start * rowSize, end * rowSize) };
}

async function runInChunks(model: Model, input: Tensor, batchSize: number, io: CliIO): Promise<NamedTensor[]> {
  const batch = input.shape[0] ?? 0;
  const stateful = model.spec?.layers.some((l) => isStatefulLayer(l) && l.stateful) ?? false;
  if (input.shape.length < 2 || batch <= batchSize || stateful) return model.run(input);

  const progress = progressBar(io, batch);
  const parts: NamedTensor[][] = [];
  for (let start = 0; start < batch; start += batchSize) {
    const end = Math.min(batch, start + batchSize);
    parts.push(await model.run(rows(input, start, end)));
    progress(end);
  }
  return parts[0].map((first, k) => {
    const data = new Float32Array(batch * sizeOf(first.shape.slice(1)));
    let offset = 0;
    for (const part of parts) {
      data.set(part[k].data, offset);
      offset += part[k].data.length;
    }
    return { name: first.name, shape: [batch, ...first.shape.slice(1)], data };
  });
}

/** A bar redrawn in place on a terminal; elsewhere (logs, pipes) one line per 10% done. */
function progressBar(io: CliIO, total: number): (done: number) => void {
  const live = process.stderr.isTTY === true;
  let lastTenth = -1;
  return (done) => {
    const fraction = done / total;
    const width = 30;
    const filled = Math.round(fraction * width);
    const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(fraction * 100)}% ${done}/${total} rows`;
    if (live) {
      io.stderr(`\r${line}${done === total ? '\n' : ''}`);
    } else if (Math.floor(fraction * 10) > lastTenth) {
      lastTenth = Math.floor(fraction * 10);
      io.stderr(`${line}\n`);
    }
  };
}

function outputJson(model: string, backend: string, outputs: readonly NamedTensor[]): string {
  // Shortest float32 digits keep the file small and exact; JSON has no NaN/Infinity, so those become null.
  const data = (t: Tensor) => Array.from(t.data, (v) => (Number.isFinite(v) ? formatFloat32(v) : 'null')).join(',');
  const entries = outputs.map((o) => `{"name":${JSON.stringify(o.name)},"shape":${JSON.stringify(o.shape)},"data":[${data(o)}]}`);
  return `{"format":"${RUN_OUTPUT_FORMAT}","model":${JSON.stringify(model)},"backend":${JSON.stringify(backend)},"outputs":[${entries.join(',')}]}\n`;
}
