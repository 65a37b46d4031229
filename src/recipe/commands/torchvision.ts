// Each option of the recipe as flags of torchvision's
// references/classification/train.py, or as a note where the reference has
// no flag for it. Its --batch-size is per process and its --lr is for the
// whole batch of all processes, which is the lab's batch: the LR passes
// through unchanged and the batch is split.
import type { ModelName, Recipe } from '../recipe';
import {
  both,
  flags,
  fromScratch,
  NONE,
  note,
  perProcessBatch,
  type CommandTable,
} from './mapped';

/** The enum class `--weights` takes its value from, by model. */
const WEIGHTS_ENUMS: Record<ModelName, string> = {
  resnet18: 'ResNet18_Weights',
  resnet34: 'ResNet34_Weights',
  resnet50: 'ResNet50_Weights',
  mobilenet_v3_large: 'MobileNet_V3_Large_Weights',
};

/** torchvision's second ImageNet recipe, where the model has one. */
const HAS_V2: ReadonlySet<ModelName> = new Set([
  'resnet50',
  'mobilenet_v3_large',
]);

/** The enum value closest to the cached file the lab starts from. */
function weightsEnum(r: Readonly<Recipe>): string {
  const v2 =
    HAS_V2.has(r.model) && /tv2_in1k|imagenet1k_v2/i.test(r.weights ?? '');
  return `${WEIGHTS_ENUMS[r.model]}.IMAGENET1K_V${v2 ? 2 : 1}`;
}

const hasMomentum = (r: Readonly<Recipe>) => r.opt !== 'adamw';
const usesStep = (r: Readonly<Recipe>) => r.lrScheduler === 'steplr';
const usesGamma = (r: Readonly<Recipe>) =>
  r.lrScheduler === 'steplr' || r.lrScheduler === 'exponentiallr';
const warms = (r: Readonly<Recipe>) => r.lrWarmupEpochs > 0;

