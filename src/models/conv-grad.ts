/**
 * Conv2D gradient for backends without a Conv2DBackpropFilter kernel (wasm).
 *
 * The filter gradient dW[i,j,c,o] = Σ_{n,p,q} x[n, p·s+i−padTop, q·s+j−padLeft, c] · dy[n,p,q,o]
 * is itself a forward convolution: treat input channels as the batch, the
 * batch as channels, and dy as the filter, dilated by the forward stride.
 * That uses only Conv2D/Transpose/Pad/Slice, which every backend has. The
 * input gradient is likewise a forward convolution (see below), because
 * wasm's Conv2DBackpropInput, though present, is far slower than XNNPACK's conv.
 */
import * as tf from '@tensorflow/tfjs';

type Tensor4D = tf.Tensor4D;
type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

/** The forward convolution's stride, padding and output rounding, as tfjs's Conv2D attributes spell them. */
export interface ConvStrideAndPad {
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: Rounding;
}

function pair(v: number | [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}

/** Stride per axis and the zero rows/columns the forward pass puts before the input (NHWC, dilation 1). */
function forwardGeometry(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  conv: ConvStrideAndPad,
): { sh: number; sw: number; top: number; left: number } {
  const [sh, sw] = pair(conv.strides);
  const { padInfo } = tf.backend_util.computeConv2DInfo(xShape, filterShape, [sh, sw], [1, 1], conv.pad, conv.dimRoundingMode, false, 'channelsLast');
  return { sh, sw, top: padInfo.top, left: padInfo.left };
}

/**
 * Gradient of conv2d (NHWC, dilation 1) with respect to its filter, computed
 * by forward convolutions only. Returns a tensor of `filterShape`
 * [kh, kw, inChannels, outChannels].
 */
export function conv2dFilterGradByForwardConv(x: Tensor4D, dy: Tensor4D, filterShape: [number, number, number, number], conv: ConvStrideAndPad): Tensor4D {
  return tf.tidy(() => {
    const { sh, sw, top, left } = forwardGeometry(x.shape, filterShape, conv);
    const [kh, kw] = filterShape;
    const [, H, W] = x.shape;
    const [, Ho, Wo] = dy.shape;
    const needH = (Ho - 1) * sh + kh;
    const needW = (Wo - 1) * sw + kw;
    // Rows/cols of x touched by the forward pass, starting at −pad; padding
    // beyond the input is zeros, and 'valid' strides may leave a tail unused.
    const padded = tf.pad(x, [
      [0, 0],
      [top, Math.max(0, needH - top - H)],
      [left, Math.max(0, needW - left - W)],
      [0, 0],
    ]);
    const used = tf.slice(padded, [0, 0, 0, 0], [-1, needH, needW, -1]);
    const xT = tf.transpose(used, [3, 1, 2, 0]) as Tensor4D; // [Cin, needH, needW, N]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]) as Tensor4D; // [Ho, Wo, N, Cout]
    const out = tf.conv2d(xT, dyT, 1, 'valid', 'NHWC', [sh, sw]); // [Cin, kh, kw, Cout]
    return tf.transpose(out, [1, 2, 0, 3]) as Tensor4D;
  });
}

/**
 * Sub-filter of taps (ch + sh·m, cw + sw·n), rotated 180° spatially, with
 * in/out channels swapped: [kh, kw, ci, co] → [th, tw, co, ci]. Tap selection
 * and rotation are one product with a 0/1 matrix (exact: one 1 per row),
 * since wasm's Reverse and StridedSlice kernels are many times slower than
 * its matMul here.
 */
function flippedSubFilter(filter: Tensor4D, ch: number, cw: number, sh: number, sw: number): Tensor4D {
  const [kh, kw, ci, co] = filter.shape;
  const th = Math.ceil((kh - ch) / sh);
  const tw = Math.ceil((kw - cw) / sw);
  let f: Tensor4D = filter;
  if (kh * kw > 1) {
    const sel = new Float32Array(th * tw * kh * kw);
    for (let u = 0; u < th; u++) {
      for (let v = 0; v < tw; v++) {
        const src = (ch + (th - 1 - u) * sh) * kw + (cw + (tw - 1 - v) * sw);
        sel[(u * tw + v) * kh * kw + src] = 1;
      }
    }
    f = tf.reshape(tf.matMul(tf.tensor2d(sel, [th * tw, kh * kw]), tf.reshape(filter, [kh * kw, ci * co])), [th, tw, ci, co]);
  }
  return tf.transpose(f, [0, 1, 3, 2]);
}

/** Rows [start, start+len) of axis `axis` (1 or 2) of t, zero outside its range. */
function window1(t: Tensor4D, axis: 1 | 2, start: number, len: number): Tensor4D {
  const n = t.shape[axis];
  const before = Math.max(0, -start);
  const after = Math.max(0, start + len - n);
  let u = t;
  if (before || after) {
    const pads: [number, number][] = [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ];
    pads[axis] = [before, after];
    u = tf.pad(u, pads);
  }
  const begin = [0, 0, 0, 0];
  begin[axis] = start + before;
  const size = [-1, -1, -1, -1];
  size[axis] = len;
  return tf.slice(u, begin, size);
}

/**
 * Gradient of conv2d (NHWC, dilation 1) with respect to its input, computed
 * by forward convolutions. Output rows y = y0 + s·a of one phase y0 only
 * receive filter taps i ≡ y0 + pad (mod s), so each of the s_h·s_w phases is
 * a stride-1 correlation of dy with that phase's sub-filter (rotated 180°,
 * in/out channels swapped); the phases are then interleaved. This does the
 * work of zero-insertion upsampling without multiplying by the zeros. wasm's
 * own Conv2DBackpropInput is a plain loop that made it ~2/3 of BAN training
 * time; this runs through XNNPACK instead. Returns a tensor of `xShape`.
 */
export function conv2dInputGradByForwardConv(dy: Tensor4D, filter: Tensor4D, xShape: [number, number, number, number], conv: ConvStrideAndPad): Tensor4D {
  return tf.tidy(() => {
    const { sh, sw, top: pt, left: pl } = forwardGeometry(xShape, filter.shape, conv);
    const [kh, kw, ci] = filter.shape;
    const [N, H, W] = xShape;
    const Ha = Math.ceil(H / sh);
    const Wa = Math.ceil(W / sw);
    const rows: Tensor4D[] = [];
    for (let y0 = 0; y0 < sh; y0++) {
      const ch = (y0 + pt) % sh;
      const th = Math.ceil((kh - ch) / sh);
      const cols: Tensor4D[] = [];
      for (let x0 = 0; x0 < sw; x0++) {
        const cw = (x0 + pl) % sw;
        const tw = Math.ceil((kw - cw) / sw);
        if (th <= 0 || tw <= 0) {
          cols.push(tf.zeros([N, Ha, Wa, ci]));
          continue;
        }
        const offH = (y0 + pt - ch) / sh;
        const offW = (x0 + pl - cw) / sw;
        let win = window1(dy, 1, offH - (th - 1), Ha + th - 1);
        win = window1(win, 2, offW - (tw - 1), Wa + tw - 1);
        cols.push(tf.conv2d(win, flippedSubFilter(filter, ch, cw, sh, sw), 1, 'valid'));
      }
      // Interleave column phases: [N, Ha, Wa, sw, C] → [N, Ha, Wa·sw, C].
      rows.push(sw === 1 ? cols[0] : tf.reshape(tf.stack(cols, 3), [N, Ha, Wa * sw, ci]));
    }
    const full: Tensor4D = sh === 1 ? rows[0] : tf.reshape(tf.stack(rows, 2), [N, Ha * sh, Wa * sw, ci]);
    return Ha * sh === H && Wa * sw === W ? full : (tf.slice(full, [0, 0, 0, 0], [-1, H, W, -1]) as Tensor4D);
  });
}

let registered = false;

/**
 * Replace the Conv2D gradient by one that keeps tfjs's own gradient where the
 * backend has Conv2DBackpropFilter and uses the forward-conv formula where it
 * does not. Idempotent.
 */
export function registerWasmConvGradient(): void {
  if (registered) return;
  const original = tf.getGradient('Conv2D');
  if (!original) throw new Error('tfjs has no Conv2D gradient to extend');
  tf.registerGradient({
    kernelName: 'Conv2D',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      if (tf.getKernel('Conv2DBackpropFilter', tf.getBackend())) {
        return original.gradFunc(dy, saved, attrs);
      }
      const [x, filter] = saved as [Tensor4D, Tensor4D];
      const a = attrs as unknown as ConvStrideAndPad & {
        dataFormat: 'NHWC' | 'NCHW';
        dilations: number | [number, number];
      };
      const [dh, dw] = pair(a.dilations ?? 1);
      if (a.dataFormat === 'NCHW' || dh !== 1 || dw !== 1) {
        throw new Error('conv2d gradient on this backend supports NHWC with dilation 1 only');
      }
      const dy4 = dy as Tensor4D;
      return {
        x: () => conv2dInputGradByForwardConv(dy4, filter, x.shape, a),
        filter: () => conv2dFilterGradByForwardConv(x, dy4, filter.shape as [number, number, number, number], a),
      };
    },
  });
  registered = true;
}
