import * as tf from '@tensorflow/tfjs-core';
import { getRegisteredBackend } from '@rnn/core';

/** The tfjs backends that run in Node, by rnn backend name. */
export const NODE_BACKENDS = [
  { name: 'tfjs:cpu', tfBackend: 'cpu' },
  { name: 'tfjs:wasm', tfBackend: 'wasm' },
] as const;

/**
 * Makes tfjs backend `name` active, as a user's own `tf.setBackend` would, for tests that run raw
 * tfjs ops. Our `tfjs:<name>` backend loads tfjs's backend package first.
 */
export async function useTfBackend(name: string): Promise<void> {
  const availability = await getRegisteredBackend(`tfjs:${name}`)!.available();
  if (!availability.ok) throw new Error(availability.reason);
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend ${name} failed to initialise`);
}

/** Largest `|got - want| / max(1, |want|)`, the fixtures' pass measure. */
export function maxRelativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) throw new Error(`length ${got.length} != ${want.length}`);
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const error = Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i]));
    worst = Math.max(worst, Number.isNaN(error) ? Infinity : error);
  }
  return worst;
}