export const torchvisionTable: CommandTable = {
  model: (r) => flags('--model', r.model),
  width: (r) =>
    r.width === 1
      ? NONE
      : note(
          `width ${r.width}: train.py builds the published network; ` +
            'torchvision has no width multiplier',
        ),
  pretrained: (r) =>
    r.pretrained
      ? both(flags('--weights', weightsEnum(r)), fromScratch(r))
      : NONE,
  weights: (r) =>
    r.weights === null
      ? NONE
      : note(
          `weights ${r.weights}: train.py downloads torchvision's ` +
            `${weightsEnum(r)} instead of the lab's file`,
        ),
  epochs: (r) => flags('--epochs', r.epochs),
  batchSize: (r, t) => {
    const { batch, notes } = perProcessBatch(r, t);
    return { args: ['--batch-size', String(batch)], notes };
  },
  microBatchSize: (r) =>
    r.microBatchSize === null
      ? NONE
      : note(
          `micro-batch-size ${r.microBatchSize}: train.py has no gradient ` +
            'accumulation; each GPU takes its whole share of the batch',
        ),
  opt: (r) => flags('--opt', r.opt === 'sgd-nesterov' ? 'sgd_nesterov' : r.opt),
  lr: (r) => flags('--lr', r.lr),
  momentum: (r) => (hasMomentum(r) ? flags('--momentum', r.momentum) : NONE),
  weightDecay: (r) => flags('--weight-decay', r.weightDecay),
  normWeightDecay: (r) =>
    r.normWeightDecay === null
      ? NONE
      : flags('--norm-weight-decay', r.normWeightDecay),
  biasWeightDecay: (r) =>
    r.biasWeightDecay === null
      ? NONE
      : flags('--bias-weight-decay', r.biasWeightDecay),
  lrScheduler: (r) =>
    r.lrScheduler === 'none'
      ? both(
          flags('--lr-scheduler', 'steplr', '--lr-step-size', r.epochs),
          note(
            'lr-scheduler none: train.py has no constant schedule; a ' +
              'StepLR whose first step comes after the last epoch keeps ' +
              'the LR where it starts',
          ),
        )
      : flags('--lr-scheduler', r.lrScheduler),
  lrSchedulePer: (r) =>
    r.lrSchedulePer === 'epoch'
      ? NONE
      : note(
          'lr-schedule-per step: train.py moves the LR once an epoch, not ' +
            'every step',
        ),
  lrStepSize: (r) =>
    usesStep(r) ? flags('--lr-step-size', r.lrStepSize) : NONE,
  lrGamma: (r) => (usesGamma(r) ? flags('--lr-gamma', r.lrGamma) : NONE),
  lrMin: (r) =>
    r.lrScheduler === 'cosineannealinglr' ? flags('--lr-min', r.lrMin) : NONE,
  lrWarmupEpochs: (r) =>
    warms(r) ? flags('--lr-warmup-epochs', r.lrWarmupEpochs) : NONE,
  lrWarmupMethod: (r) =>
    warms(r) ? flags('--lr-warmup-method', r.lrWarmupMethod) : NONE,
  lrWarmupDecay: (r) =>
    warms(r) ? flags('--lr-warmup-decay', r.lrWarmupDecay) : NONE,
  labelSmoothing: (r) =>
    r.labelSmoothing === 0
      ? NONE
      : flags('--label-smoothing', r.labelSmoothing),
  mixupAlpha: (r) =>
    r.mixupAlpha === 0 ? NONE : flags('--mixup-alpha', r.mixupAlpha),
  cutmixAlpha: (r) =>
    r.cutmixAlpha === 0 ? NONE : flags('--cutmix-alpha', r.cutmixAlpha),
  imageSize: (r) => flags('--train-crop-size', r.imageSize),
  // The lab's null is a plain resize to the crop: the shorter side to the
  // crop size, which for square images is the same thing.
  valResizeSize: (r) =>
    flags('--val-resize-size', r.valResizeSize ?? r.valCropSize ?? r.imageSize),
  valCropSize: (r) => flags('--val-crop-size', r.valCropSize ?? r.imageSize),
  interpolation: (r) => flags('--interpolation', r.interpolation),
  cropFlip: (r) =>
    r.cropFlip
      ? NONE
      : note(
          'crop-flip off: train.py always takes a RandomResizedCrop and ' +
            'flips half the images',
        ),
  autoAugment: (r) => {
    if (r.autoAugment === 'none') return NONE;
    if (r.autoAugment === 'standard') {
      return note(
        'auto-augment standard: train.py has no colour jitter and PCA ' +
          'lighting policy',
      );
    }
    return flags('--auto-augment', r.autoAugment);
  },
  raMagnitude: (r) =>
    r.autoAugment === 'ra' ? flags('--ra-magnitude', r.raMagnitude) : NONE,
  randomErase: (r) =>
    r.randomErase === 0 ? NONE : flags('--random-erase', r.randomErase),
  modelEma: (r) => (r.modelEma ? flags('--model-ema') : NONE),
  modelEmaSteps: (r) =>
    r.modelEma ? flags('--model-ema-steps', r.modelEmaSteps) : NONE,
  modelEmaDecay: (r) =>
    r.modelEma ? flags('--model-ema-decay', r.modelEmaDecay) : NONE,
  patience: (r) =>
    r.patience === 0
      ? NONE
      : note(
          `patience ${r.patience}: train.py has no early stopping; it ` +
            'trains every epoch',
        ),
  patienceOn: (r) =>
    r.patience === 0 || r.patienceOn === 'model'
      ? NONE
      : note('patience-on ema: nothing to watch without early stopping'),
  seed: (r) =>
    note(
      `seed ${r.seed}: train.py has no seed flag; its initialisation, ` +
        'shuffling and augmentation differ from run to run',
    ),
  limit: (r) =>
    r.limit === 0
      ? NONE
      : note(
          `limit ${r.limit}: train.py trains on every image under ` +
            'train/; copy a subset there to match',
        ),
};
