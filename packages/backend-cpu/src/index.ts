import { registerBackend } from '@rnn/core';
import { cpuBackend } from './backend.js';

/**
 * Importing this package registers the `cpu` backend with @rnn/core (`import '@rnn/backend-cpu'`).
 * Its priority is low: it runs everywhere, so any faster backend that is available wins `auto`.
 */
export const CPU_BACKEND_PRIORITY = 1;

registerBackend(cpuBackend, CPU_BACKEND_PRIORITY);

export { cpuBackend };
