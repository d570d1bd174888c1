import { playwright } from '@vitest/browser-playwright';
import { defaultClientConditions } from 'vite';
import { defineConfig } from 'vitest/config';
import shared from '../../tooling/tsconfig/vitest.shared.js';
import { CHROMIUM_ARGS, DEFAULT_CHROMIUM } from './src/chromium.js';
import { fixturesPlugin } from './src/fixtures-plugin.js';
import { browserDependencies } from './src/server.js';

/**
 * Two projects: `browser` runs the conformance suite inside headless Chromium (one file per backend,
 * one after another, in one browser); `node` tests the Node API, which drives Chromium itself.
 */
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [fixturesPlugin()],
        // Browser resolution (never the packages' `node` entries), workspace packages from source.
        resolve: { conditions: ['@rnn/source', ...defaultClientConditions] },
        optimizeDeps: { include: browserDependencies() },
        server: { host: '127.0.0.1' },
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({ launchOptions: { executablePath: DEFAULT_CHROMIUM, args: [...CHROMIUM_ARGS] } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      // The shared config (workspace sources in Node), with its own file list rather than an appended one.
      { ...shared, test: { ...shared.test, name: 'node', include: ['test/*.test.ts'], testTimeout: 300_000 } },
    ],
  },
});
