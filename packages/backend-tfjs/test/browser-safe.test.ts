import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Only the Node entry may use Node; everything the browser entry reaches must not.
const srcDir = new URL('../src/', import.meta.url).pathname;
const NODE_ONLY = new Set(['node.ts']);
const NODE_USE = /from ['"](node:[^'"]+|fs|path|url|module|os|worker_threads)['"]|\bprocess\.|\bBuffer\b|\b__dirname\b|\brequire\(/;

describe('browser safety', () => {
  const files = readdirSync(srcDir).filter((f) => f.endsWith('.ts'));

  it.each(files.filter((f) => !NODE_ONLY.has(f)))('%s uses no Node builtin', (file) => {
    expect(readFileSync(join(srcDir, file), 'utf8')).not.toMatch(NODE_USE);
  });

  it('the browser entry does not import the Node entry or a tfjs backend package', () => {
    const imports = files
      .filter((f) => !NODE_ONLY.has(f))
      .flatMap((f) => [...readFileSync(join(srcDir, f), 'utf8').matchAll(/from ['"]([^'"]+)['"]/g)].map((m) => m[1]));
    expect(imports).not.toContain('./node.js');
    expect(imports.filter((i) => i.startsWith('@tensorflow/') && i !== '@tensorflow/tfjs-core')).toEqual([]);
  });

  it('the guard sees the Node entry’s own Node imports', () => {
    expect(readFileSync(join(srcDir, 'node.ts'), 'utf8')).toMatch(NODE_USE);
  });
});
