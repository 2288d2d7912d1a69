/**
 * Reading an ONNX model's top-level graph (node names, op types, tensor
 * names) and exposing intermediate tensors as graph outputs.
 *
 * onnxruntime returns only a graph's declared outputs. Appending a
 * ValueInfoProto that carries just the tensor's name to GraphProto.output
 * is enough: onnxruntime infers the type and shape itself (tested with
 * onnxruntime 1.30 on models exported by torch 1.13). So a user exports the
 * model as it is, and brainalign rewrites the bytes in memory — the file on
 * disk is never changed.
 */
import { InputError } from '../../core/errors.js';
import { ProtobufError, concatBytes, fieldText, lengthDelimited, readFields, stringField, type WireField } from './protobuf.js';

// Field numbers of onnx.proto3.
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const NODE_OUTPUT = 2;
const NODE_NAME = 3;
const NODE_OP_TYPE = 4;
const VALUE_INFO_NAME = 1;
const TENSOR_NAME = 8;
const TENSOR_DATA_LOCATION = 14;

/** One node of the top-level graph, in file order (ONNX requires topological order). */
export interface GraphNode {
  name: string;
  opType: string;
  outputs: string[];
}

export interface OnnxGraph {
  nodes: GraphNode[];
  /** Graph inputs that are not initializers (the tensors a caller feeds). */
  inputs: string[];
  outputs: string[];
  /** Whether any initializer keeps its data in an external file. */
  externalData: boolean;
}

function graphField(bytes: Uint8Array, file: string): WireField {
  const g = readFields(bytes).filter((f) => f.field === MODEL_GRAPH && f.wire === 2);
  if (g.length !== 1) throw new InputError(file, `not an ONNX model (${g.length} graphs in the ModelProto)`);
  return g[0];
}

function stringsOf(bytes: Uint8Array, msg: WireField, field: number): string[] {
  return readFields(bytes, msg.dataStart, msg.end)
    .filter((f) => f.field === field && f.wire === 2)
    .map((f) => fieldText(bytes, f));
}

/** The top-level graph of an ONNX model file's bytes. */
export function readGraph(bytes: Uint8Array, file: string): OnnxGraph {
  try {
    const g = graphField(bytes, file);
    const fields = readFields(bytes, g.dataStart, g.end);
    const nodes: GraphNode[] = [];
    const inits = new Set<string>();
    let externalData = false;
    const inputs: string[] = [];
    const outputs: string[] = [];
    for (const f of fields) {
      if (f.wire !== 2) continue;
      if (f.field === GRAPH_NODE) {
        const name = stringsOf(bytes, f, NODE_NAME)[0] ?? '';
        nodes.push({ name, opType: stringsOf(bytes, f, NODE_OP_TYPE)[0] ?? '', outputs: stringsOf(bytes, f, NODE_OUTPUT).filter((o) => o !== '') });
      } else if (f.field === GRAPH_INITIALIZER) {
        const sub = readFields(bytes, f.dataStart, f.end);
        const n = sub.find((x) => x.field === TENSOR_NAME && x.wire === 2);
        if (n) inits.add(fieldText(bytes, n));
        if (sub.some((x) => x.field === TENSOR_DATA_LOCATION && x.wire === 0 && x.varint === 1)) externalData = true;
      } else if (f.field === GRAPH_INPUT) {
        inputs.push(stringsOf(bytes, f, VALUE_INFO_NAME)[0] ?? '');
      } else if (f.field === GRAPH_OUTPUT) {
        outputs.push(stringsOf(bytes, f, VALUE_INFO_NAME)[0] ?? '');
      }
    }
    return { nodes, inputs: inputs.filter((i) => !inits.has(i)), outputs, externalData };
  } catch (e) {
    if (e instanceof ProtobufError) throw new InputError(file, `not a readable ONNX model: ${e.message}`);
    throw e;
  }
}

/**
 * The model bytes with `names` appended to the graph's outputs (names already
 * among them are skipped). Only the graph field is re-encoded; every other
 * field of the ModelProto is copied byte for byte.
 */
export function withGraphOutputs(bytes: Uint8Array, names: string[], file: string): Uint8Array {
  const g = graphField(bytes, file);
  const have = new Set(readGraph(bytes, file).outputs);
  const extra = names.filter((n) => !have.has(n)).map((n) => lengthDelimited(GRAPH_OUTPUT, stringField(VALUE_INFO_NAME, n)));
  if (extra.length === 0) return bytes;
  const graph = concatBytes([bytes.subarray(g.dataStart, g.end), ...extra]);
  return concatBytes([bytes.subarray(0, g.start), lengthDelimited(MODEL_GRAPH, graph), bytes.subarray(g.end)]);
}
