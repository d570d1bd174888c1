/**
 * Dense matrix kernels of the TypeScript path, over Float32Array storage (the WebAssembly kernels
 * have their own, in `assembly/gemm.ts`).
 *
 * Weights are packed once at compile time in "column-major" form — one contiguous row per output
 * column, i.e. the transpose of Keras's `(inner, cols)` kernel — so each output element is a dot
 * product of two contiguous vectors, accumulated in a JS double and rounded once on store.
 */

/** Row-major `(rows, cols)` → row-major `(cols, rows)`. */
export function transpose(source: Float32Array, rows: number, cols: number): Float32Array {
  const result = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const rowOffset = r * cols;
    for (let c = 0; c < cols; c++) result[c * rows + r] = source[rowOffset + c];
  }
  return result;
}

/**
 * `out[i·outStride + j] = bias[j] + Σ_k a[i·inner + k] · packed[j·inner + k]`
 * for `i < rows` and `colStart ≤ j < colEnd`; other columns of `out` are left alone.
 *
 * `a` is row-major `(rows, inner)` from offset 0; `packed` is the transposed weight matrix
 * `(cols, inner)`; `bias` (or `null`) is indexed by the absolute column `j`.
 */
export function matmulPacked(
  a: Float32Array,
  rows: number,
  inner: number,
  packed: Float32Array,
  colStart: number,
  colEnd: number,
  bias: Float32Array | null,
  out: Float32Array,
  outStride: number,
): void {
  // Blocks of 2 rows × 4 columns: each loaded value feeds several sums held in registers.
  let i = 0;
  for (; i + 2 <= rows; i += 2) {
    let j = colStart;
    for (; j + 4 <= colEnd; j += 4) block2x4(a, i, inner, packed, j, bias, out, outStride);
    dotEach(a, i, i + 2, inner, packed, j, colEnd, bias, out, outStride);
  }
  dotEach(a, i, rows, inner, packed, colStart, colEnd, bias, out, outStride);
}

/** The unblocked remainder: one dot product per output element. */
function dotEach(
  a: Float32Array,
  rowStart: number,
  rowEnd: number,
  inner: number,
  packed: Float32Array,
  colStart: number,
  colEnd: number,
  bias: Float32Array | null,
  out: Float32Array,
  outStride: number,
): void {
  for (let i = rowStart; i < rowEnd; i++) {
    for (let j = colStart; j < colEnd; j++) {
      let sum = bias === null ? 0 : bias[j];
      for (let k = 0; k < inner; k++) sum += a[i * inner + k] * packed[j * inner + k];
      out[i * outStride + j] = sum;
    }
  }
}

/** Rows `i, i+1` × columns `j … j+3`. */
function block2x4(
  a: Float32Array,
  i: number,
  inner: number,
  packed: Float32Array,
  j: number,
  bias: Float32Array | null,
  out: Float32Array,
  outStride: number,
): void {
  const a0 = i * inner;
  const a1 = a0 + inner;
  const w0 = j * inner;
  const w1 = w0 + inner;
  const w2 = w1 + inner;
  const w3 = w2 + inner;
  let s00 = 0;
  let s01 = 0;
  let s02 = 0;
  let s03 = 0;
  let s10 = 0;
  let s11 = 0;
  let s12 = 0;
  let s13 = 0;
  for (let k = 0; k < inner; k++) {
    const x0 = a[a0 + k];
    const x1 = a[a1 + k];
    const p0 = packed[w0 + k];
    const p1 = packed[w1 + k];
    const p2 = packed[w2 + k];
    const p3 = packed[w3 + k];
    s00 += x0 * p0;
    s01 += x0 * p1;
    s02 += x0 * p2;
    s03 += x0 * p3;
    s10 += x1 * p0;
    s11 += x1 * p1;
    s12 += x1 * p2;
    s13 += x1 * p3;
  }
  const o0 = i * outStride + j;
  const o1 = o0 + outStride;
  const b0 = bias === null ? 0 : bias[j];
  const b1 = bias === null ? 0 : bias[j + 1];
  const b2 = bias === null ? 0 : bias[j + 2];
  const b3 = bias === null ? 0 : bias[j + 3];
  out[o0] = s00 + b0;
  out[o0 + 1] = s01 + b1;
  out[o0 + 2] = s02 + b2;
  out[o0 + 3] = s03 + b3;
  out[o1] = s10 + b0;
  out[o1 + 1] = s11 + b1;
  out[o1 + 2] = s12 + b2;
  out[o1 + 3] = s13 + b3;
}
