/**
 * Element-wise float passes of the gate math: four floats per iteration, then the last 1–3 one at
 * a time (scalar f32 arithmetic rounds exactly like a vector lane). Output may alias any input.
 */

/** `out = a + b`. */
export function add(out: usize, a: usize, b: usize, count: i32): void {
  const bytes = (<usize>count) << 2;
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) v128.store(out + i, f32x4.add(v128.load(a + i), v128.load(b + i)));
  for (; i < bytes; i += 4) store<f32>(out + i, load<f32>(a + i) + load<f32>(b + i));
}

/** `out = a · b`. */
export function multiply(out: usize, a: usize, b: usize, count: i32): void {
  const bytes = (<usize>count) << 2;
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) v128.store(out + i, f32x4.mul(v128.load(a + i), v128.load(b + i)));
  for (; i < bytes; i += 4) store<f32>(out + i, load<f32>(a + i) * load<f32>(b + i));
}

/** `out = a · b + c`. */
export function multiplyAdd(out: usize, a: usize, b: usize, c: usize, count: i32): void {
  const bytes = (<usize>count) << 2;
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) v128.store(out + i, f32x4.add(f32x4.mul(v128.load(a + i), v128.load(b + i)), v128.load(c + i)));
  for (; i < bytes; i += 4) store<f32>(out + i, load<f32>(a + i) * load<f32>(b + i) + load<f32>(c + i));
}

/** LSTM's `c = f·c₋ + i·ĉ`. */
export function lstmCellState(out: usize, forget: usize, previous: usize, input: usize, candidate: usize, count: i32): void {
  const bytes = (<usize>count) << 2;
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) {
    const kept = f32x4.mul(v128.load(forget + i), v128.load(previous + i));
    v128.store(out + i, f32x4.add(kept, f32x4.mul(v128.load(input + i), v128.load(candidate + i))));
  }
  for (; i < bytes; i += 4) store<f32>(out + i, load<f32>(forget + i) * load<f32>(previous + i) + load<f32>(input + i) * load<f32>(candidate + i));
}

/** GRU's `h = z·h₋ + (1−z)·ĥ`. */
export function blend(out: usize, update: usize, previous: usize, candidate: usize, count: i32): void {
  const bytes = (<usize>count) << 2;
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) {
    const z = v128.load(update + i);
    v128.store(out + i, f32x4.add(f32x4.mul(z, v128.load(previous + i)), f32x4.mul(f32x4.sub(f32x4.splat(1), z), v128.load(candidate + i))));
  }
  for (; i < bytes; i += 4) {
    const z = load<f32>(update + i);
    store<f32>(out + i, z * load<f32>(previous + i) + (1 - z) * load<f32>(candidate + i));
  }
}
