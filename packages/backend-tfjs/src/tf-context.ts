import * as tf from '@tensorflow/tfjs-core';
import { BackendError, type Availability } from '@rnn/core';

/**
 * tfjs has one global active backend, and a tensor lives on the backend it was made on. Each of
 * our calls therefore selects its own tfjs backend, does all its tensor work synchronously, and
 * puts the caller's active backend back, so models on different tfjs backends (and the user's own
 * tfjs code) never run on each other's backend.
 */

/** tfjs allows one pending backend initialisation at a time, so ours queue. */
let initialisations: Promise<unknown> = Promise.resolve();

function isInitialized(name: string): boolean {
  return name in tf.engine().registry;
}

/**
 * Initialises tfjs backend `name` (`cpu`, `wasm`, `webgl`, `webgpu`) if needed, without leaving it
 * active. Never throws: reports why the backend cannot run here.
 */
export function initializeTfBackend(name: string, installHint: string): Promise<Availability> {
  if (tf.findBackendFactory(name) === null) {
    return Promise.resolve({ ok: false, reason: `the tfjs backend "${name}" is not registered; ${installHint}` });
  }
  const task = initialisations.then(async (): Promise<Availability> => {
    if (isInitialized(name)) return { ok: true };
    const previous = tf.getBackend();
    try {
      const ok = await tf.setBackend(name);
      return ok ? { ok: true } : { ok: false, reason: `the tfjs backend "${name}" failed to initialise here` };
    } catch (error) {
      return { ok: false, reason: `the tfjs backend "${name}" failed to initialise: ${error instanceof Error ? error.message : String(error)}` };
    } finally {
      if (previous && previous !== name && isInitialized(previous)) activate(previous);
    }
  });
  initialisations = task;
  return task;
}

/** Runs `work` with tfjs backend `name` active, then restores the previously active backend. */
export function runOnTfBackend<T>(name: string, work: () => T): T {
  const previous = tf.getBackend();
  if (previous === name) return work();
  activate(name);
  try {
    return work();
  } finally {
    if (previous && isInitialized(previous)) activate(previous);
  }
}

/** Switches to an initialised backend; for those `tf.setBackend` completes synchronously. */
function activate(name: string): void {
  if (!isInitialized(name)) {
    throw new BackendError(`the tfjs backend "${name}" is not initialised (was it removed with tf.removeBackend?)`, {
      field: 'backend',
      actual: name,
    });
  }
  // The returned promise carries nothing for an initialised backend; the check below is the result.
  tf.setBackend(name).catch(() => undefined);
  if (tf.getBackend() !== name) {
    throw new BackendError(`could not switch tfjs to its "${name}" backend (active: "${tf.getBackend()}")`, {
      field: 'backend',
      expected: name,
      actual: tf.getBackend(),
    });
  }
}
