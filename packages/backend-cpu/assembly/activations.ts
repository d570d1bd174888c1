/**
 * Element-wise activations on float32 vectors, for the gate math of the recurrent cells. The
 * formulas are @rnn/core's (activations.ts); exp-based ones are evaluated in float32 to a few units
 * in the last place, far inside the conformance rule (1e-5). Activations not listed here never
 * reach this module: layers that use them run on the TypeScript kernels.
 */

export const ACTIVATION_LINEAR: i32 = 0;
export const ACTIVATION_TANH: i32 = 1;
export const ACTIVATION_SIGMOID: i32 = 2;
/** Keras 3: `clip(x/6 + 0.5, 0, 1)`. */
export const ACTIVATION_HARD_SIGMOID: i32 = 3;
/** Keras 2: `clip(0.2x + 0.5, 0, 1)`. */
export const ACTIVATION_HARD_SIGMOID_KERAS2: i32 = 4;
export const ACTIVATION_RELU: i32 = 5;

/** `out[i] = f(input[i])` for `i < count` (`out` may be `input`), with f the activation `kind`. */
export function activate(kind: i32, out: usize, input: usize, count: i32): void {
  const bytes = (<usize>count) << 2;
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) v128.store(out + i, activate4(kind, v128.load(input + i)));
  // The last 1–3 floats go through lane 0 of the same vector code.
  for (; i < bytes; i += 4) v128.store32_lane(out + i, activate4(kind, v128.load32_splat(input + i)), 0);
}

// @ts-ignore: decorator
@inline function activate4(kind: i32, x: v128): v128 {
  switch (kind) {
    case ACTIVATION_TANH:
      return tanh4(x);
    case ACTIVATION_SIGMOID:
      return sigmoid4(x);
    case ACTIVATION_HARD_SIGMOID:
      return clamp01(f32x4.add(f32x4.div(x, f32x4.splat(6)), f32x4.splat(0.5)));
    case ACTIVATION_HARD_SIGMOID_KERAS2:
      return clamp01(f32x4.add(f32x4.mul(x, f32x4.splat(0.2)), f32x4.splat(0.5)));
    case ACTIVATION_RELU:
      return f32x4.max(x, f32x4.splat(0));
    default:
      return x;
  }
}

// @ts-ignore: decorator
@inline function clamp01(x: v128): v128 {
  return f32x4.min(f32x4.max(x, f32x4.splat(0)), f32x4.splat(1));
}

/** `1 / (1 + e^−x)`: relative accuracy holds on both tails (e^−x only overflows past the clamp). */
// @ts-ignore: decorator
@inline function sigmoid4(x: v128): v128 {
  const y = clampExponent(f32x4.neg(x));
  const n = exponentOf(y);
  const scale = powerOfTwo(n);
  // e^−x = 2^n + 2^n·(e^r − 1)
  const e = f32x4.add(scale, f32x4.mul(scale, expFraction(y, n)));
  return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), e));
}

/**
 * `sign(x) · |m / (2 + m)|` with `m = e^(−2|x|) − 1 = 2^n·(e^r − 1) + (2^n − 1)`: building `e^y − 1`
 * from its parts keeps full relative accuracy near 0, where `1 − e^y` would cancel.
 */
// @ts-ignore: decorator
@inline function tanh4(x: v128): v128 {
  const y = clampExponent(f32x4.mul(f32x4.abs(x), f32x4.splat(-2)));
  const n = exponentOf(y);
  const scale = powerOfTwo(n);
  const m = f32x4.add(f32x4.mul(scale, expFraction(y, n)), f32x4.sub(scale, f32x4.splat(1)));
  // m ≤ 0 < 2 + m, so the magnitude is −m / (2 + m); abs also makes tanh(0) +0, not −0.
  const magnitude = f32x4.abs(f32x4.div(m, f32x4.add(m, f32x4.splat(2))));
  // OR-ing in x's sign bit gives it the sign of x.
  return v128.or(magnitude, v128.and(x, i32x4.splat(0x80000000)));
}

// e^y = 2^n · e^r with n = round(y / ln 2) and |r| ≤ ln 2 / 2.

const LOG2_E: f32 = 1.4426950408889634;
// ln 2 split so that n · LN2_HIGH is exact in float32 for |n| < 2^15 (Cody–Waite reduction).
const LN2_HIGH: f32 = 0.693359375;
const LN2_LOW: f32 = -2.12194440e-4;

/** Keeps `2^n` a normal float32 (n in [−126, 127]); sigmoid and tanh saturate long before either bound. */
// @ts-ignore: decorator
@inline function clampExponent(y: v128): v128 {
  return f32x4.min(f32x4.max(y, f32x4.splat(-87)), f32x4.splat(88));
}

/** `n = round(y / ln 2)`, as floats. */
// @ts-ignore: decorator
@inline function exponentOf(y: v128): v128 {
  return f32x4.nearest(f32x4.mul(y, f32x4.splat(LOG2_E)));
}

/** `2^n`, built from its exponent bits. */
// @ts-ignore: decorator
@inline function powerOfTwo(n: v128): v128 {
  return i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
}

/** `e^r − 1` for `r = y − n·ln 2`: its Taylor series to degree 7, relative error < 5e-9 for |r| ≤ ln 2 / 2. */
// @ts-ignore: decorator
@inline function expFraction(y: v128, n: v128): v128 {
  const r = f32x4.sub(f32x4.sub(y, f32x4.mul(n, f32x4.splat(LN2_HIGH))), f32x4.mul(n, f32x4.splat(LN2_LOW)));
  let p = f32x4.add(f32x4.mul(r, f32x4.splat(<f32>(1.0 / 5040))), f32x4.splat(<f32>(1.0 / 720)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 120)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 24)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 6)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1));
  return f32x4.mul(p, r);
}
