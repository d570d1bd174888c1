import type { Comparison } from '@rnn/conformance';
import { compareOutputs } from '@rnn/conformance';
import type { NamedTensor } from '@rnn/core';
import { h } from './dom.js';
import { formatError, formatMs, formatShape, formatValue } from './format.js';
import type { BackendRun } from './run.js';
import { compareToKeras } from './run.js';
import type { KerasExample } from './sources.js';

/** Values shown per output; the rest is counted. */
const SHOWN_VALUES = 24;

/**
 * One card per backend: its outputs (name, shape, values) and how they compare with Keras's
 * recorded outputs (when the input is the recorded one) or else with the first backend's.
 */
export function outputsView(runs: readonly BackendRun[], keras: KerasExample | null): HTMLElement {
  const reference = runs.find((r) => r.ok);
  return h(
    'div',
    { class: 'runs' },
    runs.map((run) => {
      if (!run.ok) {
        return h('article', { class: 'run failed', 'data-backend': run.backend }, h('h3', {}, run.backend), h('p', { class: 'error' }, run.error));
      }
      const verdict = keras
        ? comparison(compareToKeras(run.outputs, keras), 'Keras')
        : reference && reference !== run && reference.ok
          ? comparison(compareOutputs(run.outputs, reference.outputs), reference.backend)
          : null;
      return h(
        'article',
        { class: 'run', 'data-backend': run.backend },
        h('h3', {}, run.backend, verdict),
        h('p', { class: 'timing' }, `compile ${formatMs(run.compileMs)} · first call ${formatMs(run.firstRunMs)} · call ${formatMs(run.runMs)}`),
        run.outputs.map(outputView),
      );
    }),
  );
}

function comparison(result: Comparison, against: string): HTMLElement {
  const text = result.ok
    ? `matches ${against} · max error ${formatError(result.maxError ?? 0)}`
    : `differs from ${against}: ${result.message}`;
  return h('span', { class: result.ok ? 'badge pass' : 'badge fail', 'data-verdict': result.ok ? 'pass' : 'fail' }, text);
}

function outputView(output: NamedTensor): HTMLElement {
  const values = Array.from(output.data.subarray(0, SHOWN_VALUES), formatValue);
  const hidden = output.data.length - values.length;
  return h(
    'div',
    { class: 'output', 'data-output': output.name, 'data-shape': output.shape.join(',') },
    h('span', { class: 'name' }, output.name),
    h('span', { class: 'shape' }, formatShape(output.shape)),
    h('span', { class: 'values' }, values.map((v) => h('span', { class: 'value' }, v)), hidden > 0 ? h('span', { class: 'more' }, `… ${hidden} more`) : null),
  );
}
