// Direct convolution kernels for adapters where tfjs's tiled kernels are
// slow: on a software adapter the tiled matmul convolution's workgroup
// barriers and its 32-row tiles (wasted when a feature map has fewer
// positions) cost far more than the arithmetic. These kernels do plain
// loops with flat indexing and no shared memory. NHWC activations, filters
// in tfjs layout [kh, kw, in, out], no dilation.
import { LabProgram } from './program';

/** Output positions one thread sums over in a filter gradient, at most. */
export const FILTER_GRAD_CHUNK = 256;

export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
}

/** Uniform values in the order of CONV_UNIFORMS. */
export function convUniforms(
  g: ConvGeometry,
  numThreads: number,
  rows = g.batch * g.outH * g.outW,
) {
  const ints = [
    numThreads,
    g.inH,
    g.inW,
    g.inC,
    g.outH,
    g.outW,
    g.outC,
    g.kh,
    g.kw,
    g.strideH,
    g.strideW,
    g.padTop,
    g.padLeft,
    rows,
  ];
  return ints.map((v) => ({ type: 'int32', data: [v] }));
}

const CONV_UNIFORMS =
  'numThreads : i32, inH : i32, inW : i32, inC : i32, outH : i32, ' +
  'outW : i32, outC : i32, kh : i32, kw : i32, strideH : i32, ' +
  'strideW : i32, padTop : i32, padLeft : i32, rows : i32,';

abstract class ConvProgram extends LabProgram {
  uniforms = CONV_UNIFORMS;
}

/** One thread per output element: y[n, oy, ox, oc]. */
export class DirectConvProgram extends ConvProgram {
  variableNames = ['x', 'w'];
  shaderKey = 'labDirectConv';

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index >= uniforms.numThreads) { return; }
        let oc = index % uniforms.outC;
        let row = index / uniforms.outC;
        let ox = row % uniforms.outW;
        let oy = (row / uniforms.outW) % uniforms.outH;
        let n = row / (uniforms.outW * uniforms.outH);
        let inC = uniforms.inC;
        let outC = uniforms.outC;
        var acc = 0.0;
        for (var ky = 0; ky < uniforms.kh; ky++) {
          let iy = oy * uniforms.strideH + ky - uniforms.padTop;
          if (iy < 0 || iy >= uniforms.inH) { continue; }
          for (var kx = 0; kx < uniforms.kw; kx++) {
            let ix = ox * uniforms.strideW + kx - uniforms.padLeft;
            if (ix < 0 || ix >= uniforms.inW) { continue; }
            let xBase = ((n * uniforms.inH + iy) * uniforms.inW + ix) * inC;
            var wIndex = ((ky * uniforms.kw + kx) * inC) * outC + oc;
            for (var ic = 0; ic < inC; ic++) {
              acc += x[xBase + ic] * w[wIndex];
              wIndex += outC;
            }
          }
        }
        result[index] = acc;
      }`;
  }
}

/**
 * Filter gradient, first pass: thread (chunk, ky, kx, ic, oc) sums
 * x[n, iy, ix, ic] * dy[n, oy, ox, oc] over the images of one chunk of the
 * batch. Loop bounds are clipped to the valid input window up front, so the
 * inner loop has no bounds checks and no integer division (both slow on
 * software adapters). The output is [numChunks, kh, kw, inC, outC]; a
 * second pass sums the chunks.
 */
export class FilterGradPartialsProgram extends ConvProgram {
  variableNames = ['x', 'dy'];
  shaderKey: string;

  constructor(
    outputShape: number[],
    numThreads: number,
    readonly imagesPerChunk: number,
  ) {
    super(outputShape, numThreads);
    this.shaderKey = `labFilterGradPartials_${imagesPerChunk}`;
  }

  getUserCode(): string {
    return `
      // First output position whose input tap (o * stride + k - pad) is >= 0,
      // and one past the last whose tap is < size.
      fn firstValid(k : i32, pad : i32, stride : i32) -> i32 {
        return max(0, (pad - k + stride - 1) / stride);
      }
      fn endValid(k : i32, pad : i32, stride : i32, size : i32, outSize : i32) -> i32 {
        let last = size - 1 + pad - k;
        if (last < 0) { return 0; }
        return min(outSize, last / stride + 1);
      }

      fn main(index : i32) {
        if (index >= uniforms.numThreads) { return; }
        let outC = uniforms.outC;
        let inC = uniforms.inC;
        let oc = index % outC;
        let ic = (index / outC) % inC;
        let kx = (index / (outC * inC)) % uniforms.kw;
        let ky = (index / (outC * inC * uniforms.kw)) % uniforms.kh;
        let chunk = index / (outC * inC * uniforms.kw * uniforms.kh);
        let nStart = chunk * ${this.imagesPerChunk};
        let nEnd = min(nStart + ${this.imagesPerChunk}, uniforms.rows);
        let sH = uniforms.strideH;
        let sW = uniforms.strideW;
        let oy0 = firstValid(ky, uniforms.padTop, sH);
        let oy1 = endValid(ky, uniforms.padTop, sH, uniforms.inH, uniforms.outH);
        let ox0 = firstValid(kx, uniforms.padLeft, sW);
        let ox1 = endValid(kx, uniforms.padLeft, sW, uniforms.inW, uniforms.outW);
        let xStep = sW * inC;
        var acc = 0.0;
        for (var n = nStart; n < nEnd; n++) {
          for (var oy = oy0; oy < oy1; oy++) {
            let iy = oy * sH + ky - uniforms.padTop;
            let ix0 = ox0 * sW + kx - uniforms.padLeft;
            var xi = ((n * uniforms.inH + iy) * uniforms.inW + ix0) * inC + ic;
            var di = ((n * uniforms.outH + oy) * uniforms.outW + ox0) * outC + oc;
            for (var ox = ox0; ox < ox1; ox++) {
              acc += x[xi] * dy[di];
              xi += xStep;
              di += outC;
            }
          }
        }
        result[index] = acc;
      }`;
  }
}

/** Filter gradient, second pass: sums the [numChunks, ...] partials. */
export class SumChunksProgram extends LabProgram {
  variableNames = ['partials'];
  shaderKey: string;
  uniforms = 'numThreads : i32,';

  constructor(
    outputShape: number[],
    readonly numChunks: number,
    numThreads: number,
  ) {
    super(outputShape, numThreads);
    this.shaderKey = `labSumChunks_${numChunks}`;
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        let size = uniforms.numThreads;
        if (index >= size) { return; }
        var acc = 0.0;
        for (var k = 0; k < ${this.numChunks}; k++) {
          acc += partials[k * size + index];
        }
        result[index] = acc;
      }`;
  }
}
