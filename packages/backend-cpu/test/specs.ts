import type {
  BidirectionalLayerSpec,
  LayerSpec,
  MergeMode,
  ModelSpec,
  OutputSpec,
  RecurrentLayerSpec,
  RecurrentWeights,
  Tensor,
} from '@rnn/core';
import { tensor } from '@rnn/core';

/** Hand-built specs for unit tests, independent of the config parser. */

export function recurrent(overrides: Partial<RecurrentLayerSpec> & Pick<RecurrentLayerSpec, 'cell' | 'units' | 'inputDim'>): RecurrentLayerSpec {
  return {
    kind: 'rnn',
    name: overrides.cell.toLowerCase(),
    activation: 'tanh',
    recurrentActivation: 'sigmoid',
    useBias: true,
    resetAfter: false,
    unitForgetBias: false,
    returnSequences: false,
    returnState: false,
    goBackwards: false,
    stateful: false,
    unroll: false,
    zeroOutputForMask: false,
    maskedOutput: 'state',
    initializers: {},
    weightLayout: 'keras',
    ...overrides,
  };
}

export function bidirectional(
  forward: RecurrentLayerSpec,
  mergeMode: MergeMode | null,
  options: { returnSequences?: boolean; returnState?: boolean } = {},
): BidirectionalLayerSpec {
  const returnSequences = options.returnSequences ?? false;
  const returnState = options.returnState ?? false;
  const sub = { returnSequences, returnState, maskedOutput: returnSequences ? ('zeros' as const) : ('state' as const) };
  return {
    kind: 'bidirectional',
    name: 'bidirectional',
    forward: { ...forward, ...sub, name: `forward_${forward.name}`, goBackwards: false },
    backward: { ...forward, ...sub, name: `backward_${forward.name}`, goBackwards: true },
    mergeMode,
    inputDim: forward.inputDim,
    returnSequences,
    returnState,
    stateful: false,
  };
}

export function model(layers: LayerSpec[], outputs: string[], features: number | null = null): ModelSpec {
  const first = layers[0];
  return {
    name: 'test',
    source: layers.length === 1 ? 'layer' : 'sequential',
    layers,
    input: {
      batch: null,
      timesteps: null,
      features: first.kind === 'embedding' ? null : (features ?? ('inputDim' in first ? first.inputDim : null)),
      tokenIds: first.kind === 'embedding',
    },
    outputs: outputs.map((name): OutputSpec => ({ name, shape: [] })),
    kerasVersion: 3,
    ignoredLayers: [],
  };
}

/** Weights from nested arrays in Keras layout. */
export function rnnWeights(kernel: number[][], recurrentKernel: number[][], bias: number[] | number[][] | null): RecurrentWeights {
  return {
    kernel: tensor(kernel),
    recurrentKernel: tensor(recurrentKernel),
    bias: bias === null ? null : Array.isArray(bias[0]) ? tensor(bias as number[][]) : tensor(bias as number[]),
  };
}

export function values(t: Tensor): number[] {
  return Array.from(t.data);
}
