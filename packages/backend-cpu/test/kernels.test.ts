import { describe, expect, it } from 'vitest';
import { matmulPacked, transpose } from '../src/kernels.js';

describe('matmulPacked', () => {
  it('matches a naive product on block and remainder paths, writing only the requested columns', () => {
    // 5 rows (two 2-row blocks + 1), columns 1..7 of 8 (one 4-column block + 2 remainder), inner 3.
    const rows = 5;
    const inner = 3;
    const cols = 8;
    const a = Float32Array.from({ length: rows * inner }, (_, i) => Math.sin(i) * 2);
    const kernel = Float32Array.from({ length: inner * cols }, (_, i) => Math.cos(i * 1.3));
    const bias = Float32Array.from({ length: cols }, (_, j) => j / 4);
    const out = new Float32Array(rows * cols).fill(-99);
    matmulPacked(a, rows, inner, transpose(kernel, inner, cols), 1, 7, bias, out, cols);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const got = out[i * cols + j];
        if (j < 1 || j >= 7) {
          expect(got).toBe(-99);
          continue;
        }
        let want = bias[j];
        for (let k = 0; k < inner; k++) want += a[i * inner + k] * kernel[k * cols + j];
        expect(got).toBeCloseTo(want, 5);
      }
    }
  });

  it('transposes row-major matrices', () => {
    expect(Array.from(transpose(Float32Array.from([1, 2, 3, 4, 5, 6]), 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
  });
});
