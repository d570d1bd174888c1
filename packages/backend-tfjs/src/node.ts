import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import { registerTfjsBackends } from './backend.js';

/**
 * The Node entry (the package's `node` export condition). `tfjs:cpu` and `tfjs:wasm` load their
 * tfjs backend packages on first use, so importing this package does not change which backend
 * tfjs picks for the user's own code; the wasm backend reads its `.wasm` binaries from the
 * installed `@tensorflow/tfjs-backend-wasm`, offline. Only this module touches Node APIs.
 */

let wasmLoaded: Promise<void> | null = null;

function loadWasm(): Promise<void> {
  wasmLoaded ??= import('@tensorflow/tfjs-backend-wasm').then(({ setWasmPaths }) => {
    // setWasmPaths only counts before the wasm backend initialises; a user who got there first keeps theirs.
    if (!('wasm' in tf.engine().registry)) {
      const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
      setWasmPaths(dirname(entry) + sep);
    }
  });
  return wasmLoaded;
}

registerTfjsBackends({
  cpu: async () => {
    await import('@tensorflow/tfjs-backend-cpu');
  },
  wasm: loadWasm,
});

export * from './api.js';
