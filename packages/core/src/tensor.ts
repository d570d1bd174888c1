import { InputError, formatShape } from './errors.js';

/**
 * The value type that crosses every API boundary: a row-major float32 array and its shape.
 * Backends may hold their own device tensors internally; they accept and return these.
 */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** A tensor with the Keras output name it belongs to (`output`, `h`, `c`, `forward_h`, ...). */
export interface NamedTensor extends Tensor {
  readonly name: string;
}

export type TensorLike = Tensor | { shape: readonly number[]; data: ArrayLike<number> };

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function checkShape(shape: readonly number[], what: string): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new InputError(`${what}: shape ${JSON.stringify(shape)} must hold non-negative integers`, {
        field: 'shape',
        actual: shape,
      });
    }
  }
}

/**
 * Builds a tensor from flat row-major data (copied into a Float32Array unless it already is one)
 * or from nested arrays (shape inferred when omitted).
 */
export function tensor(data: ArrayLike<number> | NestedArray, shape?: readonly number[]): Tensor {
  if (isNested(data)) {
    const inferred = inferShape(data);
    const flat = new Float32Array(sizeOf(inferred));
    flattenInto(data, inferred, 0, flat, 0);
    if (shape && sizeOf(shape) !== flat.length) {
      throw new InputError(`tensor: nested data has shape ${formatShape(inferred)}, not ${formatShape(shape)}`, {
        expected: shape,
        actual: inferred,
      });
    }
    return { shape: [...(shape ?? inferred)], data: flat };
  }
  const flatShape = shape ?? [data.length];
  checkShape(flatShape, 'tensor');
  if (sizeOf(flatShape) !== data.length) {
    throw new InputError(
      `tensor: shape ${formatShape(flatShape)} needs ${sizeOf(flatShape)} values, got ${data.length}`,
      { expected: sizeOf(flatShape), actual: data.length },
    );
  }
  return { shape: [...flatShape], data: data instanceof Float32Array ? data : Float32Array.from(data) };
}

export function zeros(shape: readonly number[]): Tensor {
  checkShape(shape, 'zeros');
  return { shape: [...shape], data: new Float32Array(sizeOf(shape)) };
}

export function fill(shape: readonly number[], value: number): Tensor {
  const t = zeros(shape);
  t.data.fill(value);
  return t;
}

/** Accepts a Tensor or a plain `{shape, data}` object (as parsed from JSON) and checks it. */
export function toTensor(value: TensorLike, what = 'tensor'): Tensor {
  if (value === null || typeof value !== 'object' || !Array.isArray(value.shape) || value.data == null) {
    throw new InputError(`${what}: expected {shape, data}, got ${describe(value)}`, { field: what });
  }
  checkShape(value.shape, what);
  if (sizeOf(value.shape) !== value.data.length) {
    throw new InputError(
      `${what}: shape ${formatShape(value.shape)} needs ${sizeOf(value.shape)} values, got ${value.data.length}`,
      { field: what, expected: sizeOf(value.shape), actual: value.data.length },
    );
  }
  return value.data instanceof Float32Array
    ? (value as Tensor)
    : { shape: [...value.shape], data: Float32Array.from(value.data) };
}

/** Nested JS arrays, e.g. `[[1, 2], [3, 4]]`. */
export type NestedArray = readonly (number | NestedArray)[];

/** Row-major nested arrays of the tensor's values (for printing and JSON output). */
export function toNested(t: Tensor): NestedArray {
  if (t.shape.length === 0) return [t.data[0]];
  const build = (dim: number, offset: number): NestedArray => {
    const n = t.shape[dim];
    const stride = sizeOf(t.shape.slice(dim + 1));
    const out: (number | NestedArray)[] = [];
    for (let i = 0; i < n; i++) {
      out.push(dim === t.shape.length - 1 ? t.data[offset + i] : build(dim + 1, offset + i * stride));
    }
    return out;
  };
  return build(0, 0);
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Index of the first non-finite value, or -1. */
export function firstNonFinite(data: Float32Array): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

function isNested(data: ArrayLike<number> | NestedArray): data is NestedArray {
  return Array.isArray(data) && data.length > 0 && Array.isArray(data[0]);
}

function inferShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let level: number | NestedArray = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = (level as NestedArray)[0];
  }
  return shape;
}

function flattenInto(data: NestedArray, shape: readonly number[], depth: number, out: Float32Array, offset: number): number {
  if (data.length !== shape[depth]) {
    throw new InputError(`tensor: nested data is ragged: ${data.length} items at depth ${depth}, expected ${shape[depth]}`, {
      expected: shape[depth],
      actual: data.length,
    });
  }
  const leaf = depth === shape.length - 1;
  for (const item of data) {
    if (leaf && typeof item === 'number') out[offset++] = item;
    else if (!leaf && Array.isArray(item)) offset = flattenInto(item as NestedArray, shape, depth + 1, out, offset);
    else throw new InputError(`tensor: nested data holds ${describe(item)} at depth ${depth + 1}, expected ${leaf ? 'a number' : 'an array'}`);
  }
  return offset;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
