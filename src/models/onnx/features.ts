/**
 * What `brainalign features` needs from an ONNX model: which declaration an
 * invocation names, the clips as audio, the listing of candidate layers, and
 * the provenance written into the features artifact. Kept here so the verb
 * only routes to it.
 */
import * as path from 'node:path';
import { InputError } from '../../core/errors.js';
import { readAudio } from '../../io/audio.js';
import { toMono } from '../features.js';
import { findDeclaration, type OnnxModel, type OnnxSection } from './config.js';
import { areaName, defaultLayers, layerCandidates } from './layers.js';
import { readOnnx } from './session.js';
import type { OnnxClip, OnnxLayerSpace } from './activations.js';

/** Whether a --model value names an ONNX file rather than a train artifact. */
export const isOnnxPath = (p: string | undefined): p is string => p !== undefined && /\.onnx$/i.test(p);

/**
 * The declaration an invocation means: `--onnx NAME`, or `--model X.onnx`
 * matched to the declaration of the same file. Null when neither is given.
 */
export function onnxModelFor(section: OnnxSection, a: { model?: string; onnx?: string }, configFile: string | undefined): OnnxModel | null {
  if (a.onnx !== undefined) {
    const m = findDeclaration(section, { name: a.onnx });
    if (!m) throw new InputError('onnx', `no ONNX model "${a.onnx}" declared under onnx.models in ${configFile ?? 'the config (none was given)'}`);
    if (a.model !== undefined) throw new InputError('onnx', 'names a declared model; a model file was given as well (give one or the other)');
    return m;
  }
  if (!isOnnxPath(a.model)) return null;
  const m = findDeclaration(section, { file: a.model });
  if (!m)
    throw new InputError(
      a.model,
      `declare the model under onnx.models in ${configFile ?? 'the config (none was given)'}: its name, input and layers (docs/onnx-models.md)`,
    );
  return m;
}

/** Each clip's audio, mono, at its own rate. */
export function readClips(stims: { stimId: string; file: string }[]): OnnxClip[] {
  return stims.map((s) => {
    const w = readAudio(s.file);
    return { id: s.stimId, audio: toMono(w.channels), sr: w.sampleRate, file: s.file };
  });
}

/** Text of `--list-layers`: a header, then one line per candidate in forward order (default layer *, area name, modules, op, node, tensor). */
export function listLayers(file: string): string {
  const { graph } = readOnnx(file);
  const c = layerCandidates(graph);
  const dflt = new Set(defaultLayers(c));
  const lines = c.map((l) => [dflt.has(l) ? '*' : '', areaName(l), l.modules.join(','), l.opType, l.node, l.tensor].join('\t'));
  const head = [
    `# ${path.basename(file)}: input ${graph.inputs.join(', ')}; ${c.length} candidate layers, ${dflt.size} by default (*)`,
    ['default', 'area', 'modules', 'op', 'node', 'tensor'].join('\t'),
  ];
  return `${[...head, ...lines].join('\n')}\n`;
}

/** Provenance of an ONNX features set: the declaration and, per area, the tensor and its axis roles. */
export function onnxSource(m: OnnxModel, spaces: OnnxLayerSpace[]): Record<string, unknown> {
  return {
    onnx_model: path.resolve(m.file),
    input: m.input,
    layer_patterns: m.layers,
    layers: Object.fromEntries(
      spaces.map((s) => [
        s.layer.area,
        {
          tensor: s.layer.tensor,
          node: s.layer.node,
          op_type: s.layer.opType,
          time_axis: s.roles.time,
          channel_axis: s.roles.channels,
          frequency_axes: s.roles.freq,
        },
      ]),
    ),
  };
}
