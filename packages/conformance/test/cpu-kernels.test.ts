import '@rnn/backend-cpu';
import { describeConformance } from '../src/vitest.js';

// The CPU backend has two kernel sets; the whole suite runs on each. `kernels: 'wasm'` fails
// (rather than falls back) where WebAssembly SIMD is missing, so a pass here means the kernels ran.
describeConformance('cpu', { compileOptions: { kernels: 'wasm' } });
describeConformance('cpu:js');
