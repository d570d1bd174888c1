import { BROWSER_BACKENDS, fetchModelFile, fetchServedFixtures } from '@rnn/browser-conformance/browser';
import type { ConformanceReport, LoadedFixture } from '@rnn/conformance';
import { runConformance } from '@rnn/conformance';
import type { LayerSpec, RunOptions, Tensor } from '@rnn/core';
import { formatActivation, getRegisteredBackend } from '@rnn/core';
import { timingChart } from './chart.js';
import { byId, h, show } from './dom.js';
import { formatShape } from './format.js';
import { parseInput, randomInput } from './inputs.js';
import { matrixView } from './matrix-view.js';
import { outputsView } from './outputs-view.js';
import type { BackendRun } from './run.js';
import { runOnBackend } from './run.js';
import type { KerasExample, ModelSource } from './sources.js';
import { EXAMPLES, FIXTURES_BASE, loadExample, loadFile } from './sources.js';
import './style.css';

let source: ModelSource | null = null;
let fixtures: Promise<LoadedFixture[]> | null = null;

const exampleSelect = byId<HTMLSelectElement>('example');
const runButton = byId<HTMLButtonElement>('run');
const conformanceButton = byId<HTMLButtonElement>('conformance');

// ---------------------------------------------------------------------------------------------
// Busy state: one task at a time; `body[data-busy]` tells tests (and styles) that work is under way.

async function task(work: () => Promise<void>): Promise<void> {
  document.body.dataset.busy = 'true';
  for (const button of [runButton, conformanceButton]) button.disabled = true;
  showError(null);
  try {
    await work();
  } catch (error) {
    showError(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  } finally {
    for (const button of [runButton, conformanceButton]) button.disabled = false;
    delete document.body.dataset.busy;
  }
}

function showError(message: string | null): void {
  const element = byId('error');
  element.hidden = message === null;
  element.textContent = message ?? '';
}

// ---------------------------------------------------------------------------------------------
// 1 · Model

for (const [i, example] of EXAMPLES.entries()) exampleSelect.append(h('option', { value: i }, example.title));
exampleSelect.addEventListener('change', () => void task(() => useSource(loadExample(EXAMPLES[Number(exampleSelect.value)]))));

const fileInput = byId<HTMLInputElement>('file');
fileInput.addEventListener('change', () => {
  const file = fileInput.files?.[0];
  if (file) void task(() => useSource(loadFile(file)));
});

const dropzone = byId('dropzone');
document.addEventListener('dragover', (event) => {
  event.preventDefault();
  dropzone.classList.add('over');
});
document.addEventListener('dragleave', () => dropzone.classList.remove('over'));
document.addEventListener('drop', (event) => {
  event.preventDefault();
  dropzone.classList.remove('over');
  const file = event.dataTransfer?.files[0];
  if (file) void task(() => useSource(loadFile(file)));
});

async function useSource(loading: Promise<ModelSource>): Promise<void> {
  show(byId('model-summary'), 'Loading…');
  try {
    source = await loading;
  } catch (error) {
    source = null;
    show(byId('model-summary'));
    throw error;
  }
  showModel(source);
  const recorded = inputChoice('example');
  recorded.disabled = source.example === null;
  if (recorded.disabled && recorded.checked) inputChoice('random').checked = true;
  updateInputControls();
  show(byId('outputs'), h('p', { class: 'hint' }, 'Choose backends, then Run.'));
}

function showModel(model: ModelSource): void {
  const spec = model.spec;
  show(
    byId('model-summary'),
    h('div', {}, h('b', {}, model.title)),
    h('div', {}, model.origin),
    spec
      ? [
          h('ul', { class: 'layers' }, spec.layers.map((layer) => h('li', {}, describeLayer(layer)))),
          h('div', {}, 'outputs: ', spec.outputs.map((o) => `${o.name} (${o.shape.map((d) => d ?? '?').join(', ')})`).join(', ')),
        ]
      : null,
  );
}

function describeLayer(layer: LayerSpec): string {
  switch (layer.kind) {
    case 'rnn':
      return `${layer.cell}(${layer.units}${layer.goBackwards ? ', go_backwards' : ''})`;
    case 'bidirectional':
      return `Bidirectional(${layer.forward.cell}(${layer.forward.units}), ${layer.mergeMode ?? 'no merge'})`;
    case 'dense':
      return `Dense(${layer.units})`;
    case 'embedding':
      return `Embedding(${layer.vocabulary}, ${layer.outputDim})`;
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
      return layer.pooling === 'average' ? 'GlobalAveragePooling1D' : 'GlobalMaxPooling1D';
    case 'batch-normalization':
      return 'BatchNormalization';
    case 'layer-normalization':
      return 'LayerNormalization';
    case 'conv1d':
      return `Conv1D(${layer.filters}, ${layer.kernelSize})`;
    case 'pooling1d':
      return layer.pooling === 'max' ? `MaxPooling1D(${layer.poolSize})` : `AveragePooling1D(${layer.poolSize})`;
  }
}

// ---------------------------------------------------------------------------------------------
// 2 · Input

function inputChoice(value: 'example' | 'random' | 'paste'): HTMLInputElement {
  return document.querySelector<HTMLInputElement>(`input[name="input"][value="${value}"]`)!;
}

function inputMode(): 'example' | 'random' | 'paste' {
  return (document.querySelector<HTMLInputElement>('input[name="input"]:checked')?.value ?? 'example') as 'example' | 'random' | 'paste';
}

for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="input"]')) radio.addEventListener('change', updateInputControls);
for (const id of ['batch', 'steps', 'seed', 'paste']) byId(id).addEventListener('input', updateInputSummary);

