// Cross-entropy as torch.nn.CrossEntropyLoss(label_smoothing=eps) computes
// it, mean over the batch. Label smoothing spreads eps over all K classes:
// the target becomes (1 - eps) * target + eps / K, for class indices (as a
// one-hot) and for probability targets alike; the loss is then
// -sum_k target_k * log_softmax(logits)_k.
//
// With MixUp or CutMix the reference mixes one-hot targets in the data
// loader first and smooths in the loss afterwards. Both steps are affine
// with weights summing to one, so the order does not change the result;
// the lab keeps the reference's order (mixTargets, then these functions).
import * as tf from '@tensorflow/tfjs';

/** The smoothed targets of `targets` (probabilities, [batch, K]). */
export function smoothTargets(
  targets: tf.Tensor2D,
  labelSmoothing: number,
): tf.Tensor2D {
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new Error(
      `label smoothing must be in [0, 1], got ${String(labelSmoothing)}`,
    );
  }
  if (labelSmoothing === 0) return targets.clone();
  const numClasses = targets.shape[1];
  return tf.tidy(() =>
    targets.mul(1 - labelSmoothing).add(labelSmoothing / numClasses),
  );
}

/** Mean over the batch of -sum(targets * log_softmax(logits)). */
export function softTargetCrossEntropy(
  logits: tf.Tensor2D,
  targets: tf.Tensor2D,
  labelSmoothing = 0,
): tf.Scalar {
  if (!tf.util.arraysEqual(logits.shape, targets.shape)) {
    throw new Error(
      `targets must have the logits' shape [${logits.shape.join(', ')}], ` +
        `got [${targets.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    const t = smoothTargets(targets, labelSmoothing);
    const perSample = t.mul(tf.logSoftmax(logits)).sum(1).neg();
    return perSample.mean() as tf.Scalar;
  });
}

/** Cross-entropy against int32 class indices, with label smoothing. */
export function crossEntropy(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  labelSmoothing = 0,
): tf.Scalar {
  return tf.tidy(() => {
    const onehot = tf.oneHot(labels, logits.shape[1]).toFloat() as tf.Tensor2D;
    return softTargetCrossEntropy(logits, onehot, labelSmoothing);
  });
}
