/**
 * The PredANN loss L = CE + λ·InfoNCE on a hand-sized case (3 windows, 4
 * songs, 2-D embeddings), against the same equations evaluated independently
 * in numpy; and the InfoNCE gradient reaches only the EEG side.
 */
import test from 'ava';
import { initBackend, tf } from '../../src/models/backend.js';
import { crossEntropy, duplicateTargetMask, predannLoss, symmetricInfoNce } from '../../src/models/predann-loss.js';
import { pyJson } from '../helpers/signal-python.js';
import { defined } from '../helpers/defined.js';

const logits = [
  [2.0, 0.5, -1.0, 0.1],
  [0.3, 1.2, 0.0, -0.4],
  [-0.5, 0.2, 0.9, 1.5],
];
const labels = [0, 1, 3];
const eeg = [
  [1.0, 0.2],
  [0.1, -0.8],
  [-0.6, 0.5],
];
const ann = [
  [0.9, 0.1],
  [0.3, -1.0],
  [-1.0, 0.4],
];

test.before(async () => {
  await initBackend('wasm');
});

test('CE, symmetric InfoNCE (τ = 0.5) and L = CE + 0.05·InfoNCE match numpy on 3 items', (t) => {
  const ref = pyJson<{ ce: number; nce: number; total: number }>(
    [
      'L=np.array(inp["logits"]); y=np.array(inp["labels"]); e=np.array(inp["eeg"]); a=np.array(inp["ann"]); tau=0.5; lam=0.05',
      'def lsm(z): m=z.max(axis=1,keepdims=True); return z-m-np.log(np.exp(z-m).sum(axis=1,keepdims=True))',
      'ce=-lsm(L)[np.arange(len(y)),y].mean()',
      'en=e/np.linalg.norm(e,axis=1,keepdims=True); an=a/np.linalg.norm(a,axis=1,keepdims=True)',
      'S=en@an.T/tau; n=len(S)',
      'nce=(-np.trace(lsm(S))-np.trace(lsm(S.T)))/(2*n)',
      'print(json.dumps({"ce":ce,"nce":nce,"total":ce+lam*nce}))',
    ].join('\n'),
    { logits, labels, eeg, ann },
  );
  const out = tf.tidy(() => {
    const p = predannLoss(tf.tensor2d(logits), tf.tensor1d(labels, 'int32'), tf.tensor2d(eeg), tf.tensor2d(ann), 0.05, 0.5);
    return [p.ce.dataSync()[0], p.nce.dataSync()[0], p.total.dataSync()[0]];
  });
  t.true(Math.abs(out[0] - ref.ce) < 1e-5, `CE ${out[0]} vs ${ref.ce}`);
  t.true(Math.abs(out[1] - ref.nce) < 1e-5, `InfoNCE ${out[1]} vs ${ref.nce}`);
  t.true(Math.abs(out[2] - ref.total) < 1e-5, `L ${out[2]} vs ${ref.total}`);
  // λ = 0 is the plain cross-entropy (the no-ANN baseline).
  const ce0 = tf.tidy(() => predannLoss(tf.tensor2d(logits), tf.tensor1d(labels, 'int32'), tf.tensor2d(eeg), tf.tensor2d(ann), 0, 0.5).total.dataSync()[0]);
  t.true(Math.abs(ce0 - ref.ce) < 1e-6);
});

test('InfoNCE is lowest when each EEG embedding points at its own ANN target, and its gradient moves only the EEG side', (t) => {
  const aligned = tf.tidy(() => symmetricInfoNce(tf.tensor2d(ann), tf.tensor2d(ann), 0.5).dataSync()[0]);
  const shuffled = tf.tidy(() => symmetricInfoNce(tf.tensor2d([ann[1], ann[2], ann[0]]), tf.tensor2d(ann), 0.5).dataSync()[0]);
  t.true(aligned < shuffled, `${aligned} vs ${shuffled}`);
  const e = tf.variable(tf.tensor2d(eeg));
  const a = tf.variable(tf.tensor2d(ann), false);
  const { grads } = tf.variableGrads(() => symmetricInfoNce(e, a, 0.5), [e]);
  t.true(Math.max(...Array.from(grads[e.name].abs().dataSync())) > 0);
  // The ANN side is a frozen input: no trainable variable feeds it, so no gradient is asked or produced for it.
  t.false(a.trainable);
  const ceOnly = tf.tidy(() => crossEntropy(tf.tensor2d([[0, 0]]), tf.tensor1d([1], 'int32')).dataSync()[0]);
  t.true(Math.abs(ceOnly - Math.log(2)) < 1e-6);
});

test('InfoNCE with duplicate targets masked matches numpy with those pairs left out of both denominators', (t) => {
  // Windows 0 and 2 carry the same song at the same song time (two listeners): identical ANN targets.
  const a4 = [ann[0], ann[1], ann[0], ann[2]];
  const e4 = [eeg[0], eeg[1], [0.7, 0.4], eeg[2]];
  const keys = [10, 11, 10, 12];
  const ref = pyJson<{ masked: number; plain: number }>(
    [
      'e=np.array(inp["e"]); a=np.array(inp["a"]); k=np.array(inp["keys"]); tau=0.5',
      'def lsm(z): m=z.max(axis=1,keepdims=True); return z-m-np.log(np.exp(z-m).sum(axis=1,keepdims=True))',
      'en=e/np.linalg.norm(e,axis=1,keepdims=True); an=a/np.linalg.norm(a,axis=1,keepdims=True)',
      'S=en@an.T/tau; n=len(S)',
      'plain=(-np.trace(lsm(S))-np.trace(lsm(S.T)))/(2*n)',
      'dup=(k[:,None]==k[None,:])&~np.eye(n,dtype=bool)',
      'def masked_lsm(Z): Z=np.where(dup,-np.inf,Z); return lsm(Z)',
      'masked=(-np.trace(masked_lsm(S))-np.trace(masked_lsm(S.T)))/(2*n)',
      'print(json.dumps({"masked":masked,"plain":plain}))',
    ].join('\n'),
    { e: e4, a: a4, keys },
  );
  const mask = duplicateTargetMask(keys);
  t.truthy(mask);
  t.is(duplicateTargetMask([1, 2, 3]), null);
  const [masked, plain] = tf.tidy(() => [
    symmetricInfoNce(tf.tensor2d(e4), tf.tensor2d(a4), 0.5, tf.tensor2d(defined(mask, 'a duplicate-target mask'), [4, 4])).dataSync()[0],
    symmetricInfoNce(tf.tensor2d(e4), tf.tensor2d(a4), 0.5).dataSync()[0],
  ]);
  t.true(Math.abs(masked - ref.masked) < 1e-5, `masked ${masked} vs ${ref.masked}`);
  t.true(Math.abs(plain - ref.plain) < 1e-5, `plain ${plain} vs ${ref.plain}`);
  // The duplicate was counted as a hard negative (cosine 1 to the positive): removing it must lower the loss.
  t.true(masked < plain);
});
