/**
 * Pieces shared by PredANN's EEG and audio encoders: seeded dropout on a
 * feature map, the two-layer heads (Dense → ReLU → Dense) and a variable
 * store that knows which variables are trainable, decayed or running
 * statistics.
 */
import { tf } from './backend.js';
import type { Rng } from '../core/prng.js';
import type { BatchNormVars } from './batchnorm.js';

/** Named variables of one network: trainable parameters and batch-norm running statistics. */
export class VariableStore {
  readonly params = new Map<string, tf.Variable>();
  readonly state = new Map<string, tf.Variable>();

  get(name: string): tf.Variable {
    const x = this.params.get(name) ?? this.state.get(name);
    if (!x) throw new Error(`no parameter ${name}`);
    return x;
  }

  /** He-initialised convolution kernel of the given shape. */
  conv(name: string, shape: [number, number, number, number], rng: Rng): void {
    const fanIn = shape[0] * shape[1] * shape[2];
    const n = shape.reduce((a, b) => a * b, 1);
    this.params.set(name, tf.variable(tf.tensor4d(rng.fork(name).normals(n, 0, Math.sqrt(2 / fanIn)), shape), true));
  }

  batchNorm(name: string, channels: number): void {
    this.params.set(`${name}/gamma`, tf.variable(tf.ones([channels]), true));
    this.params.set(`${name}/beta`, tf.variable(tf.zeros([channels]), true));
    this.state.set(`${name}/mean`, tf.variable(tf.zeros([channels]), false));
    this.state.set(`${name}/variance`, tf.variable(tf.ones([channels]), false));
  }

  bn(name: string): BatchNormVars {
    return { gamma: this.get(`${name}/gamma`), beta: this.get(`${name}/beta`), mean: this.get(`${name}/mean`), variance: this.get(`${name}/variance`) };
  }

  /** PyTorch's default Linear initialisation, U(±1/√fan_in) for weights and bias. */
  dense(name: string, fin: number, fout: number, rng: Rng): void {
    const bound = 1 / Math.sqrt(fin);
    const r = rng.fork(name);
    const w = Float32Array.from({ length: fin * fout }, () => r.range(-bound, bound));
    const b = Float32Array.from({ length: fout }, () => r.range(-bound, bound));
    this.params.set(`${name}/w`, tf.variable(tf.tensor2d(w, [fin, fout]), true));
    this.params.set(`${name}/b`, tf.variable(tf.tensor1d(b), true));
  }

  linear(x: tf.Tensor2D, name: string): tf.Tensor2D {
    return tf.add(tf.matMul(x, this.get(`${name}/w`) as tf.Tensor2D), this.get(`${name}/b`)) as tf.Tensor2D;
  }

  /** Dense(hidden) → ReLU → Dense(out), PredANN's head shape (without its BatchNorm1d). */
  head(x: tf.Tensor2D, name: string): tf.Tensor2D {
    return this.linear(tf.relu(this.linear(x, `${name}1`)), `${name}2`);
  }

  addHead(name: string, fin: number, hidden: number, fout: number, rng: Rng): void {
    this.dense(`${name}1`, fin, hidden, rng);
    this.dense(`${name}2`, hidden, fout, rng);
  }

  trainable(): tf.Variable[] {
    return [...this.params.values()];
  }

  /** Convolution kernels and dense weight matrices (biases and batch-norm γ/β are not decayed). */
  decayed(): tf.Variable[] {
    return [...this.params.entries()].filter(([k]) => k.startsWith('conv') || k.endsWith('/w')).map(([, v]) => v);
  }

  resetRunningStats(): void {
    for (const [k, v] of this.state) tf.tidy(() => v.assign(k.endsWith('/mean') ? tf.zerosLike(v) : tf.onesLike(v)));
  }

  /** Copies of every variable's value, for restoring the best epoch. */
  snapshot(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    for (const [k, v] of [...this.params, ...this.state]) out.set(k, tf.clone(v));
    return out;
  }

  restore(snap: Map<string, tf.Tensor>): void {
    for (const [k, t] of snap) this.get(k).assign(t);
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    for (const v of this.state.values()) v.dispose();
  }
}

/**
 * Inverted dropout on a feature map: each element kept with probability
 * 1 − p and scaled by 1/(1 − p). The mask comes from tfjs's seeded uniform
 * generator with a seed drawn from the project Rng, so runs repeat exactly.
 */
export function featureDropout(h: tf.Tensor4D, p: number, seed: number | undefined): tf.Tensor4D {
  if (seed === undefined || p <= 0) return h;
  const keep = 1 - p;
  const mask = tf.div(tf.cast(tf.less(tf.randomUniform(h.shape, 0, 1, 'float32', seed), keep), 'float32'), keep);
  return tf.mul(h, mask) as tf.Tensor4D;
}
