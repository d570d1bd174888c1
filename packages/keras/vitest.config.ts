import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../tooling/tsconfig/vitest.shared.js';

// test/process.test.ts spawns Node on the compiled package: the global setup compiles it first.
export default mergeConfig(shared, defineConfig({ test: { globalSetup: ['test/build-package.ts'] } }));
