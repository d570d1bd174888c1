import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
const { onnx } = onnxProto;
const F = 1;
const enc = (s) => new TextEncoder().encode(s);
const vi = (name, dims, t = F) => ({ name, type: { tensorType: { elemType: t, shape: { dim: dims.map(d => typeof d === 'string' ? { dimParam: d } : { dimValue: d }) } } } });
const init = (name, dims, data, t = F) => t === F ? ({ name, dims, dataType: F, rawData: new Uint8Array(Float32Array.from(data).buffer) }) : ({ name, dims, dataType: t, int64Data: data });
const mk = (g) => onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph: g })).finish();
const rnd = (n) => Float32Array.from({ length: n }, () => Math.random() - 0.5);
const opts = { executionProviders: ['cpu'], logSeverityLevel: 3 };
for (const [B, T, I, U] of [[32, 100, 64, 128], [64, 200, 128, 256], [8, 50, 32, 64]]) {
  const W = init('W', [1, 4 * U, I], rnd(4 * U * I)), R = init('R', [1, 4 * U, U], rnd(4 * U * U)), Bi = init('B', [1, 8 * U], rnd(8 * U));
  const lstm = (x, y, yh, yc) => ({ opType: 'LSTM', input: [x, 'W', 'R', 'B', '', 'h0', 'c0'], output: [y, yh, yc], attribute: [{ name: 'hidden_size', type: 2, i: U }] });
  const raw = mk({ name: 'raw', node: [lstm('x', 'y', 'yh', 'yc')], initializer: [W, R, Bi], input: [vi('x', ['t', 'b', I]), vi('h0', [1, 'b', U]), vi('c0', [1, 'b', U])], output: [vi('y', ['t', 1, 'b', U]), vi('yh', [1, 'b', U]), vi('yc', [1, 'b', U])] });
  const body = (sfx) => ({ name: 'body' + sfx, node: [
      { opType: 'Transpose', input: ['x'], output: ['xt' + sfx], attribute: [{ name: 'perm', type: 7, ints: [1, 0, 2] }] },
      { opType: 'Unsqueeze', input: ['h0', 'ax0'], output: ['h0u' + sfx] }, { opType: 'Unsqueeze', input: ['c0', 'ax0'], output: ['c0u' + sfx] },
      lstm('xt' + sfx, 'y4' + sfx, 'yh4' + sfx, 'yc4' + sfx).input ? { ...lstm('xt' + sfx, 'y4' + sfx, 'yh4' + sfx, 'yc4' + sfx), input: ['xt' + sfx, 'W', 'R', 'B', '', 'h0u' + sfx, 'c0u' + sfx] } : null,
      { opType: 'Squeeze', input: ['y4' + sfx, 'ax1'], output: ['y3' + sfx] },
      { opType: 'Transpose', input: ['y3' + sfx], output: ['out' + sfx], attribute: [{ name: 'perm', type: 7, ints: [1, 0, 2] }] },
      { opType: 'Squeeze', input: ['yh4' + sfx, 'ax0'], output: ['h' + sfx] }, { opType: 'Squeeze', input: ['yc4' + sfx, 'ax0'], output: ['c' + sfx] }],
    input: [], output: [vi('out' + sfx, ['b', 't', U]), vi('h' + sfx, ['b', U]), vi('c' + sfx, ['b', U])] });
  const axes = [init('ax0', [1], [0], 7), init('ax1', [1], [1], 7)];
  const plainG = body('');
  const plain = mk({ ...plainG, name: 'plain', initializer: [W, R, Bi, ...axes], input: [vi('x', ['b', 't', I]), vi('h0', ['b', U]), vi('c0', ['b', U])] });
  const thenG = body('_a'), elseG = body('_b');
  const wrapped = mk({ name: 'wrapped', node: [
    { opType: 'Size', input: ['mask'], output: ['msize'] }, { opType: 'Equal', input: ['msize', 'zero'], output: ['nomask'] },
    { opType: 'If', input: ['nomask'], output: ['out', 'h', 'c'], attribute: [{ name: 'then_branch', type: 5, g: thenG }, { name: 'else_branch', type: 5, g: elseG }] }],
    initializer: [W, R, Bi, ...axes, init('zero', [], [0], 7), init('mask', [0, 0], [])],
    input: [vi('x', ['b', 't', I]), vi('h0', ['b', U]), vi('c0', ['b', U]), vi('mask', ['b', 't'])], output: [vi('out', ['b', 't', U]), vi('h', ['b', U]), vi('c', ['b', U])] });
  const sRaw = await ort.InferenceSession.create(raw, opts), sPlain = await ort.InferenceSession.create(plain, opts), sWrap = await ort.InferenceSession.create(wrapped, opts);
  const xbt = new ort.Tensor('float32', rnd(B * T * I), [B, T, I]), xtb = new ort.Tensor('float32', rnd(B * T * I), [T, B, I]);
  const h2 = new ort.Tensor('float32', new Float32Array(B * U), [B, U]), h3 = new ort.Tensor('float32', new Float32Array(B * U), [1, B, U]);
  const bench = async (s, feeds) => { for (let i = 0; i < 5; i++) await s.run(feeds); const n = 40; const t0 = performance.now(); for (let i = 0; i < n; i++) await s.run(feeds); return (performance.now() - t0) / n; };
  for (let rep = 0; rep < 2; rep++) {
    const a = await bench(sRaw, { x: xtb, h0: h3, c0: h3 }), b = await bench(sPlain, { x: xbt, h0: h2, c0: h2 }), c = await bench(sWrap, { x: xbt, h0: h2, c0: h2 });
    console.log(B, T, I, U, 'raw', a.toFixed(3), 'plain', b.toFixed(3), (b / a * 100 - 100).toFixed(1) + '%', 'if', c.toFixed(3), (c / a * 100 - 100).toFixed(1) + '%');
  }
}
