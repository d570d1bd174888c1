import type { ModelSpec, ModelWeights } from '@rnn/core';
import { buildModelProto, type ModelGraphOptions } from './model-graph.js';

export type ExportOnnxOptions = ModelGraphOptions;

/**
 * A standalone `.onnx` file (ONNX IR 8, opset 17) of the whole model, for any ONNX Runtime.
 * Inputs and outputs are named as `onnxIoNames(spec)` says: `input`, optional `mask`,
 * `<layer>.initial_<state>` per stateful layer, the Keras outputs, and `<layer>.final_<state>`.
 */
export function exportOnnx(spec: ModelSpec, weights: ModelWeights, options: ExportOnnxOptions = {}): Uint8Array {
  return buildModelProto(spec, weights, options);
}
