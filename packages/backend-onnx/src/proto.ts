import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';

/**
 * The ONNX protobuf messages, from `onnx-proto` (protobufjs static code generated from onnx.proto).
 * It is a CommonJS module whose exports are only known at run time, hence the default import.
 */
export const onnx = onnxProto.onnx;

export type NodeProto = OnnxTypes.INodeProto;
export type GraphProto = OnnxTypes.IGraphProto;
export type TensorProto = OnnxTypes.ITensorProto;
export type AttributeProto = OnnxTypes.IAttributeProto;
export type ValueInfoProto = OnnxTypes.IValueInfoProto;
export type ModelProto = OnnxTypes.IModelProto;

export const DataType = onnx.TensorProto.DataType;
export const AttributeType = onnx.AttributeProto.AttributeType;

/** ONNX IR version 8 (what onnx-proto's schema describes) and the default-domain opset the graphs use. */
export const IR_VERSION = 8;
export const OPSET_VERSION = 17;

export function encodeModel(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

export function decodeModel(bytes: Uint8Array): OnnxTypes.ModelProto {
  return onnx.ModelProto.decode(bytes);
}
