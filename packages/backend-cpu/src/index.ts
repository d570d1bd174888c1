import { registerBackend } from '@rnn/core';
import { cpuBackend, cpuJsBackend } from './backend.js';

/**
 * Importing this package registers the `cpu` backend with @rnn/core (`import '@rnn/backend-cpu'`),
 * and `cpu:js`, the same backend held to its pure TypeScript kernels. Their priority is low: they run
 * everywhere, so any faster backend that is available wins `auto`.
 */
export const CPU_BACKEND_PRIORITY = 1;
export const CPU_JS_BACKEND_PRIORITY = 0;

registerBackend(cpuBackend, CPU_BACKEND_PRIORITY);
registerBackend(cpuJsBackend, CPU_JS_BACKEND_PRIORITY);

export { cpuBackend, cpuJsBackend };
export type { KernelChoice } from './backend.js';
