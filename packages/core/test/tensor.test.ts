import { describe, expect, it } from 'vitest';
import { InputError, formatShape, tensor, toNested, toTensor, zeros } from '../src/index.js';

describe('tensor', () => {
  it('infers the shape of nested arrays and stores row-major float32', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(toNested(t)).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it('rounds to float32 like Keras', () => {
    expect(tensor([0.1], [1]).data[0]).toBe(Math.fround(0.1));
  });

  it('rejects ragged nested arrays and size mismatches', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged: 1 items at depth 1, expected 2/);
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(InputError);
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(/shape \(2, 2\) needs 4 values, got 3/);
    expect(() => zeros([2, -1])).toThrow(/non-negative integers/);
  });

  it('checks plain {shape, data} objects', () => {
    expect(toTensor({ shape: [2], data: [1, 2] }).data).toBeInstanceOf(Float32Array);
    expect(() => toTensor({ shape: [3], data: [1, 2] }, 'mask')).toThrow(/mask: shape \(3,\) needs 3 values, got 2/);
  });

  it('formats shapes the way Keras prints them', () => {
    expect(formatShape([5, 12])).toBe('(5, 12)');
    expect(formatShape([null, 3])).toBe('(None, 3)');
    expect(formatShape([12])).toBe('(12,)');
  });
});
