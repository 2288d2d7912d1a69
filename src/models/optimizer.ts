/**
 * The optimizer every training loop uses: Adam (β1 = 0.9, β2 = 0.999,
 * ε = 1e-7, tfjs's defaults). Where the backend has the fused native kernel
 * (src/models/kernels/adam.ts) each variable is updated by one kernel call;
 * its float32 arithmetic is tfjs's AdamOptimizer's, operation for operation,
 * so the weights are the same bits either way (test/models/models-optimizer.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { ADAM_KERNEL } from './kernels/names.js';

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-7;

class FusedAdam extends tf.Optimizer {
  private readonly moments = new Map<string, { m: tf.Variable; v: tf.Variable }>();
  // tfjs keeps β^t as float32 tensors multiplied once per step; the same float32 products here.
  private accBeta1 = Math.fround(BETA1);
  private accBeta2 = Math.fround(BETA2);

  constructor(private readonly learningRate: number) {
    super();
  }

  applyGradients(variableGradients: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]): void {
    const pairs = Array.isArray(variableGradients) ? variableGradients.map((g) => [g.name, g.tensor] as const) : Object.entries(variableGradients);
    const coef = [BETA1, 1 - BETA1, BETA2, 1 - BETA2, Math.fround(1 - this.accBeta1), Math.fround(1 - this.accBeta2), EPSILON, -this.learningRate].map(
      Math.fround,
    );
    for (const [name, gradient] of pairs) {
      if (gradient == null) continue;
      const value = tf.engine().registeredVariables[name];
      if (!value) throw new Error(`adam: no variable named ${name}`);
      let s = this.moments.get(name);
      if (!s) {
        s = tf.tidy(() => ({ m: tf.zerosLike(value).variable(false), v: tf.zerosLike(value).variable(false) }));
        this.moments.set(name, s);
      }
      const st = s;
      tf.tidy(() => {
        const [p, m, v] = tf.engine().runKernel(ADAM_KERNEL, { value, gradient, m: st.m, v: st.v }, { coef }) as tf.Tensor[];
        st.m.assign(m);
        st.v.assign(v);
        value.assign(p);
      });
    }
    this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(BETA1));
    this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(BETA2));
    this.incrementIterations();
  }

  override dispose(): void {
    for (const s of this.moments.values()) tf.dispose([s.m, s.v]);
    this.moments.clear();
  }

  getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: BETA1, beta2: BETA2, epsilon: EPSILON };
  }
}

/** Adam with learning rate `lr`: fused where the backend registers the kernel, tfjs's own otherwise. */
export function adam(lr: number): tf.Optimizer {
  if (tf.getKernel(ADAM_KERNEL, tf.getBackend())) return new FusedAdam(lr);
  return tf.train.adam(lr, BETA1, BETA2, EPSILON);
}
