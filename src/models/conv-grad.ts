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

function pair(v: number | [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}

/**
 * Gradient of conv2d (NHWC, dilation 1) with respect to its filter, computed
 * by forward convolutions only. Returns a tensor of `filterShape`
 * [kh, kw, inChannels, outChannels].
 */
export function conv2dFilterGradByForwardConv(
  x: Tensor4D,
  dy: Tensor4D,
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: Pad,
  dimRoundingMode?: Rounding,
): Tensor4D {
  return tf.tidy(() => {
    const [sh, sw] = pair(strides);
    const [kh, kw] = filterShape;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape, filterShape, [sh, sw], [1, 1], pad, dimRoundingMode, false, 'channelsLast',
    );
    const [, H, W] = x.shape;
    const [, Ho, Wo] = dy.shape;
    const needH = (Ho - 1) * sh + kh;
    const needW = (Wo - 1) * sw + kw;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
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
 * The filter rotated 180° spatially with in/out channels swapped:
 * [kh, kw, ci, co] → [kh, kw, co, ci]. The spatial flip is a product with an
 * anti-identity matrix (exact: one 1 per row), since wasm's Reverse kernel is
 * ~5× slower than its matMul for this.
 */
function flipFilterSwapChannels(filter: Tensor4D): Tensor4D {
  const [kh, kw, ci, co] = filter.shape;
  const kk = kh * kw;
  let f: Tensor4D = filter;
  if (kk > 1) {
    const anti = new Float32Array(kk * kk);
    for (let i = 0; i < kk; i++) anti[i * kk + (kk - 1 - i)] = 1;
    f = tf.reshape(tf.matMul(tf.tensor2d(anti, [kk, kk]), tf.reshape(filter, [kk, ci * co])), [kh, kw, ci, co]);
  }
  return tf.transpose(f, [0, 1, 3, 2]);
}

/**
 * Gradient of conv2d (NHWC, dilation 1) with respect to its input, computed
 * as a forward convolution: dy is upsampled by zero insertion (stride s),
 * padded, and correlated with the spatially flipped filter whose in/out
 * channels are swapped. wasm's own Conv2DBackpropInput is a plain loop that
 * made it ~2/3 of BAN training time; this runs through XNNPACK instead.
 * Returns a tensor of `xShape`.
 */
export function conv2dInputGradByForwardConv(
  dy: Tensor4D,
  filter: Tensor4D,
  xShape: [number, number, number, number],
  strides: number | [number, number],
  pad: Pad,
  dimRoundingMode?: Rounding,
): Tensor4D {
  return tf.tidy(() => {
    const [sh, sw] = pair(strides);
    const [kh, kw] = filter.shape;
    const info = tf.backend_util.computeConv2DInfo(
      xShape, filter.shape, [sh, sw], [1, 1], pad, dimRoundingMode, false, 'channelsLast',
    );
    const [N, H, W] = xShape;
    const [, Ho, Wo, Co] = dy.shape;
    let u: Tensor4D = dy;
    if (sh > 1) {
      const z = tf.zeros([N, Ho, sh - 1, Wo, Co]);
      u = tf.reshape(tf.concat([tf.expandDims(u, 2), z], 2), [N, Ho * sh, Wo, Co]);
      u = tf.slice(u, [0, 0, 0, 0], [-1, (Ho - 1) * sh + 1, -1, -1]);
    }
    if (sw > 1) {
      const Hu = u.shape[1];
      const z = tf.zeros([N, Hu, Wo, sw - 1, Co]);
      u = tf.reshape(tf.concat([tf.expandDims(u, 3), z], 3), [N, Hu, Wo * sw, Co]);
      u = tf.slice(u, [0, 0, 0, 0], [-1, -1, (Wo - 1) * sw + 1, -1]);
    }
    const top = kh - 1 - info.padInfo.top;
    const left = kw - 1 - info.padInfo.left;
    const bottom = H - ((Ho - 1) * sh + 1) + info.padInfo.top;
    const right = W - ((Wo - 1) * sw + 1) + info.padInfo.left;
    // 'valid' strides can leave trailing input rows unseen (their gradient is
    // zero); a negative pad means the upsampled map is already long enough.
    u = tf.pad(u, [[0, 0], [top, Math.max(0, bottom)], [left, Math.max(0, right)], [0, 0]]);
    u = tf.slice(u, [0, 0, 0, 0], [-1, H + kh - 1, W + kw - 1, -1]);
    return tf.conv2d(u, flipFilterSwapChannels(filter), 1, 'valid');
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
      const a = attrs as unknown as {
        strides: number | [number, number];
        pad: Pad;
        dataFormat: 'NHWC' | 'NCHW';
        dilations: number | [number, number];
        dimRoundingMode?: Rounding;
      };
      const [dh, dw] = pair(a.dilations ?? 1);
      if (a.dataFormat === 'NCHW' || dh !== 1 || dw !== 1) {
        throw new Error('conv2d gradient on this backend supports NHWC with dilation 1 only');
      }
      const dy4 = dy as Tensor4D;
      return {
        x: () => conv2dInputGradByForwardConv(dy4, filter, x.shape, a.strides, a.pad, a.dimRoundingMode),
        filter: () =>
          conv2dFilterGradByForwardConv(
            x, dy4, filter.shape as [number, number, number, number], a.strides, a.pad, a.dimRoundingMode,
          ),
      };
    },
  });
  registered = true;
}
