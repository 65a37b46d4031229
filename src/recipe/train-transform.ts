// The options that shape the images of a training batch: the train
// transform of the reference's presets.py and the batch mixes of its
// collate function. src/train/train-batch.ts reads exactly these, and the
// augmentation preview redraws when one of them changes.
import type { Recipe } from './recipe';

export const TRAIN_TRANSFORM_KEYS = [
  'imageSize',
  'cropFlip',
  'autoAugment',
  'raMagnitude',
  'interpolation',
  'randomErase',
  'mixupAlpha',
  'cutmixAlpha',
] as const satisfies readonly (keyof Recipe)[];

export type TrainTransformKey = (typeof TRAIN_TRANSFORM_KEYS)[number];
export type TrainTransformRecipe = Pick<Recipe, TrainTransformKey>;

/** The transform's options of a recipe, alone. */
export function trainTransform(recipe: Readonly<Recipe>): TrainTransformRecipe {
  const picked = {} as Record<TrainTransformKey, unknown>;
  for (const key of TRAIN_TRANSFORM_KEYS) picked[key] = recipe[key];
  return picked as TrainTransformRecipe;
}
