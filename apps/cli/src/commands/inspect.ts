import { parseArgs } from 'node:util';
import type { LayerSpec, ModelSpec, RecurrentLayerSpec } from '@rnn/core';
import { formatActivation, formatShape, getRegisteredBackend, layerOutputShape, sizeOf, weightSlots } from '@rnn/core';
import { loadKerasModel, type LoadedKerasModel } from '@rnn/keras/node';
import { backendStatuses, loadBackendPackages } from '../backends.js';
import type { CliIO, Command } from '../command.js';
import { EXIT_OK, UsageError } from '../command.js';

const usage = `Usage: rnn inspect MODEL [--json]

Reads a saved Keras model (.keras, or legacy .h5 from Keras 3 or tf.keras 2.x) and prints its layers
with output shapes and parameter counts, its inputs and outputs, and which backends can run it here.

Options:
  --json      print the same as JSON
  -h, --help  show this help

Exit code: 0 ok, 1 if the file cannot be read or is not supported, 2 on a usage error.
`;

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'show a .keras/.h5 model file: layers, shapes, parameters, which backends can run it',
  usage,
  run: runInspect,
};

type Shape = readonly (number | null)[];

interface LayerRow {
  readonly name: string;
  readonly type: string;
  readonly outputShape: Shape;
  readonly parameters: number;
}

interface BackendRow {
  readonly name: string;
  readonly ok: boolean;
  readonly reason: string | null;
}

export function modelPath(positionals: readonly string[]): string {
  if (positionals.length === 0) throw new UsageError('missing MODEL (a .keras or .h5 file)');
  if (positionals.length > 1) throw new UsageError(`expected one MODEL, got ${positionals.length}: ${positionals.join(' ')}`);
  return positionals[0];
}

async function runInspect(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
  const path = modelPath(positionals);
  const loaded = await loadKerasModel(path);
  const layers = layerRows(loaded.spec);
  const backends = await backendRows(loaded.spec);
  const parameters = layers.reduce((total, layer) => total + layer.parameters, 0);
  if (values.json) {
    io.stdout(
      `${JSON.stringify(
        {
          file: path,
          format: loaded.format,
          kerasVersion: loaded.kerasVersionString,
          writtenBy: loaded.writtenBy,
          model: loaded.spec.name,
          input: inputShape(loaded.spec),
          layers,
          ignoredLayers: loaded.spec.ignoredLayers,
          outputs: loaded.spec.outputs,
          parameters,
          backends,
        },
        null,
        2,
      )}\n`,
    );
    return EXIT_OK;
  }
  io.stdout(render(path, loaded, layers, parameters, backends));
  return EXIT_OK;
}

function describeFile(loaded: LoadedKerasModel): string {
  const kind = loaded.format === 'keras' ? '.keras zip' : 'legacy HDF5';
  const by = loaded.writtenBy ? `, ${loaded.writtenBy} backend` : '';
  const semantics = loaded.kerasVersion === 2 ? ' (run with Keras 2 semantics)' : '';
  return `${kind} written by Keras ${loaded.kerasVersionString}${by}${semantics}`;
}

function render(path: string, loaded: LoadedKerasModel, layers: readonly LayerRow[], parameters: number, backends: readonly BackendRow[]): string {
  const table = [['layer', 'type', 'output shape', 'params'], ...layers.map((l) => [l.name, l.type, formatShape(l.outputShape), count(l.parameters)])];
  const widths = table[0].map((_, column) => Math.max(...table.map((row) => row[column].length)));
  const lines = [
    `${path}: ${describeFile(loaded)}`,
    `model "${loaded.spec.name}", input ${formatShape(inputShape(loaded.spec))}${loaded.spec.input.tokenIds ? ' (token ids)' : ''}`,
    '',
    ...table.map((row) => `  ${row.map((cell, column) => (column === 3 ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join('  ')}`.trimEnd()),
    '',
  ];
  if (loaded.spec.ignoredLayers.length > 0) lines.push(`no-ops at inference: ${loaded.spec.ignoredLayers.join(', ')}`);
  lines.push(`outputs: ${loaded.spec.outputs.map((o) => `${o.name} ${formatShape(o.shape)}`).join(', ')}`);
  lines.push(`parameters: ${count(parameters)} (${bytes(parameters * 4)} as float32)`);
  lines.push('', 'backends:');
  const width = Math.max(...backends.map((b) => b.name.length), 0);
  for (const backend of backends) lines.push(`  ${backend.name.padEnd(width)}  ${backend.ok ? 'yes' : `no: ${backend.reason}`}`);
  if (backends.length === 0) lines.push('  none registered (install @rnn/backend-cpu)');
  return `${lines.join('\n')}\n`;
}

function inputShape(spec: ModelSpec): Shape {
  return spec.input.tokenIds ? [spec.input.batch, spec.input.timesteps] : [spec.input.batch, spec.input.timesteps, spec.input.features];
}

