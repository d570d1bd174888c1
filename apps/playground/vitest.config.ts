import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../tooling/tsconfig/vitest.shared.js';

// End-to-end: the built page (dist/) served statically and driven in headless Chromium.
export default mergeConfig(
  shared,
  defineConfig({ test: { globalSetup: ['test/build-page.ts'], testTimeout: 300_000, hookTimeout: 300_000 } }),
);
