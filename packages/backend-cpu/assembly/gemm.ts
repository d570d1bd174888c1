/**
 * The matrix product every recurrent step and input projection runs on:
 * `out[r, j] = bias[j] + Σ_k a[r, k] · W[k, j]` with W packed into panels.
 *
 * Panel layout (written by the TypeScript packer): a Keras matrix `(inner, cols)` becomes
 * `ceil(cols / 8)` panels; panel p holds, for k = 0 … inner−1, the 8 floats `W[k, 8p … 8p+7]`
 * (zeros past `cols`). The kernel then reads each panel front to back, two f32x4 vectors per k,
 * and broadcasts one value of `a` against them, so no horizontal sums are needed.
 *
 * Pointers are byte addresses in this module's memory; sizes and strides count floats.
 */

/** Columns per panel: two f32x4 vectors. */
export const PANEL_WIDTH: i32 = 8;
const PANEL_BYTES_PER_K: usize = 32;
/** Floats of `a` per row chunk: 16 KB, half an L1 data cache. */
const A_CHUNK_FLOATS: i32 = 4096;

/**
 * `out` rows have `outStride ≥ 8·panels` floats: every panel writes all its 8 columns. `bias`
 * (0 = none) holds `8·panels` floats. `a` rows have `aStride` floats, of which `inner` are read.
 */
export function gemm(a: usize, aStride: i32, rows: i32, inner: i32, packed: usize, panels: i32, bias: usize, out: usize, outStride: i32): void {
  const aRowBytes = (<usize>aStride) << 2;
  const outRowBytes = (<usize>outStride) << 2;
  const panelBytes = (<usize>inner) * PANEL_BYTES_PER_K;
  const blockedRows = rows & ~3;
  // Four rows share each pair of weight vectors. Rows go in chunks of about 16 KB of `a`, and within
  // a chunk panel after panel: both the chunk and the panel (inner · 32 bytes) stay in L1 while
  // every panel of W streams past once per chunk.
  const chunkRows = max(4, (A_CHUNK_FLOATS / inner) & ~3);
  for (let chunk = 0; chunk < blockedRows; chunk += chunkRows) {
    const chunkEnd = min(chunk + chunkRows, blockedRows);
    for (let p = 0; p < panels; p++) {
      const panel = packed + <usize>p * panelBytes;
      const panelBias = offsetOrNull(bias, <usize>p * PANEL_BYTES_PER_K);
      const column = <usize>p * PANEL_BYTES_PER_K;
      for (let r = chunk; r < chunkEnd; r += 4) {
        rows4Panel1(a + <usize>r * aRowBytes, aRowBytes, inner, panel, panelBias, out + <usize>r * outRowBytes + column, outRowBytes);
      }
    }
  }
  // Leftover rows (all of them for batch 1, the streaming case): one row against four panels at
  // once, so eight independent sums hide the add latency.
  for (let r = blockedRows; r < rows; r++) {
    const row = a + <usize>r * aRowBytes;
    const outRow = out + <usize>r * outRowBytes;
    let p = 0;
    for (; p + 4 <= panels; p += 4) {
      row1Panels4(row, inner, packed + <usize>p * panelBytes, panelBytes, offsetOrNull(bias, <usize>p * PANEL_BYTES_PER_K), outRow + <usize>p * PANEL_BYTES_PER_K);
    }
    for (; p < panels; p++) {
      row1Panel1(row, inner, packed + <usize>p * panelBytes, offsetOrNull(bias, <usize>p * PANEL_BYTES_PER_K), outRow + <usize>p * PANEL_BYTES_PER_K);
    }
  }
}

/** `pointer + offset`, keeping 0 (no buffer) as 0. */
// @ts-ignore: decorator
@inline function offsetOrNull(pointer: usize, offset: usize): usize {
  return pointer == 0 ? 0 : pointer + offset;
}

// @ts-ignore: decorator
@inline function biasVector(bias: usize, offset: usize): v128 {
  return bias == 0 ? f32x4.splat(0) : v128.load(bias + offset);
}

