import type { CaseResult } from '@rnn/conformance';
import { describe, expect, it } from 'vitest';
import { sortBackends } from '../src/backends.js';
import { renderMatrix, shorten } from '../src/matrix.js';

const result = (id: string, pass: boolean): CaseResult => ({ case: id, status: pass ? 'pass' : 'fail', maxError: pass ? 0 : 1, message: '' });

describe('renderMatrix', () => {
  const cases = [
    { id: 'lstm-b1', family: 'LSTM' as const },
    { id: 'gru-b1', family: 'GRU' as const },
    { id: 'gru-b2', family: 'GRU' as const },
  ];
  const results = (backends: string[]) =>
    new Map(backends.map((b, i) => [b, new Map(cases.map((c, k) => [c.id, result(c.id, (i + k) % 2 === 0)]))]));

  it('heads columns with backend names and groups rows by family, in family order', () => {
    const lines = renderMatrix({ backends: ['cpu', 'onnx:cpu'], cases, results: results(['cpu', 'onnx:cpu']), width: 80, color: false });
    expect(lines).toEqual([
      '  case     cpu  onnx:cpu',
      'GRU (2 cases)',
      '  gru-b1    ✗      ✓',
      '  gru-b2    ✓      ✗',
      'LSTM (1 case)',
      '  lstm-b1   ✓      ✗',
    ]);
  });

  it('numbers the columns with a legend when the names do not fit the width', () => {
    const backends = ['cpu', 'tfjs:cpu', 'tfjs:wasm', 'tfjs:webgl', 'tfjs:webgpu', 'onnx:cpu', 'onnx:webgpu', 'onnx:cuda'];
    const long = [{ id: 'x'.repeat(40), family: 'SimpleRNN' as const }];
    const map = new Map(backends.map((b) => [b, new Map([[long[0].id, result(long[0].id, true)]])]));
    const lines = renderMatrix({ backends, cases: long, results: map, width: 80, color: false });
    expect(lines).toEqual([
      'Backends: 1 = cpu, 2 = tfjs:cpu, 3 = tfjs:wasm, 4 = tfjs:webgl, 5 = tfjs:webgpu,',
      '          6 = onnx:cpu, 7 = onnx:webgpu, 8 = onnx:cuda',
      `  case${' '.repeat(36)}  1  2  3  4  5  6  7  8`,
      'SimpleRNN (1 case)',
      `  ${'x'.repeat(40)}  ✓  ✓  ✓  ✓  ✓  ✓  ✓  ✓`,
    ]);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(80);
  });

  it('shortens ids in the middle when even numbered columns do not fit', () => {
    expect(shorten('simplernn-seq-state-b3-t13-seed204', 15)).toBe('simpler…seed204');
    expect(shorten('short', 15)).toBe('short');
    const id = 'a'.repeat(60) + 'TAIL';
    const lines = renderMatrix({
      backends: Array.from({ length: 10 }, (_, i) => `b${i}`),
      cases: [{ id, family: 'GRU' }],
      results: new Map(),
      width: 60,
      color: false,
    });
    expect(lines.slice(0, 2)).toEqual([
      'Backends: 1 = b0, 2 = b1, 3 = b2, 4 = b3, 5 = b4, 6 = b5, 7 = b6, 8 = b7,',
      '          9 = b8, 10 = b9',
    ]);
    expect(lines.every((l) => l.length <= 80)).toBe(true);
    expect(lines.at(-1)).toMatch(/^ {2}a+…a*TAIL$/);
  });
});

describe('sortBackends', () => {
  it('orders known names as documented, others after their family, then unknown families', () => {
    expect(sortBackends(['zz', 'onnx-web:wasm', 'onnx:cpu', 'cpu:js', 'tfjs:wasm', 'cpu', 'tfjs:cpu'])).toEqual([
      'cpu',
      'cpu:js',
      'tfjs:cpu',
      'tfjs:wasm',
      'onnx:cpu',
      'onnx-web:wasm',
      'zz',
    ]);
  });
});
