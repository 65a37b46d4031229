// A training batch as the reference's train preset and collate function
// make it (presets.py, train.py): RandomResizedCrop and flip, the
// auto-augment policy, normalisation, RandomErasing, then MixUp or CutMix
// over the batch. Every draw comes from a seeded generator on the host and
// every op runs on the GPU, so a seed fixes a batch and nothing is read
// back. With all of it off, a batch is the plain upload of step.ts.
import * as tf from '@tensorflow/tfjs';
import type { HostBatch } from '../data/schema';
import type { Rng } from '../lib/random';
import type { TrainTransformRecipe } from '../recipe/train-transform';
import {
  applyTrainAugment,
  drawTrainAugment,
  normalizeImages,
  type TrainAugmentDraws,
  type TrainAugmentOptions,
} from './augment/pipeline';
import {
  applyErasing,
  drawErasing,
  REFERENCE_ERASING,
  type EraseRect,
} from './erase';
import { applyMix, drawMix, type MixDraw } from './mix';
import { normalization, uploadBatch, type StoredImages } from './step';

export type TrainBatchRecipe = TrainTransformRecipe;

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

/** Every random choice for one batch, in the order the stream gives them. */
export interface TrainBatchDraws {
  /** Crop, flip and policy; null on the plain resize (none of them). */
  augment: TrainAugmentDraws | null;
  /** Per sample, the erased rectangle or null; null with erasing off. */
  erase: (EraseRect | null)[] | null;
  /** The batch's MixUp or CutMix; null with both off. */
  mix: MixDraw | null;
}

/**
 * Draws everything a batch of `numSamples` gets, from `ctx.rng`: the
 * augmentation, then erasing, then the mix, the order in which the
 * reference's transforms and collate function consume the stream.
 */
export function drawTrainBatch(
  numSamples: number,
  ctx: TrainBatchContext,
): TrainBatchDraws {
  const { recipe, stored, rng } = ctx;
  const options = augmentOptions(recipe);
  const augment = options
    ? drawTrainAugment(rng, numSamples, stored, options)
    : null;
  const size = recipe.imageSize;
  const erase =
    recipe.randomErase > 0
      ? drawErasing(rng, numSamples, size, size, {
          ...REFERENCE_ERASING,
          randomErase: recipe.randomErase,
        })
      : null;
  const mix = drawMix(rng, recipe, size, size);
  return { augment, erase, mix };
}

function augmentedImages(
  batch: HostBatch,
  stored: TrainBatchContext['stored'],
  draws: TrainAugmentDraws,
  options: TrainAugmentOptions,
): tf.Tensor4D {
  const { mean, std } = normalization(stored);
  return tf.tidy(() => {
    const raw = uploadPixels(batch, stored);
    const augmented = applyTrainAugment(raw, draws, options);
    return normalizeImages(augmented, mean, std);
  });
}

/** Uploads one host batch and applies given draws to it. */
export function applyTrainBatch(
  batch: HostBatch,
  ctx: Omit<TrainBatchContext, 'rng'>,
  draws: TrainBatchDraws,
): TrainBatch {
  const { recipe, stored, numClasses } = ctx;
  const options = augmentOptions(recipe);
  let x: tf.Tensor4D;
  let labels: tf.Tensor1D;
  if (options && draws.augment) {
    x = augmentedImages(batch, stored, draws.augment, options);
    labels = tf.tensor1d(batch.labels, 'int32');
  } else {
    ({ x, labels } = uploadBatch(batch, stored, recipe.imageSize));
  }
  if (draws.erase) {
    const erased = applyErasing(x, draws.erase, REFERENCE_ERASING.value);
    x.dispose();
    x = erased;
  }
  if (draws.mix) {
    const mixed = applyMix(x, labels, numClasses, draws.mix);
    tf.dispose([x, labels]);
    return { x: mixed.x, targets: mixed.targets };
  }
  return { x, targets: labels };
}

/** Uploads and augments one host batch per the recipe. */
export function prepareTrainBatch(
  batch: HostBatch,
  ctx: TrainBatchContext,
): TrainBatch {
  return applyTrainBatch(batch, ctx, drawTrainBatch(batch.size, ctx));
}
