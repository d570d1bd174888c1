import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareOutputs } from '@rnn/conformance';
import { bundledFixturesDir } from '@rnn/conformance/node';
import { afterAll, describe, it } from 'vitest';

/** `rnn inspect`, `rnn run` and `rnn export` on the saved model fixtures, spawned as a user runs them. */

const cliDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(cliDir, 'dist', 'bin.js');
const temporary = mkdtempSync(join(tmpdir(), 'rnn-cli-models-'));
afterAll(() => rmSync(temporary, { recursive: true, force: true }));

function rnn(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

interface Tensor {
  name: string;
  shape: number[];
  data: number[];
}
const fixture = (path: string) => JSON.parse(readFileSync(join(bundledFixturesDir, path), 'utf8')) as { inputs: Tensor; outputs: Tensor[] };
const model = (path: string) => join(bundledFixturesDir, path);

const SEED901 = 'models/model-masking-bilstm-gru-dense-b3-t6-i5-seed901';
const SPAM = 'real-world/models/ext-spam-embedding-gru-mask-keras3-13-2-b3-t500';
const KERAS2_RUN = 'real-world/files/ext-aind-gru-timedistributed-keras2-0-4-b3-t21';

/** A float64 .npy file (NumPy's default dtype), which `rnn run` converts to float32. */
function writeNpy(file: string, t: { shape: number[]; data: number[] }): void {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${t.shape.join(', ')},), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const bytes = Buffer.alloc(10 + header.length + t.data.length * 8);
  bytes.set([0x93, ...Buffer.from('NUMPY'), 1, 0]);
  bytes.writeUInt16LE(header.length, 8);
  bytes.write(header, 10, 'latin1');
  t.data.forEach((v, i) => bytes.writeDoubleLE(v, 10 + header.length + i * 8));
  writeFileSync(file, bytes);
}

describe.concurrent('rnn inspect', () => {
  it('lists layers, output shapes, parameter counts and the backends that can run the model', async ({ expect }) => {
    const { code, stdout } = await rnn('inspect', model(`${SEED901}.keras`));
    expect(code).toBe(0);
    const rows = stdout.split('\n').map((l) => l.trim().split(/\s{2,}/));
    expect(rows).toContainEqual(['bidirectional', 'Bidirectional(LSTM(8, sequences), concat)', '(None, 6, 16)', '896']);
    expect(rows).toContainEqual(['gru', 'GRU(4, reset_after=true)', '(None, 4)', '264']);
    expect(rows).toContainEqual(['dense', 'Dense(2)', '(None, 2)', '10']);
    expect(stdout).toContain('parameters: 1,170');
    expect(stdout).toMatch(/^ {2}cpu +yes$/m);
  });

  it('--json shows a Keras 2 file with its Keras 2 semantics', async ({ expect }) => {
    const { code, stdout } = await rnn('inspect', model(`${KERAS2_RUN}.h5`), '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { format: string; kerasVersion: string; layers: { type: string; parameters: number }[]; parameters: number };
    expect([report.format, report.kerasVersion]).toEqual(['h5', '2.0.4']);
    expect(report.layers[0].type).toBe('GRU(64, recurrent hard_sigmoid (Keras 2: 0.2x+0.5), reset_after=false, sequences)');
    expect(report.parameters).toBe(3 * (1 * 64 + 64 * 64 + 64) + 64 * 344 + 344);
  });
});

describe.concurrent('rnn run', () => {
  it('runs a .keras file on a fixture JSON and matches Keras within 1e-5', async ({ expect }) => {
    const { code, stdout } = await rnn('run', model(`${SEED901}.keras`), '--input', model(`${SEED901}.json`), '--backend', 'cpu');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { format: string; backend: string; outputs: Tensor[] };
    expect(result.format).toBe('rnn-run/1');
    // The backend that really ran it, provider included (the cpu backend may run its wasm kernels).
    expect(result.backend).toMatch(/^cpu(:|$)/);
    expect(compareOutputs(result.outputs, fixture(`${SEED901}.json`).outputs).message).toBe('');
  });

  it('--backend auto measures the backends, as createModel\'s auto does, and reports which one ran', async ({ expect }) => {
    const { code, stdout } = await rnn('run', model(`${SEED901}.keras`), '--input', model(`${SEED901}.json`), '--backend', 'auto');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { backend: string; outputs: Tensor[] };
    expect(result.backend).toMatch(/^auto\([a-z-]+(:[a-z]+)*\)$/);
    expect(compareOutputs(result.outputs, fixture(`${SEED901}.json`).outputs).message).toBe('');
  });

  it('runs the Keras 2.0.4 file with Keras 2 semantics, matching its file-run reference', async ({ expect }) => {
    const input = join(temporary, 'aind.json');
    writeFileSync(input, JSON.stringify(fixture(`${KERAS2_RUN}.run.json`).inputs));
    const { code, stdout } = await rnn('run', model(`${KERAS2_RUN}.h5`), '--input', input, '--backend', 'cpu');
    expect(code).toBe(0);
    expect(compareOutputs(JSON.parse(stdout).outputs, fixture(`${KERAS2_RUN}.run.json`).outputs).message).toBe('');
  });

  it('reads .npy input, runs in chunks with a progress bar on stderr, and writes --output', async ({ expect }) => {
    const spam = fixture(`${SPAM}.json`);
    const input = join(temporary, 'spam.npy');
    const output = join(temporary, 'spam-out.json');
    writeNpy(input, spam.inputs);
    const { code, stdout, stderr } = await rnn('run', model(`${SPAM}.keras`), '--input', input, '--output', output, '--batch-size', '1', '--backend', 'cpu');
    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toContain('[##########--------------------] 33% 1/3 rows');
    expect(stderr).toContain('100% 3/3 rows');
    expect(stderr).toContain(`wrote ${output}: output (3, 1) (backend cpu`);
    expect(compareOutputs(JSON.parse(readFileSync(output, 'utf8')).outputs, spam.outputs).message).toBe('');
  });

  it('accepts nested arrays, and says what is wrong with a ragged one', async ({ expect }) => {
    const good = join(temporary, 'nested.json');
    const ragged = join(temporary, 'ragged.json');
    const rows = [0.1, 0.7].map((start) => Array.from({ length: 30 }, (_, t) => [start + t / 100]));
    writeFileSync(good, JSON.stringify(rows));
    writeFileSync(ragged, JSON.stringify([[[0.1], [0.2]], [[0.3]]]));
    const hko = model('real-world/models/ext-hko-simplernn-relu-keras3-10-b3-t30.keras');
    const ok = await rnn('run', hko, '--input', good, '--backend', 'cpu');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).outputs[0].shape).toEqual([2, 1]);
    const bad = await rnn('run', hko, '--input', ragged, '--backend', 'cpu');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('input[1] has shape (1, 1), but input[0] has (2, 1)');
  });

  it('exits 1 with a message that says what to fix', async ({ expect }) => {
    const garbage = join(temporary, 'garbage.keras');
    writeFileSync(garbage, 'definitely not a model');
    const wrongFeatures = join(temporary, 'wrong.json');
    writeFileSync(wrongFeatures, JSON.stringify({ shape: [1, 6, 4], data: new Array(24).fill(0) }));
    const [missing, corrupt, features] = await Promise.all([
      rnn('run', join(temporary, 'nope.keras'), '--input', wrongFeatures),
      rnn('run', garbage, '--input', wrongFeatures),
      rnn('run', model(`${SEED901}.keras`), '--input', wrongFeatures, '--backend', 'cpu'),
    ]);
    expect([missing.code, corrupt.code, features.code]).toEqual([1, 1, 1]);
    expect(missing.stderr).toMatch(/^rnn run: cannot read .*nope\.keras: no such file/);
    expect(corrupt.stderr).toContain('not a Keras model file: neither a .keras zip nor an HDF5 (.h5) file');
    expect(features.stderr).toMatch(/^rnn run: .*5/);
  });

  it('exits 2 on usage errors, with the usage', async ({ expect }) => {
    const results = await Promise.all([rnn('run'), rnn('run', 'model.keras'), rnn('run', 'model.keras', '--input', 'x.json', '--batch-size', '0')]);
    expect(results.map((r) => r.code)).toEqual([2, 2, 2]);
    expect(results[0].stderr).toContain('missing MODEL');
    expect(results[1].stderr).toContain('missing --input FILE');
    expect(results[2].stderr).toContain('--batch-size must be a positive integer');
    expect(results[0].stderr).toContain('Usage: rnn run MODEL --input FILE');
  });
});

