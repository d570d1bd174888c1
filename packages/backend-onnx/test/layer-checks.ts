import { expect } from 'vitest';
import { parseConfig, structureWeights, tensor, type Backend, type ModelSpec, type ModelWeights, type NestedArray, type Tensor } from '@rnn/core';
import type { LayerCase } from './layer-cases.js';

/** Shared by the CPU and WebGPU test files: one layer case through every kind of runtime graph. */

export function caseModel(c: LayerCase): { spec: ModelSpec; weights: ModelWeights } {
  const spec = parseConfig(c.config);
  return { spec, weights: structureWeights(spec, c.weights) };
}

/** Rows `rows` of the case's input and mask, as `(rows.length, ...)` tensors. */
export function caseRows(c: LayerCase, rows: readonly number[]): { input: Tensor; mask: Tensor | null } {
  const pick = <T extends NestedArray>(values: readonly T[]): NestedArray => rows.map((r) => values[r]);
  return { input: tensor(pick(c.input)), mask: c.mask ? tensor(pick(c.mask)) : null };
}

/** The Keras output and its data for rows `rows`: NaN must come back NaN, numbers within 1e-5 relative. */
export function expectRows(c: LayerCase, rows: readonly number[], shape: readonly number[], data: ArrayLike<number>, where: string): void {
  expect(Array.from(shape), `${where}: shape`).toEqual([rows.length, ...c.expected.shape]);
  const want = rows.flatMap((r) => c.expected.rows[r]);
  expect(data.length, `${where}: size`).toBe(want.length);
  want.forEach((w, i) => {
    if (Number.isNaN(w)) expect(data[i], `${where}[${i}]`).toBeNaN();
    else expect(Math.abs(data[i] - w) / Math.max(1, Math.abs(w)), `${where}[${i}]: got ${data[i]}, want ${w}`).toBeLessThanOrEqual(1e-5);
  });
}

/**
 * Runs the case on `backend` through every kind of runtime graph: both rows together (batch-major
 * edge) and each row alone (batch 1: time-major edge), each with and without state outputs; with
 * the case's mask, if it has one.
 */
export async function checkCaseOnBackend(backend: Backend, c: LayerCase): Promise<void> {
  const { spec, weights } = caseModel(c);
  const compiled = await backend.compile(spec, weights);
  try {
    for (const rows of [[0, 1], [0], [1]]) {
      for (const returnStates of [false, true]) {
        const { input, mask } = caseRows(c, rows);
        const result = await compiled.run({ input, mask, initialStates: spec.layers.map(() => null), returnStates });
        expect(result.outputs).toHaveLength(1);
        const [out] = result.outputs;
        expectRows(c, rows, out.shape, out.data, `${backend.name} rows [${rows}] states ${returnStates}`);
      }
    }
  } finally {
    await compiled.dispose();
  }
}
