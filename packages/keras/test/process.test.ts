import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import { fixturePath } from './fixtures.js';

const entry = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'node.js')).href;

/** Runs a script in a plain Node process; `timedOut` if it had not ended after `limitMs`. */
function node(script: string, limitMs: number): Promise<{ code: number | null; stdout: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: limitMs }, (error, stdout) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, timedOut: error?.killed === true });
    });
  });
}

it('a Node process ends by itself after loading: the HDF5 worker does not hold it open', async () => {
  const file = fixturePath('models/model-masking-bilstm-gru-dense-h5-b3-t6-i5-seed903.h5');
  const script = `const { loadKerasModel } = await import(${JSON.stringify(entry)});
const loaded = await loadKerasModel(${JSON.stringify(file)});
console.log(loaded.weights.length);`;
  // Far above the second it takes: only a process that never ends reaches it.
  const result = await node(script, 60_000);
  expect(result.timedOut).toBe(false);
  expect([result.code, result.stdout.trim()]).toEqual([0, '11']);
});