/** The part of onnxruntime-node this test uses. */
interface Ort {
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
  InferenceSession: {
    create(model: Uint8Array): Promise<{
      inputMetadata: readonly { name: string; shape: readonly (number | string)[] }[];
      run(feeds: Record<string, unknown>): Promise<Record<string, { dims: readonly number[]; data: unknown }>>;
    }>;
  };
}

describe.concurrent('rnn export', () => {
  it('writes an ONNX file that ONNX Runtime runs to Keras outputs', async ({ expect }) => {
    const out = join(temporary, 'seed901.onnx');
    const { code, stdout } = await rnn('export', model(`${SEED901}.keras`), '-o', out);
    expect(code).toBe(0);
    expect(stdout).toContain(`wrote ${out}`);
    expect(stdout).toContain('outputs: output (None, 2)');
    expect(existsSync(out)).toBe(true);

    // onnxruntime-node is @rnn/backend-onnx's peer dependency; run the file with it as a user would.
    const ort = (await import(createRequire(join(cliDir, 'node_modules/@rnn/backend-onnx/package.json')).resolve('onnxruntime-node'))) as Ort;
    const session = await ort.InferenceSession.create(readFileSync(out));
    const { inputs, outputs } = fixture(`${SEED901}.json`);
    const feeds: Record<string, unknown> = { input: new ort.Tensor('float32', Float32Array.from(inputs.data), inputs.shape) };
    // Initial states are inputs of the exported graph: zeros start a fresh sequence, as Keras does.
    for (const meta of session.inputMetadata) {
      if (meta.name === 'input') continue;
      const units = Number(meta.shape[1]);
      feeds[meta.name] = new ort.Tensor('float32', new Float32Array(inputs.shape[0] * units), [inputs.shape[0], units]);
    }
    const result = await session.run(feeds);
    const got = [{ name: 'output', shape: [...result.output.dims], data: result.output.data as Float32Array }];
    expect(compareOutputs(got, outputs).message).toBe('');
  });

  it('exits 2 without -o, 1 for a model file it cannot read', async ({ expect }) => {
    const [usage, unreadable] = await Promise.all([rnn('export', model(`${SEED901}.keras`)), rnn('export', join(temporary, 'none.keras'), '-o', join(temporary, 'x.onnx'))]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('missing -o OUT.onnx');
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toContain('no such file');
  });
});
