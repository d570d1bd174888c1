import type { KernelExports } from './abi.js';
import { KERNELS_WASM_BASE64 } from './kernels.generated.js';

/**
 * Loading the kernel module: decoded and compiled once, lazily, from the bytes embedded in this
 * package (no fetch, no Node built-ins); instantiated once per compiled model, so each model owns
 * its memory and disposing a model frees it.
 */

/** The parts of the WebAssembly JS API used here (the package builds against plain ES2022). */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  compile(bytes: Uint8Array): Promise<unknown>;
  instantiate(module: unknown, imports: object): Promise<{ exports: unknown }>;
}

interface RuntimeGlobals {
  readonly WebAssembly?: WebAssemblyApi;
  readonly atob?: (base64: string) => string;
}

const runtime = globalThis as RuntimeGlobals;

let bytes: Uint8Array | null = null;
let support: string | null | undefined;
let compiled: Promise<unknown> | null = null;

function kernelBytes(atob: (base64: string) => string): Uint8Array {
  if (bytes === null) {
    const binary = atob(KERNELS_WASM_BASE64);
    bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  }
  return bytes;
}

/**
 * `null` when this runtime can run the kernels, else why not. Validating the kernel module itself
 * checks every feature it uses (SIMD, bulk memory), not a stand-in.
 */
export function wasmKernelsUnavailable(): string | null {
  if (support !== undefined) return support;
  const { WebAssembly: wasm, atob } = runtime;
  if (wasm === undefined) support = 'this runtime has no WebAssembly';
  else if (atob === undefined) support = 'this runtime has no atob() to decode the embedded kernels';
  else support = wasm.validate(kernelBytes(atob)) ? null : 'this runtime does not support WebAssembly SIMD';
  return support;
}

/** A fresh instance of the kernels, with its own (empty) memory. Check `wasmKernelsUnavailable()` first. */
export async function instantiateKernels(): Promise<KernelExports> {
  const wasm = runtime.WebAssembly!;
  // Asynchronous compile: browsers refuse synchronous compilation of modules this size on the main thread.
  compiled ??= wasm.compile(kernelBytes(runtime.atob!));
  const instance = await wasm.instantiate(await compiled, {});
  return instance.exports as KernelExports;
}
