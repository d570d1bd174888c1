/**
 * The one pass rule for every backend and case: element-wise `|got - want| / max(1, |want|) <= 1e-5`,
 * with equal output count, names and shapes, and no NaN anywhere. Keras's own backends agree to 2.3e-6
 * on this measure, so 1e-5 leaves room for float32 summation order and nothing more.
 */
export const TOLERANCE = 1e-5;

export interface ComparedTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

export interface Comparison {
  readonly ok: boolean;
  /** Largest element error over all outputs; `null` when no numbers could be compared (count, name or shape mismatch). */
  readonly maxError: number | null;
  /** Empty when ok; otherwise what differs, with the worst element. */
  readonly message: string;
}

/** The error measure of one element. NaN in either value gives NaN (which fails every check). */
export function elementError(got: number, want: number): number {
  return Math.abs(got - want) / Math.max(1, Math.abs(want));
}

function shapeText(shape: readonly number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}

function mismatch(message: string): Comparison {
  return { ok: false, maxError: null, message };
}

/** Compares a call's outputs with the expected ones, in order. */
export function compareOutputs(got: readonly ComparedTensor[], want: readonly ComparedTensor[]): Comparison {
  const gotNames = got.map((t) => t.name).join(', ');
  const wantNames = want.map((t) => t.name).join(', ');
  if (got.length !== want.length) {
    return mismatch(`expected ${want.length} outputs (${wantNames}), got ${got.length} (${gotNames})`);
  }
  if (gotNames !== wantNames) return mismatch(`expected outputs (${wantNames}), got (${gotNames})`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    const sameShape = g.shape.length === w.shape.length && g.shape.every((d, k) => d === w.shape[k]);
    if (!sameShape || g.data.length !== w.data.length) {
      return mismatch(`${w.name}: expected shape ${shapeText(w.shape)}, got ${shapeText(g.shape)} with ${g.data.length} values`);
    }
  }

  let worst: { output: string; index: number; got: number; want: number; error: number } | null = null;
  for (const [i, w] of want.entries()) {
    const g = got[i];
    for (let k = 0; k < w.data.length; k++) {
      const error = elementError(g.data[k], w.data[k]);
      if (Number.isNaN(error)) {
        return mismatch(`${w.name}[${k}]: got ${g.data[k]}, expected ${w.data[k]} (NaN fails)`);
      }
      if (worst === null || error > worst.error) worst = { output: w.name, index: k, got: g.data[k], want: w.data[k], error };
    }
  }
  const maxError = worst?.error ?? 0;
  if (maxError <= TOLERANCE) return { ok: true, maxError, message: '' };
  const at = worst!;
  return {
    ok: false,
    maxError,
    message: `max error ${maxError.toExponential(2)} > ${TOLERANCE} at ${at.output}[${at.index}]: got ${at.got}, expected ${at.want}`,
  };
}