function layerRows(spec: ModelSpec): LayerRow[] {
  const slots = weightSlots(spec);
  let shape: Shape = inputShape(spec);
  return spec.layers.map((layer) => {
    shape = layerOutputShape(layer, shape);
    const parameters = slots.filter((s) => s.layer === layer.name).reduce((total, s) => total + sizeOf(s.shape), 0);
    return { name: layer.name, type: describeLayer(layer), outputShape: shape, parameters };
  });
}

/** `hard_sigmoid_keras2` is how the spec marks Keras 2's 0.2x + 0.5; show it the way Keras users know it. */
function activationName(name: string): string {
  return name === 'hard_sigmoid_keras2' ? 'hard_sigmoid (Keras 2: 0.2x+0.5)' : name;
}

function describeRecurrent(layer: RecurrentLayerSpec): string {
  const options = [
    layer.activation !== 'tanh' ? activationName(layer.activation) : null,
    layer.cell !== 'SimpleRNN' && layer.recurrentActivation !== 'sigmoid' ? `recurrent ${activationName(layer.recurrentActivation)}` : null,
    layer.cell === 'GRU' ? `reset_after=${layer.resetAfter}` : null,
    layer.returnSequences ? 'sequences' : null,
    layer.returnState ? 'state' : null,
    layer.goBackwards ? 'backwards' : null,
    layer.stateful ? 'stateful' : null,
    layer.useBias ? null : 'no bias',
  ].filter((o) => o !== null);
  return `${layer.cell}(${[String(layer.units), ...options].join(', ')})`;
}

function describeLayer(layer: LayerSpec): string {
  switch (layer.kind) {
    case 'rnn':
      return describeRecurrent(layer);
    case 'bidirectional':
      return `Bidirectional(${describeRecurrent(layer.forward)}, ${layer.mergeMode ?? 'two outputs'})`;
    case 'dense':
      return `${layer.timeDistributed ? 'TimeDistributed(Dense' : 'Dense'}(${layer.units}${layer.activation !== 'linear' ? `, ${layer.activation}` : ''})${layer.timeDistributed ? ')' : ''}`;
    case 'embedding':
      return `Embedding(${layer.vocabulary}, ${layer.outputDim}${layer.maskZero ? ', mask_zero' : ''})`;
    case 'masking':
      return `Masking(${layer.maskValue})`;
    case 'activation':
      return `Activation(${formatActivation(layer.activation)})`;
    case 'repeat-vector':
      return `RepeatVector(${layer.times})`;
    case 'flatten':
      return 'Flatten';
    case 'reshape':
      return `Reshape(${layer.targetShape.join(', ')})`;
    case 'global-pooling':
      return `${layer.pooling === 'average' ? 'GlobalAveragePooling1D' : 'GlobalMaxPooling1D'}(${layer.keepDims ? 'keepdims' : ''})`;
    case 'batch-normalization':
      return `BatchNormalization(epsilon ${layer.epsilon}${layer.center ? '' : ', no center'}${layer.scale ? '' : ', no scale'})`;
    case 'layer-normalization':
      return `LayerNormalization(epsilon ${layer.epsilon}${layer.center ? '' : ', no center'}${layer.scale ? '' : ', no scale'})`;
    case 'conv1d':
      return `Conv1D(${layer.filters}, kernel ${layer.kernelSize}${layer.strides > 1 ? `, strides ${layer.strides}` : ''}${layer.dilation > 1 ? `, dilation ${layer.dilation}` : ''}, ${layer.padding}${layer.activation !== 'linear' ? `, ${layer.activation}` : ''})`;
    case 'pooling1d':
      return `${layer.pooling === 'max' ? 'MaxPooling1D' : 'AveragePooling1D'}(${layer.poolSize}, strides ${layer.strides}, ${layer.padding})`;
  }
}

/** Every registered backend: available here, and able to run this model? */
async function backendRows(spec: ModelSpec): Promise<BackendRow[]> {
  const failures = await loadBackendPackages();
  const rows: BackendRow[] = failures.map((f) => ({ name: f.name, ok: false, reason: `failed to import: ${f.reason}` }));
  for (const status of await backendStatuses()) {
    if (!status.availability.ok) {
      rows.push({ name: status.name, ok: false, reason: `not available here: ${firstClause(status.availability.reason)}` });
      continue;
    }
    const support = getRegisteredBackend(status.name)?.supports?.(spec) ?? { ok: true as const };
    rows.push({ name: status.name, ok: support.ok, reason: support.ok ? null : support.reason });
  }
  return rows;
}

/** Availability reasons can run to a paragraph of setup advice; the table shows their gist. */
function firstClause(reason: string): string {
  const end = reason.search(/ \(|\. |\n/);
  return end > 0 ? reason.slice(0, end) : reason;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
