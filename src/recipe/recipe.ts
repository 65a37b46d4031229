// The recipe as data: every option a run can set, with one commented
// defaults object. Names are the flags of torchvision's
// references/classification/train.py, camel-cased here (`--lr-warmup-epochs`
// is lrWarmupEpochs) and kebab-cased on the CLI and in URLs; the few options
// the reference lacks say so. Where an option overlaps the recipe maths in
// src/train (schedule, EMA, weight-decay groups, augmentation), its name and
// type come from there.
//
// The defaults are the study's baseline with everything else off: SGD with
// Nesterov momentum, LR 0.01, batch 32, plain cross-entropy, constant LR, no
// weight decay, no augmentation policy, no EMA. Options that only matter
// once another is switched on (a scheduler's step size, the EMA's decay)
// default to the reference's own defaults, so switching the feature on
// gives what train.py would.
import type { Interpolation } from '../train/augment/affine';
import type { AutoAugmentPolicyName } from '../train/augment/autoaugment';
import type { ModelEmaParams } from '../train/ema-decay';
import type { OptimizerName } from '../train/optim/optimizer';
import type { WeightDecayParams } from '../train/optim/param-groups';
import type {
  LrScheduleParams,
  LrSchedulerName,
  LrWarmupMethod,
} from '../train/schedule';

export type { LrSchedulerName, LrWarmupMethod, OptimizerName };

/** The ResNets, whose weights the lab also reads and writes as files. */
export const RESNET_MODEL_NAMES = ['resnet18', 'resnet34', 'resnet50'] as const;
export const MODEL_NAMES = [
  ...RESNET_MODEL_NAMES,
  'mobilenet_v3_large',
] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

// Tables keyed by every name of a union: the compiler refuses one that
// leaves a name out, so the choices cannot fall behind the maths modules.

/** `--opt`: the reference's optimizers (optim/ has each one's update). */
const OPTIMIZER_NOTES: Record<OptimizerName, string> = {
  sgd: 'SGD with momentum',
  // The reference turns Nesterov on for any `--opt` starting with "sgd"
  // and containing "nesterov"; this is the one spelling the lab takes.
  'sgd-nesterov': 'SGD with Nesterov momentum',
  rmsprop: "RMSprop with the reference's alpha 0.9, eps 0.0316",
  adamw: "AdamW with torch's betas 0.9 and 0.999, eps 1e-8",
};
export const OPTIMIZERS = Object.keys(OPTIMIZER_NOTES) as OptimizerName[];

const LR_SCHEDULER_NOTES: Record<LrSchedulerName, string> = {
  steplr: 'StepLR, times lr-gamma every lr-step-size epochs',
  cosineannealinglr: 'CosineAnnealingLR, from lr down to lr-min',
  exponentiallr: 'ExponentialLR, times lr-gamma every epoch',
  none: 'the LR stays at lr, not in the reference',
};
export const LR_SCHEDULERS = Object.keys(
  LR_SCHEDULER_NOTES,
) as LrSchedulerName[];

const LR_WARMUP_NOTES: Record<LrWarmupMethod, string> = {
  constant: 'ConstantLR, lr times lr-warmup-decay throughout',
  linear: 'LinearLR, from lr times lr-warmup-decay up to lr',
};
export const LR_WARMUP_METHODS = Object.keys(
  LR_WARMUP_NOTES,
) as LrWarmupMethod[];

/**
 * `--auto-augment`, plus two values of the lab's: 'none' (the reference
 * leaves the flag out) and 'standard', Bag of Tricks' colour jitter and
 * PCA lighting after the crop and flip (He et al., 2019), which replaces a
 * policy rather than adding to one (src/train/augment/pipeline.ts), so it
 * is a value of this option rather than a flag of its own. The reference's
 * augmix is missing: the lab has no AugMix.
 */
export type AutoAugmentName = 'none' | 'standard' | AutoAugmentPolicyName;
const AUTO_AUGMENT_NOTES: Record<AutoAugmentName, string> = {
  none: 'no policy: only the crop and flip, where crop-flip is on',
  standard: "Bag of Tricks' colour jitter and lighting, not in the reference",
  ta_wide: 'TrivialAugmentWide',
  ra: 'RandAugment with ra-magnitude',
  imagenet: "AutoAugment's ImageNet policy",
};
export const AUTO_AUGMENTS = Object.keys(
  AUTO_AUGMENT_NOTES,
) as AutoAugmentName[];

// The crops and resizes (augment/resample.ts) are bilinear only, so the
// reference's other modes would not be what was asked for.
export const INTERPOLATIONS = [
  'bilinear',
] as const satisfies readonly Interpolation[];
export type InterpolationName = (typeof INTERPOLATIONS)[number];

/** When the LR schedule advances: the reference's per epoch, or per step. */
export const LR_SCHEDULE_PERS = ['epoch', 'step'] as const;
export type LrSchedulePer = (typeof LR_SCHEDULE_PERS)[number];

/** Which validation top-1 early stopping watches. */
export const PATIENCE_ONS = ['model', 'ema'] as const;
export type PatienceOn = (typeof PATIENCE_ONS)[number];

