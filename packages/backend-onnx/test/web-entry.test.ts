import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BackendError, listBackends } from '@rnn/core';
import { onnxWebWasm, onnxWebWebGpu } from '../src/web.js';

/** The browser entry: onnxruntime-web only, nothing from Node, and honest about WebGPU outside a browser. */

const SRC = join(dirname(fileURLToPath(import.meta.url)), '../src');

/** Module specifiers of every source file the entry reaches through relative imports. */
function reachableImports(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const source = readFileSync(join(SRC, file), 'utf8');
    const specifiers = [...source.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]);
    seen.set(file, specifiers);
    for (const s of specifiers) if (s.startsWith('./')) visit(s.slice(2).replace(/\.js$/, '.ts'));
  };
  visit(entry);
  return seen;
}

describe('@rnn/backend-onnx/web', () => {
  it('registers onnx-web:webgpu and onnx-web:wasm only', () => {
    expect(listBackends().filter((n) => n.startsWith('onnx'))).toEqual(['onnx-web:webgpu', 'onnx-web:wasm']);
  });

  it('reaches no Node builtin and not onnxruntime-node', () => {
    const imports = reachableImports('web.ts');
    expect([...imports.keys()]).toContain('runtime.ts');
    for (const [file, specifiers] of imports) {
      for (const s of specifiers) expect(s, `${file} imports ${s}`).not.toMatch(/^node:|^onnxruntime-node$|^(fs|path|url|os)$/);
      expect(readFileSync(join(SRC, file), 'utf8'), `${file} reads process`).not.toMatch(/\bprocess\./);
    }
  });

  it('runs on WebAssembly in Node too', async () => {
    expect(await onnxWebWasm.available()).toMatchObject({ ok: true });
  });

  it('says WebGPU through onnxruntime-web needs a browser, and compile fails typed', async () => {
    const availability = await onnxWebWebGpu.available();
    expect(availability).toEqual({
      ok: false,
      reason: 'onnx-web:webgpu runs in browsers only (it needs navigator.gpu); in Node use onnx:webgpu from onnxruntime-node',
    });
    const failure = await onnxWebWebGpu.compile({} as never, []).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BackendError);
  });
});
