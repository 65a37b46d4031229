// A training batch as the reference's train preset and collate function
// make it (presets.py, train.py): RandomResizedCrop and flip, the
// auto-augment policy, normalisation, RandomErasing, then MixUp or CutMix
// over the batch. Every draw comes from a seeded generator on the host and
// every op runs on the GPU, so a seed fixes a batch and nothing is read
// back. With all of it off, a batch is the plain upload of step.ts.
import * as tf from '@tensorflow/tfjs';
import type { HostBatch } from '../data/schema';
import type { Rng } from '../lib/random';
import type { Recipe } from '../recipe/recipe';
import {
  applyTrainAugment,
  drawTrainAugment,
  normalizeImages,
  type TrainAugmentOptions,
} from './augment/pipeline';
import { randomErasing, REFERENCE_ERASING } from './erase';
import { mixBatch } from './mix';
import { normalization, uploadBatch, type StoredImages } from './step';

export type TrainBatchRecipe = Pick<
  Recipe,
  | 'imageSize'
  | 'autoAugment'
  | 'raMagnitude'
  | 'cropFlip'
  | 'interpolation'
  | 'randomErase'
  | 'mixupAlpha'
  | 'cutmixAlpha'
>;

export interface TrainBatchContext {
  stored: StoredImages;
  recipe: TrainBatchRecipe;
  numClasses: number;
  /** The epoch's augmentation stream. */
  rng: Rng;
}

/** A batch ready for trainStep: images and class indices or mixed rows. */
export interface TrainBatch {
  x: tf.Tensor4D;
  targets: tf.Tensor1D | tf.Tensor2D;
}

/**
 * The train transform the recipe asks for; null when it asks for none, so
 * the batch is only resized, as at evaluation. The reference always crops
 * and flips; `cropFlip` (on in the study's presets) is the lab's switch
 * for it, off by default so that the defaults train without augmentation.
 */
function augmentOptions(r: TrainBatchRecipe): TrainAugmentOptions | null {
  if (r.autoAugment === 'none' && !r.cropFlip) return null;
  const { autoAugment } = r;
  const named = autoAugment === 'none' || autoAugment === 'standard';
  return {
    imageSize: r.imageSize,
    autoAugment: named ? null : autoAugment,
    raMagnitude: r.raMagnitude,
    standard: r.autoAugment === 'standard',
    cropFlip: r.cropFlip,
    interpolation: r.interpolation,
  };
}

/** uint8 HWC pixels as a float NHWC tensor of 0..255 values. */
export function uploadPixels(
  batch: HostBatch,
  stored: TrainBatchContext['stored'],
): tf.Tensor4D {
  const { height, width, channels } = stored;
  const pixels = Float32Array.from(batch.pixels);
  return tf.tensor4d(pixels, [batch.size, height, width, channels]);
}

function augmentedImages(
  batch: HostBatch,
  ctx: TrainBatchContext,
  options: TrainAugmentOptions,
): tf.Tensor4D {
  const { stored, rng } = ctx;
  const draws = drawTrainAugment(rng, batch.size, stored, options);
  const { mean, std } = normalization(stored);
  return tf.tidy(() => {
    const raw = uploadPixels(batch, stored);
    const augmented = applyTrainAugment(raw, draws, options);
    return normalizeImages(augmented, mean, std);
  });
}

/** Uploads and augments one host batch per the recipe. */
export function prepareTrainBatch(
  batch: HostBatch,
  ctx: TrainBatchContext,
): TrainBatch {
  const { recipe, stored, rng, numClasses } = ctx;
  const options = augmentOptions(recipe);
  let x: tf.Tensor4D;
  let labels: tf.Tensor1D;
  if (options) {
    x = augmentedImages(batch, ctx, options);
    labels = tf.tensor1d(batch.labels, 'int32');
  } else {
    ({ x, labels } = uploadBatch(batch, stored, recipe.imageSize));
  }
  if (recipe.randomErase > 0) {
    const params = { ...REFERENCE_ERASING, randomErase: recipe.randomErase };
    const erased = randomErasing(x, params, rng);
    x.dispose();
    x = erased;
  }
  if (recipe.mixupAlpha > 0 || recipe.cutmixAlpha > 0) {
    const mixed = mixBatch(x, labels, numClasses, recipe, rng);
    tf.dispose([x, labels]);
    return { x: mixed.x, targets: mixed.targets };
  }
  return { x, targets: labels };
}
