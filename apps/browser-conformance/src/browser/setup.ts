/**
 * Registers every browser backend with @rnn/core and points the WebAssembly runtimes at binaries
 * served by Vite from the installed packages (`?url` imports: the dev server serves them, a build
 * copies them next to the page), so nothing is fetched from a CDN.
 *
 * Import this module once, before creating models: `cpu`, `tfjs:wasm`, `tfjs:webgl`, `tfjs:webgpu`,
 * `onnx-web:wasm` and `onnx-web:webgpu` are then registered.
 */
import '@rnn/backend-cpu';
import '@rnn/backend-onnx/web';
import '@rnn/backend-tfjs';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import tfjsWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import tfjsWasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import tfjsWasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
// The default onnxruntime-web bundle embeds the JSEP glue (WebAssembly + WebGPU); this is its binary.
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';

setWasmPaths({
  'tfjs-backend-wasm.wasm': tfjsWasm,
  'tfjs-backend-wasm-simd.wasm': tfjsWasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': tfjsWasmThreadedSimd,
});

// Awaited here, so the paths are set before anything can start onnxruntime-web; a dynamic import keeps
// the runtime in its own chunk, as @rnn/backend-onnx loads it.
const ort = await import('onnxruntime-web');
ort.env.wasm.wasmPaths = { wasm: ortWasm };
