import { defineConfig } from 'vitest/config';

/**
 * Workspace packages resolve each other's TypeScript sources (the `@rnn/source` export condition),
 * so tests never run against a stale `dist/`.
 */
export const sourceConditions = ['@rnn/source', 'import', 'module', 'node', 'default'];

export default defineConfig({
  resolve: { conditions: sourceConditions },
  ssr: { resolve: { conditions: sourceConditions, externalConditions: ['@rnn/source'] } },
  test: { include: ['test/**/*.test.ts'], testTimeout: 60_000 },
});