/** One phrase for each choice of a choice option, for help texts. */
export const CHOICE_NOTES: Readonly<Record<string, Record<string, string>>> = {
  opt: OPTIMIZER_NOTES,
  lrScheduler: LR_SCHEDULER_NOTES,
  lrWarmupMethod: LR_WARMUP_NOTES,
  autoAugment: AUTO_AUGMENT_NOTES,
};

/** A value of one option, as stored in a recipe. */
export type RecipeValue = string | number | boolean | null;

/** Spells an option's camel-case key for the reader of a message. */
export type Namer = (key: string) => string;

/** `lrWarmupEpochs` as the CLI and URLs spell it: `lr-warmup-epochs`. */
export function kebabCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** `lr-warmup-epochs` back to `lrWarmupEpochs`. */
export function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** How a value is written in a URL, on the command line and in messages. */
export function formatValue(value: RecipeValue): string {
  return value === null ? 'none' : String(value);
}

export interface Recipe
  extends
    LrScheduleParams,
    WeightDecayParams,
    Omit<ModelEmaParams, 'worldSize'> {
  /** Network architecture (torchvision name). */
  model: ModelName;
  /** Start from ImageNet weights the user loaded, as the study fine-tunes. */
  pretrained: boolean;
  /**
   * With `pretrained`: the id of the cached weight file to start from (the
   * app's Weights panel, src/weights/cache.ts), e.g.
   * `timm/resnet18.tv_in1k`; null: none. The reference's `--weights` names
   * torchvision's enum instead.
   */
  weights: string | null;
  /** Multiplies every layer's width; 1 is the published network (ours). */
  width: number;
  /**
   * Side of the square training crop the network sees: the reference's
   * `--train-crop-size`, under the name the app has always used.
   */
  imageSize: number;
  /** Eval resize of the shorter side; null: the val crop (a plain resize). */
  valResizeSize: number | null;
  /** Eval centre crop; null: imageSize. */
  valCropSize: number | null;
  /** Resampling of the crops, resizes and policy ops. */
  interpolation: InterpolationName;
  /** Images per optimizer step. */
  batchSize: number;
  /**
   * Images per forward and backward pass, gradients summed over the passes
   * of one step (ours); null: the whole batch at once. Batch-norm
   * statistics then come from each micro-batch, unlike the reference.
   */
  microBatchSize: number | null;
  opt: OptimizerName;
  /** Momentum of SGD and RMSprop (AdamW has none). */
  momentum: number;
  /** When the schedule advances; see src/train/schedule.ts (ours). */
  lrSchedulePer: LrSchedulePer;
  /** Epsilon spread over all K classes (src/train/losses.ts). */
  labelSmoothing: number;
  /** Beta(alpha, alpha) of MixUp; 0: off. */
  mixupAlpha: number;
  /** Beta(alpha, alpha) of CutMix; 0: off. */
  cutmixAlpha: number;
  /**
   * RandomResizedCrop and a horizontal flip before any policy (ours: the
   * reference always runs them); off, training images are resized whole,
   * as for evaluation.
   */
  cropFlip: boolean;
  autoAugment: AutoAugmentName;
  /** RandAugment's magnitude bin, of 31. */
  raMagnitude: number;
  /** Probability of RandomErasing, after normalisation. */
  randomErase: number;
  /** Keep an exponential moving average of the weights (src/train/ema.ts). */
  modelEma: boolean;
  /** Stop after this many epochs without a better val top-1; 0: never. */
  patience: number;
  /** Whose val top-1 patience watches: the model's or the EMA's (ours). */
  patienceOn: PatienceOn;
  /** Seeds initialisation, shuffling, subsets and augmentation. */
  seed: number;
  /** Train on a seeded, class-balanced subset of this many images; 0: all. */
  limit: number;
}

export const DEFAULT_RECIPE: Readonly<Recipe> = Object.freeze({
  // The lab's demo scale: a small network on Fashion-MNIST's 28 px images.
  model: 'resnet18',
  pretrained: false,
  weights: null,
  width: 1,
  imageSize: 28,
  valResizeSize: null,
  valCropSize: null,
  interpolation: 'bilinear',
  // The study's baseline: SGD with Nesterov momentum, LR 0.01, batch 32.
  // Weight decay stays off, as the lab has always trained; the blog presets
  // take the reference's 1e-4 (presets.ts). Three epochs keep a demo short.
  epochs: 3,
  batchSize: 32,
  microBatchSize: null,
  opt: 'sgd-nesterov',
  lr: 0.01,
  momentum: 0.9,
  weightDecay: 0,
  normWeightDecay: null,
  biasWeightDecay: null,
  // Off unless chosen: the reference's defaults for each part.
  lrScheduler: 'none',
  lrSchedulePer: 'epoch',
  lrStepSize: 30,
  lrGamma: 0.1,
  lrMin: 0,
  lrWarmupEpochs: 0,
  lrWarmupMethod: 'constant',
  lrWarmupDecay: 0.01,
  labelSmoothing: 0,
  mixupAlpha: 0,
  cutmixAlpha: 0,
  // The reference always crops and flips; the defaults train on the images
  // as they are, and the study's presets switch it on (presets.ts).
  cropFlip: false,
  autoAugment: 'none',
  raMagnitude: 9,
  randomErase: 0,
  modelEma: false,
  modelEmaSteps: 32,
  modelEmaDecay: 0.99998,
  // The lab's own.
  patience: 0,
  patienceOn: 'model',
  seed: 1,
  limit: 0,
});
