/**
 * Conv2D, Conv2DBackpropFilter and Conv2DBackpropInput for the wasm backend,
 * computed by the native addon (im2col + OpenBLAS sgemm, native/linalg/nn.c)
 * directly on the wasm heap. NHWC only; NCHW calls go to the wasm kernel
 * they replace (or throw where wasm has none, as before).
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeTrainingKernels } from '../../linalg/index.js';
import { f32Input, f32Output, wasmBackend } from './wasm-heap.js';

type Conv2DInfo = tf.backend_util.Conv2DInfo;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;
type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: Rounding;
}

/** Geometry in the order nn.c reads it. */
export function convGeometry(c: Conv2DInfo): Int32Array {
  return Int32Array.of(
    c.batchSize,
    c.inHeight,
    c.inWidth,
    c.inChannels,
    c.filterHeight,
    c.filterWidth,
    c.outChannels,
    c.strideHeight,
    c.strideWidth,
    c.dilationHeight,
    c.dilationWidth,
    c.padInfo.top,
    c.padInfo.left,
    c.outHeight,
    c.outWidth,
  );
}

function convInfo(xShape: number[], filterShape: number[], a: ConvAttrs): Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    false,
    'channelsLast',
  );
}

function unsupported(name: string): never {
  throw new Error(`${name}: the native kernel handles float32 NHWC only and wasm has no fallback`);
}

/** Kernel configs for the three convolution kernels; `fallback` holds the wasm kernels they replace. */
export function convKernels(nn: NativeTrainingKernels, threads: number, fallback: Map<string, tf.KernelConfig>): tf.KernelConfig[] {
  const conv2d: tf.KernelFunc = (args) => {
    const backend = wasmBackend(args.backend);
    const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const a = args.attrs as unknown as ConvAttrs;
    if (a.dataFormat === 'NCHW' || x.dtype !== 'float32' || filter.dtype !== 'float32') {
      return fallback.get('Conv2D')?.kernelFunc(args) ?? unsupported('Conv2D');
    }
    const info = convInfo(x.shape, filter.shape, a);
    const out = f32Output(backend, [info.batchSize, info.outHeight, info.outWidth, info.outChannels]);
    nn.conv2d(f32Input(backend, x, 'Conv2D', 'x'), f32Input(backend, filter, 'Conv2D', 'filter'), out.view(), convGeometry(info), threads);
    return out.info;
  };
  const filterGrad: tf.KernelFunc = (args) => {
    const backend = wasmBackend(args.backend);
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const a = args.attrs as unknown as ConvAttrs & { filterShape: [number, number, number, number] };
    if (a.dataFormat === 'NCHW' || x.dtype !== 'float32' || dy.dtype !== 'float32') {
      return fallback.get('Conv2DBackpropFilter')?.kernelFunc(args) ?? unsupported('Conv2DBackpropFilter');
    }
    const info = convInfo(x.shape, a.filterShape, a);
    const out = f32Output(backend, [...a.filterShape]);
    nn.conv2dFilterGrad(
      f32Input(backend, x, 'Conv2DBackpropFilter', 'x'),
      f32Input(backend, dy, 'Conv2DBackpropFilter', 'dy'),
      out.view(),
      convGeometry(info),
      threads,
    );
    return out.info;
  };
  const inputGrad: tf.KernelFunc = (args) => {
    const backend = wasmBackend(args.backend);
    const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const a = args.attrs as unknown as ConvAttrs & { inputShape: [number, number, number, number] };
    if (a.dataFormat === 'NCHW' || dy.dtype !== 'float32' || filter.dtype !== 'float32') {
      return fallback.get('Conv2DBackpropInput')?.kernelFunc(args) ?? unsupported('Conv2DBackpropInput');
    }
    const info = convInfo(a.inputShape, filter.shape, a);
    const out = f32Output(backend, [...a.inputShape]);
    nn.conv2dInputGrad(
      f32Input(backend, dy, 'Conv2DBackpropInput', 'dy'),
      f32Input(backend, filter, 'Conv2DBackpropInput', 'filter'),
      out.view(),
      convGeometry(info),
      threads,
    );
    return out.info;
  };
  return [
    { kernelName: 'Conv2D', backendName: 'wasm', kernelFunc: conv2d },
    { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: filterGrad },
    { kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: inputGrad },
  ];
}
