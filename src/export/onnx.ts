// ONNX models as data, and their encoding as an `onnx.ModelProto`. Field
// numbers are those of onnx/onnx.proto; only what a float32 inference
// graph needs is here: nodes with int, ints and float attributes, float32
// initialisers as raw little-endian bytes, and float32 graph inputs and
// outputs whose dimensions are sizes or named (dynamic) parameters.
import { ProtoWriter } from './protobuf';

export type AttributeValue =
  | { kind: 'int'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'float'; value: number };

export interface OnnxNode {
  name: string;
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: Record<string, AttributeValue>;
}

export interface OnnxInitializer {
  name: string;
  dims: readonly number[];
  data: Float32Array;
}

/** A float32 tensor's name and shape; a string names a dynamic size. */
export interface OnnxValueInfo {
  name: string;
  dims: readonly (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxInitializer[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
}

export interface OnnxModel {
  graph: OnnxGraph;
  /** Version of the default ("ai.onnx") operator set. */
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
  metadata?: Record<string, string>;
}

/**
 * IR version 8 is the one ONNX 1.12 wrote with opset 17; runtimes that
 * know opset 17 read it.
 */
export const IR_VERSION = 8;

// onnx.proto's TensorProto.DataType and AttributeProto.AttributeType.
const FLOAT = 1;
const ATTRIBUTE_TYPE = { float: 1, int: 2, ints: 7 } as const;

/** Encodes a model as the bytes of an `.onnx` file. */
export function encodeModel(model: OnnxModel): Uint8Array {
  const opset = new ProtoWriter().string(1, '').int64(2, model.opsetVersion);
  const out = new ProtoWriter()
    .int64(1, IR_VERSION)
    .string(2, model.producerName)
    .string(3, model.producerVersion);
  if (model.docString) out.string(6, model.docString);
  out.message(7, encodeGraph(model.graph)).message(8, opset);
  for (const [key, value] of Object.entries(model.metadata ?? {})) {
    out.message(14, new ProtoWriter().string(1, key).string(2, value));
  }
  return out.finish();
}

function encodeGraph(graph: OnnxGraph): ProtoWriter {
  const out = new ProtoWriter();
  for (const node of graph.nodes) out.message(1, encodeNode(node));
  out.string(2, graph.name);
  for (const init of graph.initializers) {
    out.message(5, encodeInitializer(init));
  }
  for (const input of graph.inputs) out.message(11, encodeValueInfo(input));
  for (const output of graph.outputs) {
    out.message(12, encodeValueInfo(output));
  }
  return out;
}

function encodeNode(node: OnnxNode): ProtoWriter {
  const out = new ProtoWriter();
  for (const input of node.inputs) out.string(1, input);
  for (const output of node.outputs) out.string(2, output);
  out.string(3, node.name).string(4, node.opType);
  for (const [name, value] of Object.entries(node.attributes ?? {})) {
    out.message(5, encodeAttribute(name, value));
  }
  return out;
}

function encodeAttribute(name: string, value: AttributeValue): ProtoWriter {
  const out = new ProtoWriter().string(1, name);
  switch (value.kind) {
    case 'float':
      out.float(2, value.value);
      break;
    case 'int':
      out.int64(3, value.value);
      break;
    case 'ints':
      out.packedInt64(8, value.value);
      break;
  }
  return out.uint64(20, ATTRIBUTE_TYPE[value.kind]);
}

function encodeInitializer(init: OnnxInitializer): ProtoWriter {
  const size = init.dims.reduce((a, b) => a * b, 1);
  if (size !== init.data.length) {
    throw new Error(
      `initialiser "${init.name}": expected ${size} values for shape ` +
        `[${init.dims.join(', ')}], got ${init.data.length}`,
    );
  }
  return new ProtoWriter()
    .packedInt64(1, init.dims)
    .uint64(2, FLOAT)
    .string(8, init.name)
    .bytes(9, littleEndianBytes(init.data));
}

function encodeValueInfo(info: OnnxValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const dim of info.dims) {
    const d = new ProtoWriter();
    if (typeof dim === 'string') d.string(2, dim);
    else d.int64(1, dim);
    shape.message(1, d);
  }
  const tensorType = new ProtoWriter().uint64(1, FLOAT).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, info.name).message(2, type);
}

const IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The floats as little-endian bytes (a view, on little-endian hosts). */
function littleEndianBytes(data: Float32Array): Uint8Array {
  if (IS_LITTLE_ENDIAN) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  const bytes = new Uint8Array(data.length * 4);
  const view = new DataView(bytes.buffer);
  data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytes;
}
