/**
 * Which tensors of an ONNX graph are "layers": candidates are the outputs of
 * every top-level node except those that only compute shapes or constants;
 * the user's patterns (globs or /regexes/ over tensor, node and module names)
 * pick among them. Without patterns the layers are the modules' outputs:
 * torch.onnx.export names each node by its module path (/block/ff/ff.0/MatMul),
 * so the last node of a path is that module's output (named as torch names
 * the module) — one layer per module,
 * as a PyTorch user thinks of them, instead of every Add and Reshape. A graph
 * without such paths gives all its candidates. Each layer gets a folder-safe
 * area name that keeps the forward order visible (feature stores list areas
 * alphabetically).
 */
import { InputError } from '../../core/errors.js';
import type { OnnxGraph } from './graph.js';

/** Ops whose outputs are shapes, indices or constants, never activations. */
const NON_LAYER_OPS = new Set([
  'Constant',
  'ConstantOfShape',
  'Shape',
  'Size',
  'Range',
  'NonZero',
  'Cast',
  'Equal',
  'Less',
  'Greater',
  'Not',
  'And',
  'Or',
  'Where',
  'ArgMax',
  'ArgMin',
]);

export interface LayerCandidate {
  /** Output tensor name in the graph. */
  tensor: string;
  node: string;
  opType: string;
  /** Position among the candidates (forward order). */
  index: number;
  /** PyTorch module name (block.ff) when this tensor is the output of a module, the outermost one when it ends several; else null. */
  module: string | null;
  /** Every module this tensor is the output of (layers.3 and layers when the last block ends the stack); patterns match any. */
  modules: string[];
}

/** Scope segments of a node named /a/b/Op: ['a', 'b']; [] for a top-level node or a name without a path. */
function scopeOf(node: string): string[] {
  const parts = node.split('/');
  return parts.length > 2 && parts[0] === '' ? parts.slice(1, -1) : [];
}

/**
 * PyTorch's dotted module name (as model.named_modules() gives it) of scope
 * segments: torch names a container's children '<container>.<i>', so a
 * segment extending the previous one replaces it (['block', 'ff', 'ff.0'] →
 * 'block.ff.0'; ['layers', 'layers.0', 'norm1'] → 'layers.0.norm1').
 */
export function moduleName(segs: string[]): string {
  let acc = '';
  let prev = '';
  for (const s of segs) {
    acc = prev !== '' && s.startsWith(`${prev}.`) ? acc + s.slice(prev.length) : acc === '' ? s : `${acc}.${s}`;
    prev = s;
  }
  return acc;
}

export function layerCandidates(g: OnnxGraph): LayerCandidate[] {
  // The last node inside each module path (and inside each of its ancestors) is that module's output.
  const lastOf = new Map<string, number>();
  g.nodes.forEach((n, i) => {
    if (NON_LAYER_OPS.has(n.opType)) return;
    const segs = scopeOf(n.name);
    for (let k = 1; k <= segs.length; k++) lastOf.set(moduleName(segs.slice(0, k)), i);
  });
  const modulesOfNode = new Map<number, string[]>();
  // Map order is insertion order: outer scopes are set before inner ones, so [0] is the outermost.
  for (const [mod, i] of lastOf) modulesOfNode.set(i, [...(modulesOfNode.get(i) ?? []), mod]);
  const out: LayerCandidate[] = [];
  g.nodes.forEach((n, i) => {
    if (NON_LAYER_OPS.has(n.opType)) return;
    n.outputs.forEach((t, j) => {
      const modules = j === 0 ? (modulesOfNode.get(i) ?? []) : [];
      out.push({ tensor: t, node: n.name, opType: n.opType, index: out.length, module: modules[0] ?? null, modules });
    });
  });
  return out;
}

/** A glob (* any run, ? one character) or /regex/ as a whole-string matcher. */
export function patternMatcher(p: string): (s: string) => boolean {
  const re = /^\/(.+)\/([a-z]*)$/.exec(p);
  if (re) {
    let r: RegExp;
    try {
      r = new RegExp(re[1], re[2]);
    } catch (e) {
      throw new InputError('layers', `bad regular expression ${p}: ${(e as Error).message}`);
    }
    return (s) => r.test(s);
  }
  const esc = p
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  const g = new RegExp(`^${esc}$`);
  return (s) => g.test(s);
}

/** The default layers: the module outputs when the graph names modules, else every candidate. */
export function defaultLayers(cands: LayerCandidate[]): LayerCandidate[] {
  const mods = cands.filter((c) => c.module !== null);
  return mods.length ? mods : cands;
}

/** Candidates matching any pattern on their tensor, node or module name ([] = the default layers); a pattern that matches nothing is an error. */
export function selectLayers(cands: LayerCandidate[], patterns: string[], file: string): LayerCandidate[] {
  if (patterns.length === 0) return defaultLayers(cands);
  const ms = patterns.map((p) => ({ p, m: patternMatcher(p) }));
  const hit = (c: LayerCandidate, m: (s: string) => boolean): boolean => m(c.tensor) || m(c.node) || c.modules.some(m);
  for (const { p, m } of ms) {
    if (!cands.some((c) => hit(c, m)))
      throw new InputError(file, `layer pattern "${p}" matches no tensor, node or module (brainalign features --model ${file} --list-layers lists them)`);
  }
  return cands.filter((c) => ms.some(({ m }) => hit(c, m)));
}

/** Folder-safe area name: forward position, then the module path (or the tensor name) with anything but letters and digits as '-'. */
export function areaName(c: LayerCandidate): string {
  const clean = (c.module ?? c.tensor).replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return `${String(c.index).padStart(3, '0')}-${clean || 'tensor'}`;
}