function updateInputControls(): void {
  const mode = inputMode();
  byId('random-options').hidden = mode !== 'random';
  byId('paste').hidden = mode !== 'paste';
  const steps = byId<HTMLInputElement>('steps');
  const fixedSteps = source?.spec?.input.timesteps ?? null;
  if (fixedSteps !== null) steps.value = String(fixedSteps);
  steps.disabled = fixedSteps !== null;
  updateInputSummary();
}

function updateInputSummary(): void {
  const summary = byId('input-summary');
  if (!source) return show(summary);
  try {
    const { input, keras } = currentInput(source);
    show(summary, `input ${formatShape(input.shape)}`, keras ? ' · Keras recorded its outputs for this input' : null);
  } catch (error) {
    show(summary, h('span', { class: 'error' }, error instanceof Error ? error.message : String(error)));
  }
}

function currentInput(model: ModelSource): { input: Tensor; options: RunOptions; keras: KerasExample | null } {
  switch (inputMode()) {
    case 'example':
      if (!model.example) throw new Error('this model has no recorded input; pick Random or Pasted JSON');
      return { input: model.example.input, options: model.example.options, keras: model.example };
    case 'random':
      if (!model.spec) throw new Error('the model does not say its input size; paste an input instead');
      return {
        input: randomInput(model.spec, {
          batch: Number(byId<HTMLInputElement>('batch').value),
          timesteps: Number(byId<HTMLInputElement>('steps').value),
          seed: Number(byId<HTMLInputElement>('seed').value),
        }),
        options: {},
        keras: null,
      };
    case 'paste':
      return { input: parseInput(byId<HTMLTextAreaElement>('paste').value), options: {}, keras: null };
  }
}

// ---------------------------------------------------------------------------------------------
// 3 · Backends

const backendList = byId('backends');
for (const name of BROWSER_BACKENDS) {
  backendList.append(
    h(
      'label',
      { class: 'backend' },
      h('input', { type: 'checkbox', value: name, checked: true }),
      h('code', {}, name),
      h('span', { class: 'status', 'data-status': name }, 'checking…'),
    ),
  );
}

/** One at a time: the runtimes' first initialisations do not overlap well. */
async function checkBackends(): Promise<void> {
  for (const name of BROWSER_BACKENDS) {
    const badge = backendList.querySelector<HTMLElement>(`[data-status="${name}"]`)!;
    const availability = (await getRegisteredBackend(name)?.available()) ?? { ok: false as const, reason: 'not registered' };
    badge.textContent = availability.ok ? 'ready' : 'unavailable';
    badge.className = `status ${availability.ok ? 'ready' : 'unavailable'}`;
    badge.title = availability.ok ? (availability.detail ?? '') : availability.reason;
    if (!availability.ok) backendList.querySelector<HTMLInputElement>(`input[value="${name}"]`)!.checked = false;
  }
}

function selectedBackends(): string[] {
  return [...backendList.querySelectorAll<HTMLInputElement>('input:checked')].map((box) => box.value);
}

// ---------------------------------------------------------------------------------------------
// Run, timing, conformance

runButton.addEventListener('click', () =>
  void task(async () => {
    if (!source) throw new Error('load a model first');
    const model = source;
    const { input, options, keras } = currentInput(model);
    const backends = selectedBackends();
    if (backends.length === 0) throw new Error('select at least one backend');
    const runs: BackendRun[] = [];
    for (const backend of backends) {
      show(byId('outputs'), outputsView(runs, keras), h('p', { class: 'hint' }, `Running on ${backend}…`));
      runs.push(await runOnBackend(model, backend, input, options));
    }
    show(byId('outputs'), outputsView(runs, keras));
    show(byId('chart'), timingChart(runs));
  }),
);

conformanceButton.addEventListener('click', () =>
  void task(async () => {
    const backends = selectedBackends();
    if (backends.length === 0) throw new Error('select at least one backend');
    const progress = byId('conformance-progress');
    progress.textContent = 'Loading the fixtures…';
    fixtures ??= fetchServedFixtures(FIXTURES_BASE);
    const loaded = await fixtures;
    const reports: ConformanceReport[] = [];
    for (const backend of backends) {
      reports.push(
        await runConformance({
          backend,
          fixtures: loaded,
          modelFileLoader: fetchModelFile,
          onProgress: (p) => (progress.textContent = `${backend}: ${p.done}/${p.total}`),
        }),
      );
      show(byId('matrix'), matrixView(reports, loaded));
    }
    const failed = reports.reduce((n, r) => n + r.results.filter((c) => c.status === 'fail').length, 0);
    progress.textContent = failed ? `${failed} failing` : 'every case passes';
  }),
);

void task(async () => {
  await useSource(loadExample(EXAMPLES[0]));
  await checkBackends();
});
