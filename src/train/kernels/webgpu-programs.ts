// WGSL programs of the lab's own kernels, run through the tfjs WebGPU
// backend's program runner. Each replaces a chain of stock ops by one or two
// dispatches with flat indexing: on software adapters every dispatch and
// every index decomposition costs, and on any GPU fewer passes over the
// activations is less memory traffic.
//
// Layout: activations are NHWC, viewed as [rows, channels] with
// rows = N * H * W. Reductions over rows run in two passes (chunk partial
// sums, then a sum over chunks) so no workgroup barrier is needed and even a
// layer with few channels keeps many threads busy.
import { LabProgram } from './program';

/** Rows summed by one thread in the first reduction pass. */
export const CHUNK_ROWS = 64;

const FLAT_UNIFORMS =
  'numThreads : i32, rows : i32, channels : i32, param : f32,';

abstract class FlatProgram extends LabProgram {
  uniforms = FLAT_UNIFORMS;
}

/**
 * Partial sums per chunk of rows: out[chunk, 0, c] = sum of a(r, c) and
 * out[chunk, 1, c] = sum of b(r, c) over the chunk's rows. `mode` picks what
 * is summed: batch statistics (x, x^2) or the batch-norm gradient terms
 * (g, g * xhat) where g is dy, masked by y > 0 when a ReLU followed.
 */
export class RowPartialsProgram extends FlatProgram {
  variableNames: string[];
  shaderKey: string;

  constructor(
    readonly mode: 'stats' | 'grad' | 'grad-relu',
    numChunks: number,
    channels: number,
  ) {
    super([numChunks, 2, channels], numChunks * channels);
    this.variableNames =
      mode === 'stats'
        ? ['x']
        : mode === 'grad'
          ? ['x', 'dy', 'stats']
          : ['x', 'dy', 'stats', 'y'];
    this.shaderKey = `labRowPartials_${mode}`;
  }

  getUserCode(): string {
    const grad = this.mode !== 'stats';
    const g =
      this.mode === 'grad-relu' ? 'select(0.0, dy[i], y[i] > 0.0)' : 'dy[i]';
    return `
      fn main(index : i32) {
        if (index >= uniforms.numThreads) { return; }
        let C = uniforms.channels;
        let c = index % C;
        let chunk = index / C;
        let start = chunk * ${CHUNK_ROWS};
        let end = min(start + ${CHUNK_ROWS}, uniforms.rows);
        ${
          grad
            ? `let mean = stats[c];
        let rstd = inverseSqrt(stats[C + c] + uniforms.param);`
            : ''
        }
        var a = 0.0;
        var b = 0.0;
        for (var r = start; r < end; r++) {
          let i = r * C + c;
          ${
            grad
              ? `let gv = ${g};
          a += gv;
          b += gv * (x[i] - mean) * rstd;`
              : `let v = x[i];
          a += v;
          b += v * v;`
          }
        }
        result[(chunk * 2) * C + c] = a;
        result[(chunk * 2 + 1) * C + c] = b;
      }`;
  }
}

/**
 * Sums the chunk partials: out[k, c] = sum over chunks of in[chunk, k, c].
 * For 'stats' the sums become mean and biased variance (divided by rows).
 */
export class ChunkSumProgram extends FlatProgram {
  variableNames = ['partials'];
  shaderKey: string;

  constructor(
    readonly mode: 'stats' | 'sum',
    readonly numChunks: number,
    channels: number,
  ) {
    super([2, channels], 2 * channels);
    this.shaderKey = `labChunkSum_${mode}_${numChunks}`;
  }

