import { describe, expect, it } from 'vitest';
import { TOLERANCE, compareOutputs, elementError } from '../src/index.js';

const out = (name: string, shape: number[], data: number[]) => ({ name, shape, data });

describe('elementError', () => {
  it('is absolute below |want| = 1 and relative above', () => {
    expect(elementError(0.25, 0.5)).toBe(0.25);
    expect(elementError(-0.5, 0)).toBe(0.5);
    expect(elementError(110, 100)).toBeCloseTo(0.1, 15);
    expect(elementError(-3, -4)).toBe(0.25);
  });
});

describe('compareOutputs', () => {
  it('passes at exactly the 1e-5 boundary and fails just above it', () => {
    expect(TOLERANCE).toBe(1e-5);
    const atBoundary = compareOutputs([out('output', [1], [1e-5])], [out('output', [1], [0])]);
    expect(atBoundary).toEqual({ ok: true, maxError: 1e-5, message: '' });
    const above = compareOutputs([out('output', [1], [1.0000001e-5])], [out('output', [1], [0])]);
    expect(above.ok).toBe(false);
    expect(above.maxError).toBe(1.0000001e-5);
    expect(above.message).toContain('output[0]');
  });

  it('measures large values relative to |want| (2^-16 off 8 passes, 2^-16 off 1 fails)', () => {
    expect(compareOutputs([out('h', [1], [8 + 2 ** -16])], [out('h', [1], [8])]).ok).toBe(true);
    const fail = compareOutputs([out('h', [1], [1 + 2 ** -16])], [out('h', [1], [1])]);
    expect(fail.ok).toBe(false);
    expect(fail.maxError).toBe(2 ** -16);
  });

  it('reports the worst element over all outputs, with its name and index', () => {
    const got = [out('output', [2], [0.5, 0.5]), out('h', [1, 2], [0.1, 0.3])];
    const want = [out('output', [2], [0.5, 0.5]), out('h', [1, 2], [0.1, 0.2])];
    const result = compareOutputs(got, want);
    expect(result.ok).toBe(false);
    expect(result.maxError).toBeCloseTo(0.1, 12);
    expect(result.message).toMatch(/^max error 1\.00e-1 > 0\.00001 at h\[1\]: got 0\.3, expected 0\.2$/);
  });

  it('fails on NaN in either the result or the expected values, even where the other matches', () => {
    const nanGot = compareOutputs([out('output', [3], [0, Number.NaN, 0])], [out('output', [3], [0, 0, 0])]);
    expect(nanGot).toEqual({ ok: false, maxError: null, message: 'output[1]: got NaN, expected 0 (NaN fails)' });
    expect(compareOutputs([out('output', [1], [Number.NaN])], [out('output', [1], [Number.NaN])]).ok).toBe(false);
    expect(compareOutputs([out('output', [1], [Infinity])], [out('output', [1], [Infinity])]).ok).toBe(false);
  });

  it('fails on a shape mismatch even when the values line up', () => {
    const result = compareOutputs([out('output', [3, 2], [1, 2, 3, 4, 5, 6])], [out('output', [2, 3], [1, 2, 3, 4, 5, 6])]);
    expect(result).toEqual({
      ok: false,
      maxError: null,
      message: 'output: expected shape (2, 3), got (3, 2) with 6 values',
    });
  });

  it('fails on a different output count or names', () => {
    const h = out('h', [1], [0]);
    const c = out('c', [1], [0]);
    expect(compareOutputs([h], [h, c]).message).toBe('expected 2 outputs (h, c), got 1 (h)');
    expect(compareOutputs([c, h], [h, c]).message).toBe('expected outputs (h, c), got (c, h)');
  });

  it('passes identical outputs with max error 0', () => {
    const o = out('output', [2, 2], [0.1, -2, 3e5, 0]);
    expect(compareOutputs([o], [o])).toEqual({ ok: true, maxError: 0, message: '' });
  });
});
