// Which options the training loop (src/train/loop.ts) acts on today. The
// recipe describes the whole reference, but the loop is taught it one part
// at a time and ignores the parts not wired yet. Callers list what a run
// will ignore, so that no result is read as that of an option it never
// had (the CLI's train does; the app does not yet). Add a key to APPLIED
// in the change that makes the loop read it.
import {
  DEFAULT_RECIPE,
  formatValue,
  type Namer,
  type Recipe,
  type RecipeValue,
} from './recipe';

type Support = true | ((value: RecipeValue, recipe: Recipe) => boolean);

// Keys absent here are ignored by the loop when they differ from the
// defaults; a function says which values it handles.
const APPLIED: Partial<Record<keyof Recipe, Support>> = {
  model: true,
  // Weights come only from the cache (src/weights/cache.ts): without an id
  // a run starts from scratch.
  pretrained: (_, r) => r.weights !== null,
  weights: true,
  width: true,
  imageSize: true,
  valResizeSize: true,
  valCropSize: true,
  epochs: true,
  batchSize: true,
  microBatchSize: true,
  opt: true,
  lr: true,
  momentum: true,
  weightDecay: true,
  normWeightDecay: true,
  biasWeightDecay: true,
  lrScheduler: true,
  lrSchedulePer: true,
  lrStepSize: true,
  lrGamma: true,
  lrMin: true,
  lrWarmupEpochs: true,
  lrWarmupMethod: true,
  lrWarmupDecay: true,
  labelSmoothing: true,
  modelEma: true,
  modelEmaSteps: true,
  modelEmaDecay: true,
  cropFlip: true,
  autoAugment: true,
  raMagnitude: true,
  interpolation: true,
  randomErase: true,
  mixupAlpha: true,
  cutmixAlpha: true,
  patience: true,
  patienceOn: true,
  seed: true,
  limit: true,
};

/** "key value" for each setting of `recipe` the loop does not apply yet. */
export function unappliedSettings(
  recipe: Readonly<Recipe>,
  name: Namer = (key) => key,
): string[] {
  const unapplied: string[] = [];
  for (const [key, value] of Object.entries(recipe)) {
    const k = key as keyof Recipe;
    if (value === DEFAULT_RECIPE[k]) continue;
    const support = APPLIED[k];
    if (support === true || support?.(value, recipe)) continue;
    unapplied.push(`${name(key)} ${formatValue(value)}`);
  }
  return unapplied;
}