/** Rows r … r+3 × one panel: 8 accumulators, 2 weight loads and 4 broadcasts per k. */
function rows4Panel1(a: usize, aRowBytes: usize, inner: i32, panel: usize, bias: usize, out: usize, outRowBytes: usize): void {
  const lo = biasVector(bias, 0);
  const hi = biasVector(bias, 16);
  let s0l = lo, s0h = hi, s1l = lo, s1h = hi, s2l = lo, s2h = hi, s3l = lo, s3h = hi;
  let x0 = a;
  const x1 = aRowBytes, x2 = aRowBytes << 1, x3 = x1 + x2;
  let w = panel;
  const end = panel + (<usize>inner) * PANEL_BYTES_PER_K;
  while (w < end) {
    const wl = v128.load(w);
    const wh = v128.load(w, 16);
    let x = v128.load32_splat(x0);
    s0l = f32x4.add(s0l, f32x4.mul(x, wl));
    s0h = f32x4.add(s0h, f32x4.mul(x, wh));
    x = v128.load32_splat(x0 + x1);
    s1l = f32x4.add(s1l, f32x4.mul(x, wl));
    s1h = f32x4.add(s1h, f32x4.mul(x, wh));
    x = v128.load32_splat(x0 + x2);
    s2l = f32x4.add(s2l, f32x4.mul(x, wl));
    s2h = f32x4.add(s2h, f32x4.mul(x, wh));
    x = v128.load32_splat(x0 + x3);
    s3l = f32x4.add(s3l, f32x4.mul(x, wl));
    s3h = f32x4.add(s3h, f32x4.mul(x, wh));
    x0 += 4;
    w += PANEL_BYTES_PER_K;
  }
  v128.store(out, s0l);
  v128.store(out, s0h, 16);
  out += outRowBytes;
  v128.store(out, s1l);
  v128.store(out, s1h, 16);
  out += outRowBytes;
  v128.store(out, s2l);
  v128.store(out, s2h, 16);
  out += outRowBytes;
  v128.store(out, s3l);
  v128.store(out, s3h, 16);
}

/** One row × panels p … p+3 (32 columns): 8 accumulators, 8 weight loads and 1 broadcast per k. */
function row1Panels4(a: usize, inner: i32, panel: usize, panelBytes: usize, bias: usize, out: usize): void {
  let s0l = biasVector(bias, 0), s0h = biasVector(bias, 16);
  let s1l = biasVector(bias, 32), s1h = biasVector(bias, 48);
  let s2l = biasVector(bias, 64), s2h = biasVector(bias, 80);
  let s3l = biasVector(bias, 96), s3h = biasVector(bias, 112);
  let w0 = panel;
  const w1 = panelBytes, w2 = panelBytes << 1, w3 = w1 + w2;
  const end = a + ((<usize>inner) << 2);
  for (let x0 = a; x0 < end; x0 += 4) {
    const x = v128.load32_splat(x0);
    s0l = f32x4.add(s0l, f32x4.mul(x, v128.load(w0)));
    s0h = f32x4.add(s0h, f32x4.mul(x, v128.load(w0, 16)));
    s1l = f32x4.add(s1l, f32x4.mul(x, v128.load(w0 + w1)));
    s1h = f32x4.add(s1h, f32x4.mul(x, v128.load(w0 + w1, 16)));
    s2l = f32x4.add(s2l, f32x4.mul(x, v128.load(w0 + w2)));
    s2h = f32x4.add(s2h, f32x4.mul(x, v128.load(w0 + w2, 16)));
    s3l = f32x4.add(s3l, f32x4.mul(x, v128.load(w0 + w3)));
    s3h = f32x4.add(s3h, f32x4.mul(x, v128.load(w0 + w3, 16)));
    w0 += PANEL_BYTES_PER_K;
  }
  v128.store(out, s0l);
  v128.store(out, s0h, 16);
  v128.store(out, s1l, 32);
  v128.store(out, s1h, 48);
  v128.store(out, s2l, 64);
  v128.store(out, s2h, 80);
  v128.store(out, s3l, 96);
  v128.store(out, s3h, 112);
}

/** One row × one panel, for the last 1–3 panels of a row. */
function row1Panel1(a: usize, inner: i32, panel: usize, bias: usize, out: usize): void {
  let sl = biasVector(bias, 0), sh = biasVector(bias, 16);
  let w = panel;
  const end = a + ((<usize>inner) << 2);
  for (let x0 = a; x0 < end; x0 += 4) {
    const x = v128.load32_splat(x0);
    sl = f32x4.add(sl, f32x4.mul(x, v128.load(w)));
    sh = f32x4.add(sh, f32x4.mul(x, v128.load(w, 16)));
    w += PANEL_BYTES_PER_K;
  }
  v128.store(out, sl);
  v128.store(out, sh, 16);
}
