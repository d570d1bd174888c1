/** What both entries export. */
export { exportOnnx, type ExportOnnxOptions } from './export.js';
export { onnxIoNames, stateNames, type OnnxIoNames } from './model-graph.js';
export { createOnnxBackend, type OnnxCompileOptions, type OnnxTarget, type OrtModule } from './runtime.js';
