// Replaces tfjs's WebGPU Conv2D and Conv2DBackpropFilter kernels with the
// direct kernels of conv-programs.ts, where they are faster: on software
// adapters. Shapes the direct kernels do not cover (dilation, NCHW) still
// go to the stock kernels, which are kept and called through.
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import {
  convUniforms,
  DirectConvProgram,
  FILTER_GRAD_CHUNK,
  FilterGradPartialsProgram,
  SumChunksProgram,
  type ConvGeometry,
} from './conv-programs';

type KernelArgs = Parameters<tf.KernelFunc>[0];
type Shape4 = [number, number, number, number];

function geometry(info: tf.backend_util.Conv2DInfo): ConvGeometry {
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    kh: info.filterHeight,
    kw: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

function isDirectCase(info: tf.backend_util.Conv2DInfo): boolean {
  return (
    info.dataFormat === 'channelsLast' &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1
  );
}

function convInfo(
  xShape: number[],
  filterShape: Shape4,
  a: Pick<tf.Conv2DAttrs, 'strides' | 'pad' | 'dimRoundingMode' | 'dataFormat'>,
  dilations: tf.Conv2DAttrs['dilations'],
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape,
    a.strides,
    dilations,
    a.pad,
    a.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(a.dataFormat),
  );
}

function directConv(args: KernelArgs, stock: tf.KernelFunc) {
  const { inputs, attrs } = args;
  const backend = args.backend as WebGPUBackend;
  const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as tf.Conv2DAttrs;
  const info = convInfo(x.shape, filter.shape as Shape4, a, a.dilations);
  if (!isDirectCase(info)) return stock(args);
  const g = geometry(info);
  const size = tf.util.sizeFromShape(info.outShape);
  return backend.runWebGPUProgram(
    new DirectConvProgram(info.outShape, size),
    [x, filter],
    'float32',
    convUniforms(g, size),
  );
}

function directFilterGrad(args: KernelArgs, stock: tf.KernelFunc) {
  const { inputs, attrs } = args;
  const backend = args.backend as WebGPUBackend;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = convInfo(x.shape, a.filterShape, a, 1);
  if (!isDirectCase(info)) return stock(args);
  const g = geometry(info);
  const imagesPerChunk = Math.max(
    1,
    Math.floor(FILTER_GRAD_CHUNK / (g.outH * g.outW)),
  );
  const numChunks = Math.ceil(g.batch / imagesPerChunk);
  const filterSize = tf.util.sizeFromShape(a.filterShape);
  const partials = backend.runWebGPUProgram(
    new FilterGradPartialsProgram(
      numChunks === 1 ? a.filterShape : [numChunks, ...a.filterShape],
      numChunks * filterSize,
      imagesPerChunk,
    ),
    [x, dy],
    'float32',
    // The `rows` uniform carries the batch size for this program.
    convUniforms(g, numChunks * filterSize, g.batch),
  );
  if (numChunks === 1) return partials;
  const out = backend.runWebGPUProgram(
    new SumChunksProgram(a.filterShape, numChunks, filterSize),
    [partials],
    'float32',
    [{ type: 'int32', data: [filterSize] }],
  );
  backend.disposeData(partials.dataId);
  return out;
}

let installed = false;

/**
 * Routes WebGPU Conv2D and its filter gradient through the direct kernels.
 * Call before the first convolution runs; calling again does nothing.
 */
export function installDirectConvKernels(): void {
  if (installed) return;
  installed = true;
  const overrides: [string, typeof directConv][] = [
    ['Conv2D', directConv],
    ['Conv2DBackpropFilter', directFilterGrad],
  ];
  for (const [kernelName, direct] of overrides) {
    const stock = tf.getKernel(kernelName, 'webgpu');
    if (!stock) throw new Error(`tfjs has no WebGPU kernel ${kernelName}`);
    tf.unregisterKernel(kernelName, 'webgpu');
    tf.registerKernel({
      kernelName,
      backendName: 'webgpu',
      kernelFunc: (args) => direct(args, stock.kernelFunc),
    });
  }
}
