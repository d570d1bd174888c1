import type { MergeMode } from '@rnn/core';

/**
 * Bidirectional merge of the two directions' outputs, both in time order, `rows` rows each
 * (`batch·timesteps` for sequences, `batch` otherwise). `concat` puts the forward half first.
 */
export function mergeDirections(
  mode: MergeMode,
  forward: Float32Array,
  forwardUnits: number,
  backward: Float32Array,
  backwardUnits: number,
  rows: number,
): Float32Array {
  if (mode === 'concat') {
    const width = forwardUnits + backwardUnits;
    const merged = new Float32Array(rows * width);
    for (let r = 0; r < rows; r++) {
      merged.set(forward.subarray(r * forwardUnits, (r + 1) * forwardUnits), r * width);
      merged.set(backward.subarray(r * backwardUnits, (r + 1) * backwardUnits), r * width + forwardUnits);
    }
    return merged;
  }
  const combine = ELEMENTWISE_MERGE[mode];
  const merged = new Float32Array(forward.length);
  for (let i = 0; i < merged.length; i++) merged[i] = combine(forward[i], backward[i]);
  return merged;
}

const ELEMENTWISE_MERGE: Readonly<Record<Exclude<MergeMode, 'concat'>, (a: number, b: number) => number>> = {
  sum: (a, b) => a + b,
  mul: (a, b) => a * b,
  ave: (a, b) => (a + b) / 2,
};
