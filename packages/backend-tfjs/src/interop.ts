import * as tf from '@tensorflow/tfjs-core';
import { toTensor, type Tensor, type TensorLike } from '@rnn/core';

/**
 * Moving data between tfjs and rnn. rnn's models take and return core tensors (`{shape, data}`
 * with a Float32Array); these helpers convert at the edges. Neither takes ownership of its
 * argument: the caller still disposes a `tf.Tensor` it passed in, and owns (and must dispose)
 * every `tf.Tensor` these return.
 */

/** Reads a `tf.Tensor` (any numeric dtype) into a float32 core tensor. The `tf.Tensor` is not disposed. */
export async function fromTfTensor(t: tf.Tensor): Promise<Tensor> {
  const values = await t.data();
  return { shape: [...t.shape], data: values instanceof Float32Array ? values.slice() : Float32Array.from(values as ArrayLike<number>) };
}

/** A new float32 `tf.Tensor`, on tfjs's active backend, holding a copy of `t`. The caller disposes it. */
export function toTfTensor(t: TensorLike): tf.Tensor {
  const checked = toTensor(t);
  return tf.tensor(checked.data.slice(), [...checked.shape], 'float32');
}
