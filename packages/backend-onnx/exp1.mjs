import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
const { onnx } = onnxProto;
const F = 1;
const vi = (name, dims) => ({ name, type: { tensorType: { elemType: F, shape: { dim: dims.map(d => typeof d === 'string' ? { dimParam: d } : { dimValue: d }) } } } });
const init = (name, dims, data) => ({ name, dims, dataType: F, floatData: Array.from(data) });
async function tryModel(label, nodes, inits, inputs, outputs, feeds) {
  const model = onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph: { name: 'g', node: nodes, initializer: inits, input: inputs, output: outputs } });
  const bytes = onnx.ModelProto.encode(model).finish();
  try {
    const s = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
    console.log(label, 'inputNames', s.inputNames);
    const r = await s.run(feeds);
    console.log(label, 'ok', Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.dims])));
  } catch (e) { console.log(label, 'ERR', e.message.slice(0, 300)); }
}
const B = 2, T = 3, I = 4, U = 5;
const rnd = (n) => Float32Array.from({ length: n }, () => Math.random() - 0.5);
const X = new ort.Tensor('float32', rnd(B * T * I), [B, T, I]);
for (const acts of [['Sigmoid', 'Tanh', 'Tanh'], ['HardSigmoid', 'Relu', 'Affine'], ['Sigmoid', 'Elu', 'Softsign']]) {
  await tryModel('lstm layout1 ' + acts, [{ opType: 'LSTM', input: ['x', 'W', 'R', 'B'], output: ['y', 'yh', 'yc'], attribute: [
    { name: 'hidden_size', type: 2, i: U }, { name: 'layout', type: 2, i: 1 }, { name: 'activations', type: 8, strings: acts.map(a => new TextEncoder().encode(a)) },
    { name: 'activation_alpha', type: 6, floats: acts.map(a => a === 'HardSigmoid' ? 1 / 6 : 1) }, { name: 'activation_beta', type: 6, floats: acts.map(a => a === 'HardSigmoid' ? 0.5 : 0) }] }],
    [init('W', [1, 4 * U, I], rnd(4 * U * I)), init('R', [1, 4 * U, U], rnd(4 * U * U)), init('B', [1, 8 * U], rnd(8 * U))],
    [vi('x', ['b', 't', I])], [vi('y', ['b', 't', 1, U]), vi('yh', ['b', 1, U]), vi('yc', ['b', 1, U])], { x: X });
}
await tryModel('gru layout0 lbr0', [{ opType: 'GRU', input: ['x', 'W', 'R', 'B'], output: ['y', 'yh'], attribute: [
    { name: 'hidden_size', type: 2, i: U }, { name: 'linear_before_reset', type: 2, i: 0 }, { name: 'direction', type: 3, s: new TextEncoder().encode('bidirectional') }] }],
    [init('W', [2, 3 * U, I], rnd(2 * 3 * U * I)), init('R', [2, 3 * U, U], rnd(2 * 3 * U * U)), init('B', [2, 6 * U], rnd(12 * U))],
    [vi('x', ['t', 'b', I])], [vi('y', ['t', 2, 'b', U]), vi('yh', [2, 'b', U])], { x: new ort.Tensor('float32', rnd(B * T * I), [T, B, I]) });
await tryModel('rnn layout1', [{ opType: 'RNN', input: ['x', 'W', 'R', 'B'], output: ['y', 'yh'], attribute: [
    { name: 'hidden_size', type: 2, i: U }, { name: 'layout', type: 2, i: 1 }] }],
    [init('W', [1, U, I], rnd(U * I)), init('R', [1, U, U], rnd(U * U)), init('B', [1, 2 * U], rnd(2 * U))],
    [vi('x', ['b', 't', I])], [vi('y', ['b', 't', 1, U]), vi('yh', ['b', 1, U])], { x: X });
// overridable initializer
await tryModel('overridable', [{ opType: 'Size', input: ['m'], output: ['n'] }],
    [init('m', [0, 0], [])], [vi('m', ['b', 't'])], [{ name: 'n', type: { tensorType: { elemType: 7, shape: { dim: [] } } } }], {});
