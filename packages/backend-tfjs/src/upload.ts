import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@rnn/core';

/**
 * A core tensor as a float32 tfjs tensor on the active tfjs backend. The data is copied: tfjs's cpu
 * backend would otherwise keep the caller's array, and later edits to it would change our weights.
 */
export function upload(t: Tensor): tf.Tensor {
  return tf.tensor(t.data.slice(), [...t.shape], 'float32');
}

/** A per-call input on the active backend, without a copy (we never write to it). */
export function uploadInput(t: Tensor): tf.Tensor {
  return tf.tensor(t.data, [...t.shape], 'float32');
}
