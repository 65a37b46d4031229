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

/** Correct top-1 and top-k predictions of a batch, as int32 scalars. */
export type Hits = {
  top1: tf.Scalar;
  topK: tf.Scalar;
};

/**
 * Counts the predictions of `logits` whose top-1 and top-k classes hold the
 * target, as torchvision's utils.accuracy does (references/classification):
 * with 2-D targets (mixed one-hot rows) the target is the class of the
 * largest weight; k is at most the number of classes.
 */
export function countHits(
  logits: tf.Tensor2D,
  targets: tf.Tensor1D | tf.Tensor2D,
  k: number,
): Hits {
  return tf.tidy(() => {
    const labels = targets.rank === 2 ? tf.argMax(targets, 1) : targets;
    const kk = Math.min(k, logits.shape[1]);
    const { indices } = tf.topk(logits, kk);
    const hits = tf.equal(indices, labels.reshape([-1, 1])).cast('int32');
    const top1 = hits.slice([0, 0], [-1, 1]).sum() as tf.Scalar;
    const topK = hits.sum() as tf.Scalar;
    return { top1, topK };
  });
}

/** A step's mean loss and, when asked for, its training hits. */
export type StepResult = {
  loss: tf.Scalar;
  /** Absent when not asked for. */
  hits: Hits | undefined;
};

/**
 * The batch's mean cross-entropy in training mode; BN stats to `stats`.
 * With `keep`, the logits are also kept past the gradient scope, for the
 * caller to count and dispose: the accuracy of the very pass that is
 * trained, without a second forward.
 */
function batchLoss(
  trainee: Trainee,
  x: tf.Tensor4D,
  targets: tf.Tensor1D | tf.Tensor2D,
  stats: BatchStats,
  keep?: { logits?: tf.Tensor2D },
): tf.Scalar {
  const logits = forwardModel(trainee.model, x, stats);
  if (keep) keep.logits = tf.keep(logits);
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

/** Hits of logits kept by batchLoss, which it then disposes. */
function countKept(
  keep: { logits?: tf.Tensor2D },
  targets: tf.Tensor1D | tf.Tensor2D,
  k: number,
): Hits {
  const hits = countHits(keep.logits!, targets, k);
  keep.logits!.dispose();
  return hits;
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
  return runStep(trainee, x, targets, lr, null).loss;
}

/**
 * trainStep that also counts the batch's top-1 and top-k hits from the
 * logits it trained on (train mode, weights before the update), as
 * torchvision's train_one_epoch measures training accuracy. The caller
 * disposes the loss and the counts.
 */
export function countedTrainStep(
  trainee: Trainee,
  x: tf.Tensor4D,
  targets: tf.Tensor1D | tf.Tensor2D,
  lr: number,
  k: number,
): { loss: tf.Scalar; hits: Hits } {
  const { loss, hits } = runStep(trainee, x, targets, lr, k);
  return { loss, hits: hits! };
}

function runStep(
  trainee: Trainee,
  x: tf.Tensor4D,
  targets: tf.Tensor1D | tf.Tensor2D,
  lr: number,
  k: number | null,
): StepResult {
  const micro = trainee.microBatchSize ?? null;
  if (micro !== null && micro < x.shape[0]) {
    return microBatchStep(trainee, x, targets, lr, micro, k);
  }
  const { model, params, optimizer } = trainee;
  const stats: BatchStats = new Map();
  const result = tf.tidy(() => {
    const keep = k === null ? undefined : {};
    const { value, grads } = tf.variableGrads(
      () => batchLoss(trainee, x, targets, stats, keep),
      params,
    );
    optimizer.step(grads, lr);
    return {
      loss: value,
      hits: keep ? countKept(keep, targets, k!) : undefined,
    };
  });
  updateModelRunningStats(model, stats);
  return result;
}

/**
 * The lab's gradient accumulation (`microBatchSize`): each micro-batch's
 * mean loss is weighted by its share of the batch, so the summed gradients
 * are those of the batch's mean loss, except that BN normalises each
 * micro-batch by its own statistics and folds them into the running
 * averages once per micro-batch, as PyTorch's BN does over the same passes.
 * One optimizer update per batch; hits are summed over the micro-batches.
 */
function microBatchStep(
  trainee: Trainee,
  x: tf.Tensor4D,
  targets: tf.Tensor1D | tf.Tensor2D,
  lr: number,
  micro: number,
  k: number | null,
): StepResult {
  const n = x.shape[0];
  let loss: tf.Scalar = tf.scalar(0);
  let hits: Hits | undefined =
    k === null
      ? undefined
      : { top1: tf.scalar(0, 'int32'), topK: tf.scalar(0, 'int32') };
  let sums: tf.NamedTensorMap = {};
  for (let start = 0; start < n; start += micro) {
    const size = Math.min(micro, n - start);
    const stats: BatchStats = new Map();
    const { value, grads, part } = tf.tidy(() => {
      const xs = x.slice(start, size);
      const ts = targets.slice(start, size);
      const keep = k === null ? undefined : {};
      const weighted = () =>
        batchLoss(trainee, xs, ts, stats, keep).mul<tf.Scalar>(size / n);
      const out = tf.variableGrads(weighted, trainee.params);
      return { ...out, part: keep ? countKept(keep, ts, k!) : undefined };
    });
    updateModelRunningStats(trainee.model, stats);
    const [prevLoss, prev, prevHits] = [loss, sums, hits];
    loss = prevLoss.add(value);
    if (prevHits && part) {
      hits = {
        top1: prevHits.top1.add(part.top1),
        topK: prevHits.topK.add(part.topK),
      };
      tf.dispose([prevHits.top1, prevHits.topK, part.top1, part.topK]);
    }
    sums = tf.tidy(() =>
      Object.fromEntries(
        Object.entries(grads).map(([name, g]) => [
          name,
          prev[name] ? prev[name].add(g) : g.clone(),
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
  return { loss, hits };
}

/** Correct top-1 and top-k predictions of a batch, in eval mode. */
export function evalBatch(
  model: LabModel,
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  k: number,
): Hits {
  return tf.tidy(() => countHits(forwardModel(model, x, null), labels, k));
}
