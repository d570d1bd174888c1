/** The package's exports, shared by the browser (index.ts) and Node (node.ts) entries. */
export { TFJS_BACKENDS, TfjsBackend, type TfjsBackendLoaders, type TfjsBackendName } from './backend.js';
export { TFJS_ACTIVATIONS } from './activations.js';
export { fromTfTensor, toTfTensor } from './interop.js';
