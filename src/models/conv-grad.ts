/**
 * Conv2D gradient for backends without a Conv2DBackpropFilter kernel (wasm).
 *
 * The filter gradient dW[i,j,c,o] = Σ_{n,p,q} x[n, p·s+i−padTop, q·s+j−padLeft, c] · dy[n,p,q,o]
 * is itself a forward convolution: treat input channels as the batch, the
 * batch as channels, and dy as the filter, dilated by the forward stride.
 * That uses only Conv2D/Transpose/Pad/Slice, which every backend has. The
 * input gradient keeps tfjs's Conv2DBackpropInput (present on wasm).
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
        x: () => tf.conv2dTranspose(dy4, filter, x.shape, a.strides, a.pad as 'same' | 'valid' | number, a.dimRoundingMode),
        filter: () =>
          conv2dFilterGradByForwardConv(
            x, dy4, filter.shape as [number, number, number, number], a.strides, a.pad, a.dimRoundingMode,
          ),
      };
    },
  });
  registered = true;
}
