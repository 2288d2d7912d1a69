/**
 * One BAN training step on a fixed random batch (Adam as training uses it:
 * src/models/optimizer.ts, fused where the native kernels are; softmax cross-entropy),
 * shared by the BAN benchmarks so throughput and profile time the same work.
 * Call after initBackend; `step()` blocks until the loss is computed.
 */
import { tf } from '../../src/models/backend.js';
import { createModel, parseModelConfig } from '../../src/models/ban.js';
import { Rng } from '../../src/core/prng.js';
import { adam } from '../../src/models/optimizer.js';
import { minimizeWithCost } from '../../src/models/optimizer-step.js';

/**
 * The network the benchmarks time (docs/performance.md): input 64×128, widths
 * 16/32/64/128, scale 4, times 2/4/2 — larger than the study default
 * (BAN_DEFAULTS), so per-op overhead does not hide the kernels.
 */
export const BENCH_BAN = {
  nMels: 64,
  frames: 128,
  a1Width: 16,
  scale: 4,
  fcHidden: [64],
  areas: [
    { name: 'belt', width: 32, times: 2 },
    { name: 'pb', width: 64, times: 4 },
    { name: 't', width: 128, times: 2 },
  ],
};

export function banTrainingStep(batch: number): { step: () => void; model: ReturnType<typeof createModel>; cfg: ReturnType<typeof parseModelConfig> } {
  const cfg = parseModelConfig(BENCH_BAN);
  const model = createModel(cfg, 1);
  const x = tf.tensor4d(new Rng(1, 'bench').normals(batch * cfg.nMels * cfg.frames, -40, 15), [batch, cfg.nMels, cfg.frames, 1]);
  const y = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: batch }, (_, i) => i % cfg.nClasses),
      'int32',
    ),
    cfg.nClasses,
  );
  const opt = adam(1e-3);
  const step = (): void => {
    const l = minimizeWithCost(opt, () => tf.losses.softmaxCrossEntropy(y, model.forward(x, { training: true }).logits) as tf.Scalar);
    l.dataSync();
    l.dispose();
  };
  return { step, model, cfg };
}
