// The augmentation preview: stored training images through the very
// draws and ops of a training batch (train-batch.ts), with the input
// normalisation undone, as the RGBA pixels a canvas takes, and with what
// was drawn for each image in words. Pure tfjs and data, so a page test
// can run it without the Worker.
import * as tf from '@tensorflow/tfjs';
import { toRgba } from '../../data/class-images';
import type { HostBatch } from '../../data/schema';
import { denormalizeImages } from '../augment/pipeline';
import { normalization } from '../step';
import {
  applyTrainBatch,
  drawTrainBatch,
  type TrainBatchContext,
} from '../train-batch';
import { describeTrainDraws } from './notes';

export interface PreviewImage {
  label: number;
  /** The image's position in the training split. */
  index: number;
  /** What the draws did to it, in the order the steps ran. */
  notes: string[];
}

export interface AugmentPreview {
  /** Side of every image: the recipe's training crop. */
  size: number;
  /** size x size RGBA per image, one after another. */
  pixels: Uint8ClampedArray<ArrayBuffer>;
  images: PreviewImage[];
}

/** One batch as the training loop would make it, ready to be shown. */
export async function previewTrainBatch(
  batch: HostBatch,
  ctx: TrainBatchContext,
): Promise<AugmentPreview> {
  const { stored, recipe } = ctx;
  const draws = drawTrainBatch(batch.size, ctx);
  const { x, targets } = applyTrainBatch(batch, ctx, draws);
  const { mean, std } = normalization(stored);
  const shown = denormalizeImages(x, mean, std);
  tf.dispose([x, targets]);
  const values = await shown.data();
  shown.dispose();
  const size = recipe.imageSize;
  const pixels = toRgba(Uint8Array.from(values), stored.channels as 1 | 3);
  const notes = describeTrainDraws(draws, batch.size, stored, size);
  const images = notes.map((n, i) => ({
    label: batch.labels[i]!,
    index: batch.indices?.[i] ?? i,
    notes: n,
  }));
  return { size, pixels, images };
}
