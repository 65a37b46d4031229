// A validation batch as the reference's eval preset makes it (presets.py):
// Resize(valResizeSize) of the shorter side, CenterCrop(valCropSize), then
// normalisation. With neither size set the lab keeps its plain resize to
// the training size.
import * as tf from '@tensorflow/tfjs';
import type { HostBatch } from '../data/schema';
import type { Recipe } from '../recipe/recipe';
import { evalTransform, normalizeImages } from './augment/pipeline';
import { normalization, uploadBatch, type StoredImages } from './step';
import { uploadPixels } from './train-batch';

export type EvalBatchRecipe = Pick<
  Recipe,
  'imageSize' | 'valResizeSize' | 'valCropSize'
>;

/** The eval resize and crop; null for the plain resize to imageSize. */
export function evalSizes(
  r: EvalBatchRecipe,
): { resizeSize: number; cropSize: number } | null {
  if (r.valResizeSize === null && r.valCropSize === null) return null;
  const cropSize = r.valCropSize ?? r.imageSize;
  return { resizeSize: r.valResizeSize ?? cropSize, cropSize };
}

/** Uploads a validation batch per the recipe's eval preset. */
export function prepareEvalBatch(
  batch: HostBatch,
  stored: StoredImages,
  recipe: EvalBatchRecipe,
): { x: tf.Tensor4D; labels: tf.Tensor1D } {
  const sizes = evalSizes(recipe);
  if (!sizes) return uploadBatch(batch, stored, recipe.imageSize);
  const { mean, std } = normalization(stored);
  const x = tf.tidy(() => {
    const raw = uploadPixels(batch, stored);
    const cropped = evalTransform(raw, sizes.resizeSize, sizes.cropSize);
    return normalizeImages(cropped, mean, std);
  });
  return { x, labels: tf.tensor1d(batch.labels, 'int32') };
}
