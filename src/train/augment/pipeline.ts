// The train and eval image pipelines of the reference's presets.py, for a
// batch of stored images uploaded as float32 0..255 values: train is
// RandomResizedCrop, horizontal flip, then the auto-augment policy (or,
// instead, Bag of Tricks' jitter and lighting), then normalisation; eval
// is resize and centre crop, then normalisation. Draws come first, all on
// the host, so a seed fixes a batch and nothing is read back.
import * as tf from '@tensorflow/tfjs';
import type { Interpolation } from './affine';
import {
  applyOpDraws,
  drawAutoAugment,
  type AutoAugmentOptions,
  type AutoAugmentPolicyName,
  type OpDraw,
} from './autoaugment';
import { resizeCenterCrop } from './resample';
import { applyStandard, drawStandard, type StandardDraws } from './standard';
import type { Rng } from '../../lib/random';

export interface TrainAugmentOptions {
  /** Side of the square training crop (the model's input). */
  imageSize: number;
  /** `--auto-augment`; null for none. */
  autoAugment: AutoAugmentPolicyName | null;
  /** `--ra-magnitude` (RandAugment's bin, default 9). */
  raMagnitude?: number;
  /** Bag of Tricks' colour jitter and PCA lighting after the flip. */
  standard?: boolean;
  /**
   * RandomResizedCrop and the flip, which the reference always runs;
   * false takes each image whole (the lab's plain resize). Default true.
   */
  cropFlip?: boolean;
  /**
   * Resampling of the policies' geometric ops: torchvision's policy
   * default is nearest; the reference's train.py passes its
   * `--interpolation`, bilinear unless told otherwise.
   */
  interpolation?: Interpolation;
}

export interface TrainAugmentDraws {
  crop: StandardDraws;
  policy: OpDraw[][];
}

/** Every random choice for one batch of `numSamples` stored images. */
export function drawTrainAugment(
  rng: Rng,
  numSamples: number,
  stored: { height: number; width: number },
  options: TrainAugmentOptions,
): TrainAugmentDraws {
  const { height, width } = stored;
  const standard = options.standard ?? false;
  const cropFlip = options.cropFlip ?? true;
  const crop = drawStandard(rng, numSamples, height, width, standard, cropFlip);
  if (!options.autoAugment) return { crop, policy: [] };
  const policyOptions: AutoAugmentOptions = {
    autoAugment: options.autoAugment,
    raMagnitude: options.raMagnitude ?? 9,
  };
  const size = options.imageSize;
  const policy = drawAutoAugment(rng, numSamples, size, size, policyOptions);
  return { crop, policy };
}

/**
 * Applies given draws: the crop (with jitter and lighting if drawn), then
 * the policy, returning 0..255 values (not rounded after lighting).
 */
export function applyTrainAugment(
  x: tf.Tensor4D,
  draws: TrainAugmentDraws,
  options: TrainAugmentOptions,
): tf.Tensor4D {
  const cropped = applyStandard(x, draws.crop, options.imageSize);
  if (draws.policy.length === 0) return cropped;
  const out = applyOpDraws(cropped, draws.policy, options.interpolation);
  cropped.dispose();
  return out;
}

function checkStatistics(
  channels: number,
  mean: readonly number[],
  std: readonly number[],
): void {
  if (mean.length !== channels || std.length !== channels) {
    throw new Error(
      `expected ${channels} means and standard deviations, got ` +
        `${mean.length} and ${std.length}`,
    );
  }
}

/**
 * torchvision's ConvertImageDtype then Normalize: 0..255 values to
 * (v / 255 - mean) / std per channel.
 */
export function normalizeImages(
  x: tf.Tensor4D,
  mean: readonly number[],
  std: readonly number[],
): tf.Tensor4D {
  checkStatistics(x.shape[3], mean, std);
  return tf.tidy(() => {
    const m = tf.tensor1d(mean.slice());
    const s = tf.tensor1d(std.slice());
    return tf.div(tf.sub(tf.div(x, 255), m), s) as tf.Tensor4D;
  });
}

/**
 * normalizeImages undone, to show what the network is given: 0..255
 * values, rounded and clamped, since lighting's offsets can leave the
 * range.
 */
export function denormalizeImages(
  x: tf.Tensor4D,
  mean: readonly number[],
  std: readonly number[],
): tf.Tensor4D {
  checkStatistics(x.shape[3], mean, std);
  return tf.tidy(() => {
    const m = tf.tensor1d(mean.slice());
    const s = tf.tensor1d(std.slice());
    const values = tf.mul(tf.add(tf.mul(x, s), m), 255);
    return tf.clipByValue(tf.round(values), 0, 255) as tf.Tensor4D;
  });
}

/**
 * The reference's eval preset on 0..255 images: Resize(resizeSize), then
 * CenterCrop(cropSize); presets.py uses 256 and 224.
 */
export function evalTransform(
  x: tf.Tensor4D,
  resizeSize: number,
  cropSize: number,
): tf.Tensor4D {
  return resizeCenterCrop(x, resizeSize, cropSize);
}
