// Training-mode batch norm (optionally followed by a ReLU) as one op with a
// hand-written gradient. tfjs's stock path differentiates mean, variance and
// the normalisation op by op, about 25 dispatches per layer; this op takes 2
// forward and 4 backward dispatches on WebGPU, and the same maths in stock
// ops elsewhere. Semantics are PyTorch's BatchNorm2d in training mode:
// normalise by the biased batch variance over N, H and W.
import * as tf from '@tensorflow/tfjs';
import { hasLabKernels, runLabKernel } from '../kernels/register';

/** PyTorch's BatchNorm2d default, which torchvision's ResNets keep. */
export const BN_EPSILON = 1e-5;

/** Receives each layer's [2, C] batch statistics (mean, biased variance). */
export type StatsSink = (stats: tf.Tensor2D) => void;

function statsComposite(x: tf.Tensor4D): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.stack([mean, variance]) as tf.Tensor2D;
}

function applyComposite(
  x: tf.Tensor4D,
  stats: tf.Tensor2D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  relu: boolean,
  epsilon: number,
): tf.Tensor4D {
  const [mean, variance] = tf.unstack(stats) as [tf.Tensor1D, tf.Tensor1D];
  const y = tf.batchNorm(x, mean, variance, beta, gamma, epsilon);
  return relu ? tf.relu(y) : y;
}

/** Returns [dx, dgamma, dbeta] (see the WGSL BatchNormGradProgram). */
function gradComposite(
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  stats: tf.Tensor2D,
  gamma: tf.Tensor1D,
  y: tf.Tensor4D,
  relu: boolean,
  epsilon: number,
): tf.Tensor[] {
  const [mean, variance] = tf.unstack(stats) as [tf.Tensor1D, tf.Tensor1D];
  const rstd = tf.rsqrt(variance.add(epsilon));
  const xhat = x.sub(mean).mul(rstd);
  const g = relu ? dy.mul(tf.step(y)) : dy;
  const n = x.size / x.shape[3];
  const sumG = g.sum([0, 1, 2]);
  const sumGX = g.mul(xhat).sum([0, 1, 2]);
  const dx = g
    .sub(sumG.div(n))
    .sub(xhat.mul(sumGX.div(n)))
    .mul(gamma.mul(rstd));
  return [dx, sumGX, sumG];
}

function gradLab(
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  stats: tf.Tensor2D,
  gamma: tf.Tensor1D,
  y: tf.Tensor4D,
  relu: boolean,
  epsilon: number,
): tf.Tensor[] {
  const attrs = { relu, epsilon };
  const inputs: tf.NamedTensorMap = { x, dy, stats };
  if (relu) inputs.y = y;
  const sums = runLabKernel('LabBatchNormGradSums', inputs, attrs);
  const gradInputs: tf.NamedTensorMap = { x, dy, stats, gamma, sums };
  if (relu) gradInputs.y = y;
  const dx = runLabKernel('LabBatchNormGrad', gradInputs, attrs);
  const dbeta = runLabKernel('LabPickRow', { pair: sums }, { row: 0 });
  const dgamma = runLabKernel('LabPickRow', { pair: sums }, { row: 1 });
  sums.dispose();
  return [dx, dgamma, dbeta];
}

/**
 * y = relu?((x - mean) / sqrt(var + eps) * gamma + beta) with batch
 * statistics over N, H, W of an NHWC tensor. The statistics go to `sink`
 * (kept outside any tidy; the receiver disposes them). `epsilon` is the
 * layer's own: PyTorch's default for ResNets, 1e-3 for MobileNetV3.
 */
export function batchNormTrain(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  relu: boolean,
  sink: StatsSink,
  epsilon = BN_EPSILON,
): tf.Tensor4D {
  const lab = hasLabKernels();
  const op = tf.customGrad((xIn, gammaIn, betaIn, save) => {
    const xt = xIn as tf.Tensor4D;
    const g = gammaIn as tf.Tensor1D;
    const b = betaIn as tf.Tensor1D;
    const stats = lab
      ? (tf.engine().runKernel('LabBatchStats', { x: xt }, {}) as tf.Tensor2D)
      : statsComposite(xt);
    const y = lab
      ? (tf
          .engine()
          .runKernel(
            'LabBatchNormApply',
            { x: xt, stats, gamma: g, beta: b },
            { relu, epsilon },
          ) as tf.Tensor4D)
      : applyComposite(xt, stats, g, b, relu, epsilon);
    sink(tf.keep(stats.clone()));
    (save as tf.GradSaveFunc)([xt, stats, g, y]);
    return {
      value: y,
      gradFunc: (dy, saved) => {
        const [sx, sstats, sgamma, sy] = saved as [
          tf.Tensor4D,
          tf.Tensor2D,
          tf.Tensor1D,
          tf.Tensor4D,
        ];
        const grad = lab ? gradLab : gradComposite;
        return grad(dy as tf.Tensor4D, sx, sstats, sgamma, sy, relu, epsilon);
      },
    };
  });
  return op(x, gamma, beta) as tf.Tensor4D;
}

/**
 * Folds batch statistics into running averages as PyTorch does:
 * running = (1 - momentum) running + momentum batch, where the variance
 * enters unbiased (times n / (n - 1)). Returns the two new tensors.
 */
export function runningStatsUpdate(
  runningMean: tf.Tensor1D,
  runningVar: tf.Tensor1D,
  stats: tf.Tensor2D,
  momentum: number,
  numPerChannel: number,
): [tf.Tensor1D, tf.Tensor1D] {
  const unbias = numPerChannel / Math.max(1, numPerChannel - 1);
  if (hasLabKernels()) {
    const engine = tf.engine();
    const mean = engine.runKernel(
      'LabRunningUpdate',
      { running: runningMean, stats },
      { row: 0, momentum, scale: 1 },
    ) as tf.Tensor1D;
    const variance = engine.runKernel(
      'LabRunningUpdate',
      { running: runningVar, stats },
      { row: 1, momentum, scale: unbias },
    ) as tf.Tensor1D;
    return [mean, variance];
  }
  return tf.tidy(() => {
    const [mean, variance] = tf.unstack(stats) as [tf.Tensor1D, tf.Tensor1D];
    return [
      runningMean.mul(1 - momentum).add(mean.mul(momentum)),
      runningVar.mul(1 - momentum).add(variance.mul(momentum * unbias)),
    ];
  });
}

/**
 * Batch statistics of a training pass by BN name, for the running update,
 * with the number of values each channel's statistics were taken over.
 */
export type BatchStats = Map<string, { stats: tf.Tensor2D; count: number }>;

/**
 * Folds a training pass's batch statistics into the running averages
 * (`${bn}.running_mean`, `${bn}.running_var` in `buffers`) with the
 * network's BN momentum, and empties `stats`.
 */
export function foldRunningStats(
  buffers: Map<string, tf.Variable>,
  stats: BatchStats,
  momentum: number,
): void {
  for (const [bn, { stats: batch, count }] of stats) {
    const rm = buffers.get(`${bn}.running_mean`)!;
    const rv = buffers.get(`${bn}.running_var`)!;
    const [mean, variance] = runningStatsUpdate(
      rm as tf.Tensor1D,
      rv as tf.Tensor1D,
      batch,
      momentum,
      count,
    );
    rm.assign(mean);
    rv.assign(variance);
    mean.dispose();
    variance.dispose();
    batch.dispose();
  }
  stats.clear();
}
