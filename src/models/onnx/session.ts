/**
 * An ONNX model opened for activations: the file read, the chosen layers
 * appended to its graph outputs, and one onnxruntime CPU session over the
 * rewritten bytes.
 */
import * as fs from 'node:fs';
import ort from 'onnxruntime-node';
import { InputError } from '../../core/errors.js';
import { readGraph, withGraphOutputs, type OnnxGraph } from './graph.js';
import { areaName, layerCandidates, selectLayers, type LayerCandidate } from './layers.js';
import type { InputShape } from './input.js';

export interface OpenedLayer extends LayerCandidate {
  area: string;
}

export interface OnnxSession {
  file: string;
  graph: OnnxGraph;
  layers: OpenedLayer[];
  inputName: string;
  inputShape: InputShape;
  /** Runs the model on one input; returns each layer's tensor (float32 ones only; others are reported as such). */
  run(data: Float32Array, dims: number[]): Promise<Map<string, LayerTensor>>;
  release(): Promise<void>;
}

export interface LayerTensor {
  type: string;
  dims: number[];
  /** Present when the tensor is float32. */
  data: Float32Array | null;
}

/** The model file's bytes and graph; InputError when it is missing or not ONNX. */
export function readOnnx(file: string): { bytes: Uint8Array; graph: OnnxGraph } {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fs.readFileSync(file));
  } catch (e) {
    throw new InputError(file, `cannot read the ONNX model (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const graph = readGraph(bytes, file);
  if (graph.externalData) throw new InputError(file, 'weights in external data files are not supported; export the model as one file (under 2 GB)');
  return { bytes, graph };
}

/** Opens `file` with the layers matching `patterns` ([] = all candidates) exposed as outputs. */
export async function openOnnx(file: string, patterns: string[], opts: { threads: number; inputName: string | null }): Promise<OnnxSession> {
  const { bytes, graph } = readOnnx(file);
  const layers = selectLayers(layerCandidates(graph), patterns, file).map((c) => ({ ...c, area: areaName(c) }));
  if (layers.length === 0) throw new InputError(file, 'the graph has no layer candidates');
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(
      withGraphOutputs(
        bytes,
        layers.map((l) => l.tensor),
        file,
      ),
      {
        executionProviders: ['cpu'],
        intraOpNumThreads: opts.threads,
        interOpNumThreads: 1,
      },
    );
  } catch (e) {
    throw new InputError(file, `onnxruntime cannot load the model: ${(e as Error).message.split('\n')[0]}`);
  }
  const inputName = opts.inputName ?? (graph.inputs.length === 1 ? graph.inputs[0] : null);
  if (inputName === null)
    throw new InputError(file, `the model has ${graph.inputs.length} inputs (${graph.inputs.join(', ')}); name one as input.name in the config`);
  const meta = session.inputMetadata.find((m) => m.name === inputName);
  if (!meta) throw new InputError(file, `no graph input named "${inputName}" (inputs: ${graph.inputs.join(', ')})`);
  const inputShape: InputShape = meta.isTensor ? meta.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : String(d))) : [];
  if (meta.isTensor && meta.type !== 'float32') throw new InputError(file, `input "${inputName}" is ${meta.type}; brainalign feeds float32 audio or log-mel`);
  return {
    file,
    graph,
    layers,
    inputName,
    inputShape,
    async run(data, dims) {
      let r: ort.InferenceSession.OnnxValueMapType;
      try {
        r = await session.run(
          { [inputName]: new ort.Tensor('float32', data, dims) },
          layers.map((l) => l.tensor),
        );
      } catch (e) {
        throw new InputError(file, `onnxruntime failed on an input of shape [${dims.join(', ')}]: ${(e as Error).message.split('\n')[0]}`);
      }
      const out = new Map<string, LayerTensor>();
      for (const l of layers) {
        const t = r[l.tensor];
        out.set(l.tensor, { type: t.type, dims: [...t.dims], data: t.type === 'float32' ? (t.data as Float32Array) : null });
      }
      return out;
    },
    release: () => session.release(),
  };
}
