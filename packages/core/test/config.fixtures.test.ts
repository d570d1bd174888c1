import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { structureWeights, weightSlots, flattenWeights } from '../src/weights.js';
import type { LayerSpec, RecurrentLayerSpec } from '../src/spec.js';
import { allFixtures, fixtureInputShape, fixtureOutputs, type Fixture } from './fixtures.js';

const RECURRENT = ['SimpleRNN', 'GRU', 'LSTM'];

/** The fixture's Keras config of each recurrent layer (forward/backward for Bidirectional), in chain order. */
function recurrentConfigs(f: Fixture): { className: string; config: Record<string, unknown> }[] {
  const out: { className: string; config: Record<string, unknown> }[] = [];
  const visit = (layer: { class_name: string; config: Record<string, unknown> }): void => {
    if (RECURRENT.includes(layer.class_name)) out.push({ className: layer.class_name, config: layer.config });
    if (layer.class_name === 'Bidirectional') {
      visit(layer.config.layer as never);
      visit(layer.config.backward_layer as never);
    }
    for (const inner of (layer.config.layers as never[] | undefined) ?? []) visit(inner);
  };
  visit(f.layer);
  return out;
}

function recurrentSpecs(layers: readonly LayerSpec[]): RecurrentLayerSpec[] {
  return layers.flatMap((l) => (l.kind === 'rnn' ? [l] : l.kind === 'bidirectional' ? [l.forward, l.backward] : []));
}

describe.each(allFixtures().map((f) => [f.id, f] as const))('fixture %s', (_id, f) => {
  // One-layer cases record no input shape at the top level (the model API builds them lazily);
  // model cases must parse from their config alone.
  const isModel = ['Sequential', 'Functional'].includes(f.layer.class_name);
  const spec = parseConfig(f.layer, isModel ? {} : { inputFeatures: fixtureInputShape(f)[2] });

  it('parses every recurrent option as the config states it', () => {
    const configs = recurrentConfigs(f);
    const specs = recurrentSpecs(spec.layers);
    expect(specs).toHaveLength(configs.length);
    specs.forEach((s, i) => {
      const c = configs[i].config;
      expect(s.cell).toBe(configs[i].className);
      expect(s.units).toBe(c.units);
      expect(s.inputDim).toBe((f.weights.find((w) => w.name!.split('/').includes(c.name as string))?.shape ?? [])[0]);
      expect(s.returnSequences).toBe(c.return_sequences);
      expect(s.returnState).toBe(c.return_state);
      expect(s.goBackwards).toBe(c.go_backwards);
      expect(s.stateful).toBe(c.stateful);
      expect(s.unroll).toBe(c.unroll);
      expect(s.useBias).toBe(c.use_bias);
      expect(s.zeroOutputForMask).toBe(c.zero_output_for_mask);
      expect(s.activation).toBe(c.activation);
      expect(s.name).toBe(c.name);
      if (c.recurrent_activation !== undefined) expect(s.recurrentActivation).toBe(c.recurrent_activation);
      if (c.reset_after !== undefined) expect(s.resetAfter).toBe(c.reset_after);
      if (c.unit_forget_bias !== undefined) expect(s.unitForgetBias).toBe(c.unit_forget_bias);
      expect(s.maskedOutput).toBe(c.zero_output_for_mask ? 'zeros' : c.unroll ? 'previous-output' : 'state');
    });
  });

  it('names and shapes the outputs as Keras returns them', () => {
    const want = fixtureOutputs(f);
    if (want.length === 0) return; // stateful cases keep outputs in `sequence`
    expect(spec.outputs.map((o) => o.name)).toEqual(want.map((o) => o.name));
    spec.outputs.forEach((o, i) => {
      expect(o.shape).toHaveLength(want[i].shape.length);
      o.shape.forEach((d, k) => {
        if (d !== null) expect(d).toBe(want[i].shape[k]);
      });
    });
  });

  it('records the input the fixture feeds', () => {
    const shape = fixtureInputShape(f);
    if (spec.input.tokenIds) {
      expect(spec.input.features).toBeNull();
      expect(shape).toHaveLength(2);
    } else {
      expect(spec.input.features).toBe(shape[2]);
    }
    if (spec.input.timesteps !== null) expect(spec.input.timesteps).toBe(shape[1]);
    const stateful = recurrentSpecs(spec.layers).some((l) => l.stateful);
    // A stateful layer's batch is known when its config records one; otherwise the first call fixes it.
    if (stateful && spec.input.batch !== null) expect(spec.input.batch).toBe(shape[0]);
    else expect(spec.input.batch).toBeNull();
  });

  it('expects exactly the weight shapes the fixture holds, in order', () => {
    const slots = weightSlots(spec);
    expect(slots.map((s) => s.shape)).toEqual(f.weights.map((w) => w.shape));
    slots.forEach((slot, i) => {
      // Prefixes depend on how Keras built the layer (see the goldens README): compare the tail.
      const tail = (n: string): string => n.split('/').slice(-2).join('/');
      if (!slot.name.startsWith('time_distributed')) expect(tail(slot.name)).toBe(tail(f.weights[i].name!));
    });
  });

  it('structures the weights and flattens them back', () => {
    const weights = structureWeights(spec, f.weights);
    expect(weights).toHaveLength(spec.layers.length);
    const flat = flattenWeights(spec, weights);
    expect(flat.map((t) => t.shape)).toEqual(f.weights.map((w) => w.shape));
    flat.forEach((t, i) => expect(Array.from(t.data)).toEqual(f.weights[i].data.map(Math.fround)));
  });
});

describe('fixture corpus', () => {
  it('holds every fixture', () => {
    expect(allFixtures().length).toBe(157 + 3 + 4);
  });
});