  getUserCode(): string {
    const finish =
      this.mode === 'stats'
        ? `let n = f32(uniforms.rows);
        let mean = s0 / n;
        result[c] = mean;
        result[C + c] = max(s1 / n - mean * mean, 0.0);`
        : `result[c] = s0;
        result[C + c] = s1;`;
    return `
      fn main(index : i32) {
        if (index >= uniforms.numThreads) { return; }
        let C = uniforms.channels;
        if (index >= C) { return; }
        let c = index;
        var s0 = 0.0;
        var s1 = 0.0;
        for (var k = 0; k < ${this.numChunks}; k++) {
          s0 += partials[(k * 2) * C + c];
          s1 += partials[(k * 2 + 1) * C + c];
        }
        ${finish}
      }`;
  }
}

/** y = (x - mean) * rstd * gamma + beta, with an optional ReLU. */
export class BatchNormApplyProgram extends FlatProgram {
  variableNames = ['x', 'stats', 'gamma', 'beta'];
  shaderKey: string;

  constructor(
    readonly relu: boolean,
    shape: number[],
    size: number,
  ) {
    super(shape, size);
    this.shaderKey = `labBatchNormApply_${relu}`;
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index >= uniforms.numThreads) { return; }
        let C = uniforms.channels;
        let c = index % C;
        let rstd = inverseSqrt(stats[C + c] + uniforms.param);
        let v = (x[index] - stats[c]) * rstd * gamma[c] + beta[c];
        result[index] = ${this.relu ? 'max(v, 0.0)' : 'v'};
      }`;
  }
}

/**
 * The input gradient of training-mode batch norm (with the ReLU mask when a
 * ReLU followed): dx = gamma * rstd * (g - mean(g) - xhat * mean(g * xhat)),
 * with the two means over rows taken from `sums` = [sum g, sum g * xhat].
 */
export class BatchNormGradProgram extends FlatProgram {
  variableNames: string[];
  shaderKey: string;

  constructor(
    readonly relu: boolean,
    shape: number[],
    size: number,
  ) {
    super(shape, size);
    this.variableNames = relu
      ? ['x', 'dy', 'stats', 'gamma', 'sums', 'y']
      : ['x', 'dy', 'stats', 'gamma', 'sums'];
    this.shaderKey = `labBatchNormGrad_${relu}`;
  }

  getUserCode(): string {
    const g = this.relu
      ? 'select(0.0, dy[index], y[index] > 0.0)'
      : 'dy[index]';
    return `
      fn main(index : i32) {
        if (index >= uniforms.numThreads) { return; }
        let C = uniforms.channels;
        let c = index % C;
        let n = f32(uniforms.rows);
        let rstd = inverseSqrt(stats[C + c] + uniforms.param);
        let xhat = (x[index] - stats[c]) * rstd;
        let g = ${g};
        result[index] =
            gamma[c] * rstd * (g - sums[c] / n - xhat * sums[C + c] / n);
      }`;
  }
}

/** out = in[row, :] of a [2, C] tensor (row given as the uniform param). */
export class PickRowProgram extends FlatProgram {
  variableNames = ['pair'];
  shaderKey = 'labPickRow';

  constructor(channels: number) {
    super([channels], channels);
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index >= uniforms.numThreads) { return; }
        result[index] = pair[i32(uniforms.param) * uniforms.channels + index];
      }`;
  }
}

/**
 * Running statistics of batch norm, as PyTorch keeps them:
 * out = (1 - momentum) * running + momentum * scale * stats[row, :].
 * `row` 0 is the mean; row 1 the variance, with `scale` = n / (n - 1).
 */
export class RunningUpdateProgram extends FlatProgram {
  variableNames = ['running', 'stats'];
  shaderKey: string;
  override uniforms =
    'numThreads : i32, rows : i32, channels : i32, momentum : f32, scale : f32,';

  constructor(
    readonly row: 0 | 1,
    channels: number,
  ) {
    super([channels], channels);
    this.shaderKey = `labRunningUpdate_${row}`;
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index >= uniforms.numThreads) { return; }
        let s = stats[${this.row} * uniforms.channels + index];
        result[index] = (1.0 - uniforms.momentum) * running[index] +
            uniforms.momentum * uniforms.scale * s;
      }`;
  }
}
