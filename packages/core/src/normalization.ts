import type { BatchNormalizationLayerSpec, BatchNormalizationWeights } from './spec.js';

/** `BatchNormalization` at inference as one affine map per feature: `y = x · scale + shift`. */
export interface BatchNormalizationAffine {
  readonly scale: Float32Array;
  readonly shift: Float32Array;
}

/**
 * The per-feature `scale = gamma / √(moving_variance + epsilon)` and
 * `shift = beta − moving_mean · scale`, in float32 and in the order Keras's numpy backend computes
 * them (`x · inv + res`), so every backend applies the same two numbers.
 */
export function batchNormalizationAffine(spec: BatchNormalizationLayerSpec, weights: BatchNormalizationWeights): BatchNormalizationAffine {
  const scale = new Float32Array(spec.features);
  const shift = new Float32Array(spec.features);
  for (let i = 0; i < spec.features; i++) {
    const inverse = Math.fround(1 / Math.fround(Math.sqrt(Math.fround(weights.movingVariance.data[i] + spec.epsilon))));
    scale[i] = weights.gamma ? Math.fround(inverse * weights.gamma.data[i]) : inverse;
    const negatedMean = Math.fround(-weights.movingMean.data[i] * scale[i]);
    shift[i] = weights.beta ? Math.fround(negatedMean + weights.beta.data[i]) : negatedMean;
  }
  return { scale, shift };
}
