/**
 * WebAssembly SIMD kernels of @rnn/backend-cpu, compiled by `scripts/build-wasm.mjs` into
 * `src/wasm/kernels.generated.ts`. The module owns no data: TypeScript packs weights into its
 * memory and passes byte addresses. The exported constants are checked against the TypeScript
 * side (`src/wasm/abi.ts`) by the package's tests.
 */
export {
  ACTIVATION_LINEAR,
  ACTIVATION_TANH,
  ACTIVATION_SIGMOID,
  ACTIVATION_HARD_SIGMOID,
  ACTIVATION_HARD_SIGMOID_KERAS2,
  ACTIVATION_RELU,
  activate,
} from './activations';
export { PANEL_WIDTH, gemm } from './gemm';
export {
  CELL_SIMPLE_RNN,
  CELL_LSTM,
  CELL_GRU,
  CELL_GRU_RESET_BEFORE,
  MASKED_STATE,
  MASKED_ZEROS,
  MASKED_PREVIOUS_OUTPUT,
  FLAG_GO_BACKWARDS,
  FLAG_TIME_ORDER,
  projectedStride,
  sequenceScratchBytes,
  runSequence,
} from './sequence';
