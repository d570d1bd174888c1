import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../tooling/tsconfig/vitest.shared.js';

// The tests spawn the compiled CLI as a user would (global setup compiles it first); each spawn loads
// backends and fixtures, so a test may take a while on a busy machine.
export default mergeConfig(shared, defineConfig({ test: { globalSetup: ['test/build-cli.ts'], testTimeout: 180_000 } }));
