/**
 * BAN, the Brain Audio Network: a CORnet-S-style recurrent convolutional
 * network over log-mel spectrogram windows, and a feed-forward CNN baseline
 * with the same areas. Weights are explicit tf.Variables so recurrence can
 * share conv weights across iterations while keeping separate batch-norm
 * parameters per iteration (as CORnet-S does), and so forward() can hand back
 * every area's output at every iteration exactly as computed.
 *
 * Tensor layout: NHWC with H = mel bands (low→high), W = frames (time), C = 1.
 */
import { z } from 'zod';
import { tf } from './backend.js';
import { Rng } from '../core/prng.js';
import { InputError } from '../core/errors.js';
import { batchNormLayer, batchNormReluPool, type BatchNormVars } from './batchnorm.js';
import { BAN_DEFAULTS } from './ban-defaults.js';

export { BAN_DEFAULTS } from './ban-defaults.js';

const AreaSchema = z.object({
  name: z.string().regex(/^[a-z0-9_]+$/),
  width: z.number().int().positive(),
  times: z.number().int().positive(),
});

const copyAreas = (): { name: string; width: number; times: number }[] => BAN_DEFAULTS.areas.map((a) => ({ ...a }));

export const ModelConfigSchema = z.object({
  kind: z.enum(['ban', 'cnn']).default('ban'),
  nMels: z.number().int().positive().default(BAN_DEFAULTS.nMels),
  frames: z.number().int().positive().default(BAN_DEFAULTS.frames),
  nClasses: z.number().int().min(2).default(10),
  classes: z.array(z.string()).optional(),
  a1Width: z.number().int().positive().default(BAN_DEFAULTS.a1Width),
  a1Kernel: z.number().int().positive().default(BAN_DEFAULTS.a1Kernel),
  a1Kernel2: z.number().int().positive().default(BAN_DEFAULTS.a1Kernel2),
  blockKernel: z.number().int().positive().default(BAN_DEFAULTS.blockKernel),
  scale: z.number().int().positive().default(BAN_DEFAULTS.scale),
  skip: z.boolean().default(BAN_DEFAULTS.skip),
  areas: z.array(AreaSchema).min(1).default(copyAreas),
  fcHidden: z.array(z.number().int().positive()).default(() => [...BAN_DEFAULTS.fcHidden]),
  bnMomentum: z.number().gt(0).lt(1).default(BAN_DEFAULTS.bnMomentum),
  bnEpsilon: z.number().positive().default(BAN_DEFAULTS.bnEpsilon),
  /** Affine input normalisation of the log-mel (dB): (x − inputMean) / inputStd. Set from training data. */
  inputMean: z.number().default(0),
  inputStd: z.number().positive().default(1),
});

export type ModelConfig = z.infer<typeof ModelConfigSchema>;
export type ModelConfigInput = z.input<typeof ModelConfigSchema>;

