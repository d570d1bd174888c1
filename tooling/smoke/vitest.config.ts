import { defineConfig } from 'vitest/config';

// No `@rnn/source` condition here: this package never imports the workspace packages, it runs
// their packed tarballs in a folder outside the workspace.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One file at a time: npm install, Vite and typedoc each want the machine's cores.
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 900_000,
  },
});
