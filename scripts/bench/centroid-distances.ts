/**
 * The cheap audio judge the synth benches share: leave one clip out, z-score
 * the clip vectors with the other clips' mean and SD, and measure the held-out
 * clip's squared distance to each class centroid of the others.
 */

/** Row i: squared distances of clip i (z-scored without it) to the k class centroids of the other clips. */
export function leaveOneOutCentroidDistances(vecs: number[][], labels: number[], k: number): number[][] {
  const n = vecs.length;
  const d = vecs[0].length;
  return vecs.map((_, i) => {
    const train = [...Array(n).keys()].filter((j) => j !== i);
    const mu = new Array<number>(d).fill(0);
    const sd = new Array<number>(d).fill(0);
    for (const j of train) for (let f = 0; f < d; f++) mu[f] += vecs[j][f] / train.length;
    for (const j of train) for (let f = 0; f < d; f++) sd[f] += (vecs[j][f] - mu[f]) ** 2 / train.length;
    // A feature constant over the other clips stays unscaled rather than dividing by 0.
    const z = (v: number[]): number[] => v.map((x, f) => (x - mu[f]) / (Math.sqrt(sd[f]) || 1));
    const cent = Array.from({ length: k }, () => new Array<number>(d).fill(0));
    const cnt = new Array<number>(k).fill(0);
    for (const j of train) {
      const zj = z(vecs[j]);
      cnt[labels[j]]++;
      for (let f = 0; f < d; f++) cent[labels[j]][f] += zj[f];
    }
    const zi = z(vecs[i]);
    return cent.map((c, g) => zi.reduce((s, x, f) => s + (x - c[f] / cnt[g]) ** 2, 0));
  });
}
