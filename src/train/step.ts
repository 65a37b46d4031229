// One training step and one evaluation batch, as pure tfjs: no Worker, no
// storage, no DOM, so Node tests run them on the CPU backend. Nothing here
// reads from the GPU; the loop decides when to read.
import * as tf from '@tensorflow/tfjs';
import type { HostBatch } from '../data/schema';
import type { Optimizer } from './optim/optimizer';
import { forwardModel, updateModelRunningStats, type LabModel } from './model';
import type { BatchStats } from './ops/batch-norm';

/** What the input normalisation is chosen from. */
export interface StoredImages {
  height: number;
  width: number;
  channels: number;
  /** The training split's own statistics, once measured. */
  pixelStats?: { mean: number[]; std: number[] };
}

/**
 * Per-channel input normalisation: the dataset's own statistics where they
 * were measured (a network trained from scratch learns fastest on centred
 * inputs); otherwise the ImageNet statistics of torchvision's weights for
 * RGB, and [0, 1] to [-1, 1] for grayscale.
 */
export function normalization(stored: StoredImages): {
  mean: number[];
  std: number[];
} {
  const stats = stored.pixelStats;
  if (stats && stats.mean.length === stored.channels) {
    return { mean: stats.mean.slice(), std: stats.std.slice() };
  }
  return stored.channels === 3
    ? { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }
    : { mean: [0.5], std: [0.5] };
}

/**
 * Uploads a host batch: uint8 HWC pixels become a normalised float NHWC
 * tensor at the model's input size (bilinear resize when the stored size
 * differs), labels an int32 vector. Normalisation happens on the CPU while
 * converting to float, which costs nothing extra there and saves two
 * dispatches per step.
 */
export function uploadBatch(
  batch: HostBatch,
  stored: StoredImages,
  imageSize: number,
): { x: tf.Tensor4D; labels: tf.Tensor1D } {
  const { height, width, channels } = stored;
  const { mean, std } = normalization(stored);
  const scale = std.map((s) => 1 / (255 * s));
  const shift = mean.map((m, i) => -m / std[i]!);
  const pixels = new Float32Array(batch.pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    const c = i % channels;
    pixels[i] = batch.pixels[i]! * scale[c]! + shift[c]!;
  }
  const shape: [number, number, number, number] = [
    batch.size,
    height,
    width,
    channels,
  ];
  const labels = tf.tensor1d(batch.labels, 'int32');
  if (height === imageSize && width === imageSize) {
    return { x: tf.tensor4d(pixels, shape), labels };
  }
  const x = tf.tidy(() =>
    tf.image.resizeBilinear(
      tf.tensor4d(pixels, shape),
      [imageSize, imageSize],
      false,
      true,
    ),
  );
  return { x, labels };
}

export interface Trainee {
  model: LabModel;
  /** Trainable variables in a fixed order. */
  params: tf.Variable[];
  optimizer: Optimizer;
  numClasses: number;
  /** `--label-smoothing`: eps spread over all classes; 0 when absent. */
  labelSmoothing?: number;
  /** Images per forward and backward pass; the whole batch when absent. */
  microBatchSize?: number | null;
}

/** The batch's mean cross-entropy in training mode; BN stats to `stats`. */
function batchLoss(
  trainee: Trainee,
  x: tf.Tensor4D,
  targets: tf.Tensor1D | tf.Tensor2D,
  stats: BatchStats,
): tf.Scalar {
  const logits = forwardModel(trainee.model, x, stats);
  const onehot =
    targets.rank === 1 ? tf.oneHot(targets, trainee.numClasses) : targets;
  // tfjs smooths as torch's CrossEntropyLoss(label_smoothing) does,
  // (1 - eps) * target + eps / K (losses.ts has the same formula and its
  // test against torch); MixUp's targets are smoothed after mixing, in the
  // reference's order.
  return tf.losses.softmaxCrossEntropy(
    onehot,
    logits,
    undefined,
    trainee.labelSmoothing ?? 0,
  ) as tf.Scalar;
}

/**
 * Forward, backward and update on one batch with cross-entropy loss.
 * `targets` are class indices or, after MixUp or CutMix, mixed one-hot
 * rows. Returns the batch's mean loss as a tensor (the caller disposes it).
 */
export function trainStep(
  trainee: Trainee,
  x: tf.Tensor4D,
  targets: tf.Tensor1D | tf.Tensor2D,
  lr: number,
): tf.Scalar {
  const micro = trainee.microBatchSize ?? null;
  if (micro !== null && micro < x.shape[0]) {
    return microBatchStep(trainee, x, targets, lr, micro);
  }
  const { model, params, optimizer } = trainee;
  const stats: BatchStats = new Map();
  const loss = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(
      () => batchLoss(trainee, x, targets, stats),
      params,
    );
    optimizer.step(grads, lr);
    return value;
  });
  updateModelRunningStats(model, stats);
  return loss;
}

/**
 * The lab's gradient accumulation (`microBatchSize`): each micro-batch's
 * mean loss is weighted by its share of the batch, so the summed gradients
 * are those of the batch's mean loss, except that BN normalises each
 * micro-batch by its own statistics and folds them into the running
 * averages once per micro-batch, as PyTorch's BN does over the same passes.
 * One optimizer update per batch.
 */
function microBatchStep(
  trainee: Trainee,
  x: tf.Tensor4D,
  targets: tf.Tensor1D | tf.Tensor2D,
  lr: number,
  micro: number,
): tf.Scalar {
  const n = x.shape[0];
  let loss: tf.Scalar = tf.scalar(0);
  let sums: tf.NamedTensorMap = {};
  for (let start = 0; start < n; start += micro) {
    const size = Math.min(micro, n - start);
    const stats: BatchStats = new Map();
    const { value, grads } = tf.tidy(() => {
      const xs = x.slice(start, size);
      const ts = targets.slice(start, size);
      const weighted = () =>
        batchLoss(trainee, xs, ts, stats).mul<tf.Scalar>(size / n);
      return tf.variableGrads(weighted, trainee.params);
    });
    updateModelRunningStats(trainee.model, stats);
    const [prevLoss, prev] = [loss, sums];
    loss = prevLoss.add(value);
    sums = tf.tidy(() =>
      Object.fromEntries(
        Object.entries(grads).map(([k, g]) => [
          k,
          prev[k] ? prev[k].add(g) : g.clone(),
        ]),
      ),
    );
    tf.dispose([
      prevLoss,
      value,
      ...Object.values(prev),
      ...Object.values(grads),
    ]);
  }
  // In a scope, as in the whole-batch step: optimizers build their slots
  // from temporaries on the first call.
  tf.tidy(() => trainee.optimizer.step(sums, lr));
  tf.dispose(Object.values(sums));
  return loss;
}

/** Correct top-1 and top-k predictions of a batch, as int32 scalars. */
export function evalBatch(
  model: LabModel,
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  k: number,
): { top1: tf.Scalar; topK: tf.Scalar } {
  return tf.tidy(() => {
    const logits = forwardModel(model, x, null);
    const kk = Math.min(k, logits.shape[1]);
    const { indices } = tf.topk(logits, kk);
    const hits = tf.equal(indices, labels.reshape([-1, 1])).cast('int32');
    const top1 = hits.slice([0, 0], [-1, 1]).sum() as tf.Scalar;
    const topK = hits.sum() as tf.Scalar;
    return { top1, topK };
  });
}
