import { registerTfjsBackends } from './backend.js';

/**
 * The browser (and any non-Node) entry: registers `tfjs:cpu`, `tfjs:wasm`, `tfjs:webgl` and
 * `tfjs:webgpu` with rnn. Each is available once the user has imported its tfjs backend package
 * (and, for wasm, pointed `setWasmPaths` at its `.wasm` files). It imports no tfjs backend and no
 * Node module; in Node the package's `node` entry loads the cpu and wasm backends by itself.
 */
registerTfjsBackends({});

export * from './api.js';