/** Parse (and default) a model configuration; throws InputError naming `where`. */
export function parseModelConfig(raw: unknown, where = 'model config'): ModelConfig {
  const r = ModelConfigSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new InputError(where, `${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  const names = new Set(['a1', 'decoder']);
  for (const a of r.data.areas) {
    if (names.has(a.name)) throw new InputError(where, `duplicate or reserved area name '${a.name}'`);
    names.add(a.name);
  }
  return r.data;
}

/** One recorded activation: an area's output (NHWC) at one iteration (0 for feed-forward areas). */
export interface AreaActivation {
  area: string;
  iteration: number;
  tensor: tf.Tensor4D;
}

export interface ForwardOptions {
  /** Batch statistics + running-stat updates when true; running statistics when false. */
  training?: boolean;
  /** Record every area's output at every iteration. */
  collect?: boolean;
}

export interface ForwardResult {
  logits: tf.Tensor2D;
  /** Penultimate features: global-average-pooled last area, [N, width]. */
  pooled: tf.Tensor2D;
  acts: AreaActivation[];
}

/**
 * A BAN or CNN instance. `params` (trainable) and `state` (BN running
 * statistics) are ordered maps; their key order is the checkpoint order.
 */
export class AudioNet {
  readonly config: ModelConfig;
  readonly params = new Map<string, tf.Variable>();
  readonly state = new Map<string, tf.Variable>();

  constructor(config: ModelConfig, seed: number) {
    this.config = config;
    // tidy frees the initial-value tensors; variables survive it.
    tf.tidy(() => this.init(seed));
  }

  private init(seed: number): void {
    const config = this.config;
    const rng = new Rng(seed, 'model-init');
    const c = config;
    this.convW('a1/conv1', c.a1Kernel, 1, c.a1Width, rng);
    this.bn('a1/bn1', c.a1Width);
    this.convW('a1/conv2', c.a1Kernel2, c.a1Width, c.a1Width, rng);
    this.bn('a1/bn2', c.a1Width);
    let inC = c.a1Width;
    for (const a of c.areas) {
      if (c.kind === 'ban') {
        const wide = a.width * c.scale;
        this.convW(`${a.name}/conv_input`, 1, inC, a.width, rng);
        this.convW(`${a.name}/skip`, 1, a.width, a.width, rng);
        this.bn(`${a.name}/bn_skip`, a.width);
        this.convW(`${a.name}/conv1`, 1, a.width, wide, rng);
        this.convW(`${a.name}/conv2`, c.blockKernel, wide, wide, rng);
        this.convW(`${a.name}/conv3`, 1, wide, a.width, rng);
        for (let t = 0; t < a.times; t++) {
          this.bn(`${a.name}/t${t}/bn1`, wide);
          this.bn(`${a.name}/t${t}/bn2`, wide);
          this.bn(`${a.name}/t${t}/bn3`, a.width);
        }
      } else {
        this.convW(`${a.name}/conv1`, c.blockKernel, inC, a.width, rng);
        this.bn(`${a.name}/bn1`, a.width);
        this.convW(`${a.name}/conv2`, c.blockKernel, a.width, a.width, rng);
        this.bn(`${a.name}/bn2`, a.width);
      }
      inC = a.width;
    }
    let fin = inC;
    c.fcHidden.forEach((h, i) => {
      this.dense(`decoder/fc${i}`, fin, h, rng);
      fin = h;
    });
    this.dense('decoder/out', fin, c.nClasses, rng);
  }

  private convW(name: string, k: number, cin: number, cout: number, rng: Rng): void {
    // He (Kaiming) normal for ReLU nets, fan-in mode, drawn from our own seeded stream.
    const std = Math.sqrt(2 / (k * k * cin));
    const w = rng.fork(name).normals(k * k * cin * cout, 0, std);
    this.params.set(name, tf.variable(tf.tensor4d(w, [k, k, cin, cout]), true));
  }

  private dense(name: string, fin: number, fout: number, rng: Rng): void {
    // PyTorch's Linear default range, U(±1/√fan_in), for weights and bias.
    const bound = 1 / Math.sqrt(fin);
    const r = rng.fork(name);
    const w = new Float32Array(fin * fout);
    for (let i = 0; i < w.length; i++) w[i] = r.range(-bound, bound);
    const b = new Float32Array(fout);
    for (let i = 0; i < b.length; i++) b[i] = r.range(-bound, bound);
    this.params.set(`${name}/w`, tf.variable(tf.tensor2d(w, [fin, fout]), true));
    this.params.set(`${name}/b`, tf.variable(tf.tensor1d(b), true));
  }

  private bn(name: string, ch: number): void {
    this.params.set(`${name}/gamma`, tf.variable(tf.ones([ch]), true));
    this.params.set(`${name}/beta`, tf.variable(tf.zeros([ch]), true));
    this.state.set(`${name}/mean`, tf.variable(tf.zeros([ch]), false));
    this.state.set(`${name}/variance`, tf.variable(tf.ones([ch]), false));
  }

  private p(name: string): tf.Variable {
    const v = this.params.get(name) ?? this.state.get(name);
    if (!v) throw new Error(`no parameter ${name}`);
    return v;
  }

  private bnRef(name: string): BatchNormVars {
    return {
      gamma: this.p(`${name}/gamma`),
      beta: this.p(`${name}/beta`),
      mean: this.p(`${name}/mean`),
      variance: this.p(`${name}/variance`),
    };
  }

  private batchNorm(x: tf.Tensor4D, name: string, training: boolean): tf.Tensor4D {
    return batchNormLayer(x, this.bnRef(name), training, this.config.bnMomentum, this.config.bnEpsilon);
  }

  /** Batch norm then ReLU, one fused kernel each way in training where the backend has it. */
  private batchNormRelu(x: tf.Tensor4D, name: string, training: boolean): tf.Tensor4D {
    return batchNormReluPool(x, this.bnRef(name), training, this.config.bnMomentum, 1, this.config.bnEpsilon);
  }

  private conv(x: tf.Tensor4D, name: string, stride: number): tf.Tensor4D {
    return tf.conv2d(x, this.p(name) as tf.Tensor4D, stride, 'same');
  }

  /**
   * Run the network on log-mel windows x [N, nMels, frames, 1] (dB). Returns
   * logits [N, nClasses], the pooled penultimate features, and (if collect)
   * each area's post-ReLU output at every iteration. Call inside tf.tidy or
   * dispose the returned tensors.
   */
  forward(x: tf.Tensor4D, opts: ForwardOptions = {}): ForwardResult {
    const training = opts.training ?? false;
    const collect = opts.collect ?? false;
    const c = this.config;
    const acts: AreaActivation[] = [];
    const record = (area: string, iteration: number, t: tf.Tensor4D) => {
      if (collect) acts.push({ area, iteration, tensor: t });
    };
    let h = tf.div(tf.sub(x, c.inputMean), c.inputStd) as tf.Tensor4D;
    h = this.batchNormRelu(this.conv(h, 'a1/conv1', 2), 'a1/bn1', training);
    h = tf.maxPool(h, 3, 2, 'same');
    h = this.batchNormRelu(this.conv(h, 'a1/conv2', 1), 'a1/bn2', training);
    record('a1', 0, h);
    for (const a of c.areas) {
      if (c.kind === 'ban') {
        h = this.conv(h, `${a.name}/conv_input`, 1);
        for (let t = 0; t < a.times; t++) {
          const first = t === 0;
          let skip: tf.Tensor4D | null = null;
          if (c.skip) skip = first ? this.batchNorm(this.conv(h, `${a.name}/skip`, 2), `${a.name}/bn_skip`, training) : h;
          let y = this.batchNormRelu(this.conv(h, `${a.name}/conv1`, 1), `${a.name}/t${t}/bn1`, training);
          y = this.batchNormRelu(this.conv(y, `${a.name}/conv2`, first ? 2 : 1), `${a.name}/t${t}/bn2`, training);
          y = this.batchNorm(this.conv(y, `${a.name}/conv3`, 1), `${a.name}/t${t}/bn3`, training);
          if (skip) y = tf.add(y, skip);
          h = tf.relu(y);
          record(a.name, t, h);
        }
      } else {
        h = this.batchNormRelu(this.conv(h, `${a.name}/conv1`, 2), `${a.name}/bn1`, training);
        h = this.batchNormRelu(this.conv(h, `${a.name}/conv2`, 1), `${a.name}/bn2`, training);
        record(a.name, 0, h);
      }
    }
    const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
    let z: tf.Tensor2D = pooled;
    c.fcHidden.forEach((_, i) => {
      z = tf.relu(tf.add(tf.matMul(z, this.p(`decoder/fc${i}/w`)), this.p(`decoder/fc${i}/b`)));
    });
    const logits = tf.add(tf.matMul(z, this.p('decoder/out/w')), this.p('decoder/out/b')) as tf.Tensor2D;
    return { logits, pooled, acts };
  }

  /** Every (area, iteration) that forward({collect:true}) records, in order. */
  areaIterations(): { area: string; iteration: number }[] {
    const out = [{ area: 'a1', iteration: 0 }];
    for (const a of this.config.areas) {
      const times = this.config.kind === 'ban' ? a.times : 1;
      for (let t = 0; t < times; t++) out.push({ area: a.name, iteration: t });
    }
    return out;
  }

  /** Number of trainable scalars. */
  parameterCount(): number {
    let n = 0;
    for (const v of this.params.values()) n += v.size;
    return n;
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    for (const v of this.state.values()) v.dispose();
  }
}

/**
 * Build a model from a (partial) config with weights drawn from `seed`.
 * An untrained instance is the "BAN with random weights" control.
 */
export function createModel(config: ModelConfigInput | ModelConfig, seed: number): AudioNet {
  return new AudioNet(parseModelConfig(config), seed);
}

/** Number of trainable scalars a config's model has (BN γ/β included, running statistics not). */
export function countParameters(c: ModelConfig): number {
  const conv = (k: number, i: number, o: number) => k * k * i * o;
  const bn = (ch: number) => 2 * ch;
  let n = conv(c.a1Kernel, 1, c.a1Width) + bn(c.a1Width) + conv(c.a1Kernel2, c.a1Width, c.a1Width) + bn(c.a1Width);
  let inC = c.a1Width;
  for (const a of c.areas) {
    if (c.kind === 'ban') {
      const wide = a.width * c.scale;
      n +=
        conv(1, inC, a.width) +
        conv(1, a.width, a.width) +
        bn(a.width) +
        conv(1, a.width, wide) +
        conv(c.blockKernel, wide, wide) +
        conv(1, wide, a.width) +
        a.times * (bn(wide) + bn(wide) + bn(a.width));
    } else {
      n += conv(c.blockKernel, inC, a.width) + bn(a.width) + conv(c.blockKernel, a.width, a.width) + bn(a.width);
    }
    inC = a.width;
  }
  for (const h of c.fcHidden) {
    n += inC * h + h;
    inC = h;
  }
  return n + inC * c.nClasses + c.nClasses;
}

/**
 * The feed-forward CNN baseline for a BAN config: the same A1, areas and
 * decoder, each area a plain conv–BN–ReLU pair, with the areas' widths scaled
 * by one common factor (steps of 1/8) so that the parameter count is as close
 * as possible to the BAN's ("a CNN of similar size").
 */
export function cnnBaselineConfig(ban: ModelConfigInput = {}): ModelConfig {
  const b = parseModelConfig({ ...ban, kind: 'ban' });
  const target = countParameters(b);
  const scaled = (f: number): ModelConfig =>
    parseModelConfig({ ...b, kind: 'cnn', areas: b.areas.map((a) => ({ ...a, width: Math.max(1, Math.round((a.width * f) / 8)) })) });
  let best = scaled(1);
  let bestGap = Math.abs(countParameters(best) - target);
  for (let f = 2; f <= 64; f++) {
    const c = scaled(f);
    const gap = Math.abs(countParameters(c) - target);
    if (gap < bestGap) {
      bestGap = gap;
      best = c;
    }
  }
  return best;
}

/** Ablations of a BAN config: 'no-recurrence' (times = 1), 'no-skip', or 'areas:<n>' (first n areas). */
export function ablateConfig(base: ModelConfigInput, ablation: string): ModelConfig {
  const c = parseModelConfig(base);
  if (ablation === 'no-recurrence') return { ...c, areas: c.areas.map((a) => ({ ...a, times: 1 })) };
  if (ablation === 'no-skip') return { ...c, skip: false };
  const m = /^areas:(\d+)$/.exec(ablation);
  if (m) {
    const n = Number(m[1]);
    if (n < 1 || n > c.areas.length) throw new InputError('ablation', `areas:${n} outside 1..${c.areas.length}`);
    return { ...c, areas: c.areas.slice(0, n) };
  }
  throw new InputError('ablation', `unknown ablation '${ablation}' (no-recurrence, no-skip, areas:<n>)`);
}
