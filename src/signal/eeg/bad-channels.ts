/**
 * Bad-channel detection on (filtered) EEG. A channel is bad when
 *  - flat: its sd is below `flatUv` µV, or its log-variance is an extreme low
 *    outlier (robust z < −zThreshold);
 *  - noisy: its log-variance is an extreme high outlier (robust z > zThreshold),
 *    or its median correlation with its k nearest good neighbours is an
 *    extreme low outlier (robust z < −zThreshold) or below `minNeighbourCorr`
 *    (a bad contact records something unrelated to the spatially smooth scalp
 *    field its neighbours share). The correlation cut is relative because
 *    good channels' neighbour correlations vary widely with montage density
 *    (0.1–0.6 on the sparse 16-channel synth montage).
 * Log-variance is used because channel variances are roughly log-normal;
 * robust z (median/MAD) keeps the bad channels themselves from masking each other.
 * Each channel's log-variance is the median over short epochs (default 1 s),
 * so transient artefacts that hit good channels (blinks on Fp1/Fp2) do not
 * make them look noisy, while a persistently bad contact stays an outlier.
 */
import { robustZ, median } from './robust.js';
import { nearestNeighbours, type Xyz } from './montage.js';

export interface BadChannelOptions {
  /** Robust-z cut for the log-variance and the neighbour correlation (default 5, as the PREP pipeline's deviation criterion). */
  zThreshold?: number;
  /** Absolute flatness floor, µV sd (default 0.1). */
  flatUv?: number;
  /** Absolute floor of the median correlation with the k nearest neighbours (default 0). */
  minNeighbourCorr?: number;
  /** Neighbours per channel (default 4). */
  neighbours?: number;
  /** Epoch length in samples for the median log-variance (default: whole recording). */
  epochSamples?: number;
}

export interface BadChannelReport {
  /** Indices of bad channels, ascending. */
  bad: number[];
  /** Per channel: 'good', 'flat' or 'noisy'. */
  status: ('good' | 'flat' | 'noisy')[];
  /** Per channel: robust z of the log-variance. */
  zLogVar: Float64Array;
  /** Per channel: median Pearson r with its nearest neighbours (NaN for flat channels). */
  neighbourCorr: Float64Array;
  /** Per channel: sd in the data's units. */
  sd: Float64Array;
}

function corr(a: Float32Array, b: Float32Array): number {
  const n = a.length;
  let ma = 0,
    mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0,
    saa = 0,
    sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] - ma,
      y = b[i] - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

/**
 * Detect flat and noisy channels in `data` (one array per channel, µV,
 * preferably band-passed so drift does not dominate the variance), with
 * electrode positions `pos` for the neighbour test. Returns the report.
 */
export function detectBadChannels(data: Float32Array[], pos: Xyz[], opts: BadChannelOptions = {}): BadChannelReport {
  const z = opts.zThreshold ?? 5;
  const flatUv = opts.flatUv ?? 0.1;
  const minCorr = opts.minNeighbourCorr ?? 0;
  const k = Math.min(opts.neighbours ?? 4, data.length - 1);
  const nc = data.length;
  const sd = new Float64Array(nc);
  data.forEach((x, c) => {
    let m = 0;
    for (const v of x) m += v;
    m /= x.length;
    let s = 0;
    for (const v of x) s += (v - m) ** 2;
    sd[c] = Math.sqrt(s / Math.max(1, x.length - 1));
  });
  // Median over epochs of the log-variance; the floor keeps a dead channel (sd 0) finite and very negative.
  const n = data[0]?.length ?? 0;
  const ep = Math.max(2, Math.min(n, opts.epochSamples ?? n));
  const logVar = Float64Array.from(data, (x) => {
    const lv: number[] = [];
    for (let a = 0; a + ep <= n; a += ep) {
      let m = 0;
      for (let i = a; i < a + ep; i++) m += x[i];
      m /= ep;
      let v = 0;
      for (let i = a; i < a + ep; i++) v += (x[i] - m) ** 2;
      lv.push(Math.log(Math.max(v / (ep - 1), 1e-12)));
    }
    return median(lv);
  });
  const zLogVar = robustZ(logVar);
  const status: ('good' | 'flat' | 'noisy')[] = [];
  for (let c = 0; c < nc; c++) status.push(sd[c] < flatUv || zLogVar[c] < -z ? 'flat' : zLogVar[c] > z ? 'noisy' : 'good');
  // Neighbour correlation, skipping neighbours already flagged by the variance test (a noisy
  // neighbour would drag a good channel's correlation down).
  const nb = nearestNeighbours(pos, Math.min(nc - 1, k + 4));
  const neighbourCorr = new Float64Array(nc).fill(NaN);
  for (let c = 0; c < nc; c++) {
    if (status[c] === 'flat') continue;
    const rs = nb[c]
      .filter((j) => status[j] === 'good')
      .slice(0, k)
      .map((j) => corr(data[c], data[j]));
    neighbourCorr[c] = median(rs.filter((r) => Number.isFinite(r)));
  }
  const live = [...neighbourCorr.keys()].filter((c) => Number.isFinite(neighbourCorr[c]));
  const zCorr = robustZ(live.map((c) => neighbourCorr[c]));
  live.forEach((c, i) => {
    if (status[c] === 'good' && (neighbourCorr[c] < minCorr || zCorr[i] < -z)) status[c] = 'noisy';
  });
  const bad = status.map((s, c) => (s === 'good' ? -1 : c)).filter((c) => c >= 0);
  return { bad, status, zLogVar, neighbourCorr, sd };
}
