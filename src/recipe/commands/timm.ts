// Each option of the recipe as flags of timm's train.py, or as a note where
// timm has none or means something else by it. Like torchvision's, timm's
// -b is per process and its --lr is taken as given, for the whole batch.
// Where timm's defaults differ from the lab's (label smoothing 0.1, a
// cosine schedule with 5 warmup epochs, random training interpolation,
// per-pixel random erasing), the flag is written even at the lab's
// default.
import type { ModelName, Recipe } from '../recipe';
import { effectiveEmaDecay } from '../../train/ema-decay';
import {
  both,
  flags,
  fromScratch,
  NONE,
  note,
  perProcessBatch,
  type CommandTable,
} from './mapped';

/** timm's names for the lab's models. */
const TIMM_MODELS: Record<ModelName, string> = {
  resnet18: 'resnet18',
  resnet34: 'resnet34',
  resnet50: 'resnet50',
  mobilenet_v3_large: 'mobilenetv3_large_100',
};

/** The model, with the weight file's tag when it is one of timm's. */
function modelName(r: Readonly<Recipe>): string {
  const tagged = r.pretrained
    ? /^timm\/([\w.-]+)$/.exec(r.weights ?? '')
    : null;
  return tagged ? tagged[1]! : TIMM_MODELS[r.model];
}

/** RandAugment's magnitude bin of 31 (0-30) on timm's scale of 0-10. */
const timmMagnitude = (bin: number) => Math.round((bin * 10) / 30);

function autoAugment(r: Readonly<Recipe>): string | null {
  switch (r.autoAugment) {
    case 'ta_wide':
      // One op a time, its magnitude drawn uniformly, always applied.
      return 'rand-n1-m10-mstd101-p1.0';
    case 'ra':
      return `rand-n2-m${timmMagnitude(r.raMagnitude)}-p1.0`;
    case 'imagenet':
      return 'original';
    default:
      return null;
  }
}

const hasMomentum = (r: Readonly<Recipe>) => r.opt !== 'adamw';
const warms = (r: Readonly<Recipe>) => r.lrWarmupEpochs > 0;

/** timm's own optimizer names: its 'sgd' is Nesterov's. */
const TIMM_OPTS: Record<Recipe['opt'], string> = {
  sgd: 'momentum',
  'sgd-nesterov': 'sgd',
  rmsprop: 'rmsprop',
  adamw: 'adamw',
};

function schedule(r: Readonly<Recipe>) {
  switch (r.lrScheduler) {
    case 'cosineannealinglr':
      return flags('--sched', 'cosine');
    case 'steplr':
      return flags('--sched', 'step');
    case 'exponentiallr':
      // A step schedule that decays every epoch is the exponential one.
      return flags('--sched', 'step', '--decay-epochs', 1);
    case 'none':
      return both(
        flags('--sched', 'step', '--decay-epochs', r.epochs),
        note(
          'lr-scheduler none: timm has no constant schedule; a step ' +
            'schedule that first decays after the last epoch stands in',
        ),
      );
  }
}

export const timmTable: CommandTable = {
  model: (r, t) =>
    both(
      flags('--model', modelName(r)),
      t.numClasses === null
        ? note('num-classes: set --num-classes to the classes of the dataset')
        : flags('--num-classes', t.numClasses),
    ),
  width: (r) =>
    r.width === 1
      ? NONE
      : note(`width ${r.width}: timm builds the published network`),
  pretrained: (r) =>
    r.pretrained ? both(flags('--pretrained'), fromScratch(r)) : NONE,
  weights: (r) =>
    r.weights === null || r.weights.startsWith('timm/')
      ? NONE
      : note(
          `weights ${r.weights}: timm loads its own pretrained weights ` +
            'for the model',
        ),
  epochs: (r) => flags('--epochs', r.epochs),
  batchSize: (r, t) => {
    const { batch, notes } = perProcessBatch(r, t);
    return { args: ['-b', String(batch)], notes };
  },
  microBatchSize: (r) =>
    r.microBatchSize === null
      ? NONE
      : note(
          `micro-batch-size ${r.microBatchSize}: timm's -b is the batch ` +
            'of a pass; the command keeps the whole share in one pass',
        ),
  opt: (r) =>
    r.opt === 'rmsprop'
      ? flags('--opt', 'rmsprop', '--opt-eps', 0.0316)
      : flags('--opt', TIMM_OPTS[r.opt]),
  lr: (r) => flags('--lr', r.lr),
  momentum: (r) => (hasMomentum(r) ? flags('--momentum', r.momentum) : NONE),
  weightDecay: (r) =>
    both(
      flags('--weight-decay', r.weightDecay),
      r.weightDecay === 0
        ? NONE
        : note(
            'weight-decay: timm never decays biases and normalization ' +
              'weights',
          ),
    ),
  normWeightDecay: (r) =>
    r.normWeightDecay === null || r.normWeightDecay === 0
      ? NONE
      : note(
          `norm-weight-decay ${r.normWeightDecay}: timm has no flag for ` +
            'it and leaves normalization weights undecayed',
        ),
  biasWeightDecay: (r) =>
    r.biasWeightDecay === null || r.biasWeightDecay === 0
      ? NONE
      : note(
          `bias-weight-decay ${r.biasWeightDecay}: timm has no flag for ` +
            'it and leaves biases undecayed',
        ),
  lrScheduler: schedule,
  lrSchedulePer: (r) =>
    r.lrSchedulePer === 'step' ? flags('--sched-on-updates') : NONE,
  lrStepSize: (r) =>
    r.lrScheduler === 'steplr' ? flags('--decay-epochs', r.lrStepSize) : NONE,
  lrGamma: (r) =>
    r.lrScheduler === 'steplr' || r.lrScheduler === 'exponentiallr'
      ? flags('--decay-rate', r.lrGamma)
      : NONE,
  lrMin: (r) => flags('--min-lr', r.lrMin),
  // torchvision starts the main schedule after the warmup, which is
  // timm's --warmup-prefix.
  lrWarmupEpochs: (r) =>
    warms(r)
      ? flags('--warmup-epochs', r.lrWarmupEpochs, '--warmup-prefix')
      : flags('--warmup-epochs', 0),
  lrWarmupMethod: (r) =>
    warms(r) && r.lrWarmupMethod === 'constant'
      ? note(
          'lr-warmup-method constant: timm warms up linearly from ' +
            '--warmup-lr',
        )
      : NONE,
  lrWarmupDecay: (r) =>
    warms(r) ? flags('--warmup-lr', r.lr * r.lrWarmupDecay) : NONE,
  labelSmoothing: (r) => flags('--smoothing', r.labelSmoothing),
  mixupAlpha: (r) =>
    r.mixupAlpha === 0 ? NONE : flags('--mixup', r.mixupAlpha),
  cutmixAlpha: (r) =>
    r.cutmixAlpha === 0 ? NONE : flags('--cutmix', r.cutmixAlpha),
  imageSize: (r) => flags('--img-size', r.imageSize),
  valResizeSize: (r) => {
    const crop = r.valCropSize ?? r.imageSize;
    const resize = r.valResizeSize ?? crop;
    return flags('--crop-pct', Number((crop / resize).toFixed(6)));
  },
  valCropSize: (r) =>
    r.valCropSize === null || r.valCropSize === r.imageSize
      ? NONE
      : note(
          `val-crop-size ${r.valCropSize}: timm evaluates at --img-size ` +
            `${r.imageSize}`,
        ),
  interpolation: (r) =>
    flags(
      '--interpolation',
      r.interpolation,
      '--train-interpolation',
      r.interpolation,
    ),
  cropFlip: (r) =>
    r.cropFlip ? NONE : flags('--scale', 1, 1, '--ratio', 1, 1, '--hflip', 0),
  autoAugment: (r) => {
    if (r.autoAugment === 'standard') {
      return note(
        'auto-augment standard: timm has no PCA lighting; its ' +
          '--color-jitter covers only part of it',
      );
    }
    const policy = autoAugment(r);
    if (policy === null) return NONE;
    return both(
      flags('--aa', policy),
      note(
        `auto-augment ${r.autoAugment}: --aa ${policy} is timm's nearest ` +
          "policy; its ops' ranges differ from torchvision's",
      ),
    );
  },
  raMagnitude: () => NONE,
  randomErase: (r) =>
    r.randomErase === 0
      ? NONE
      : flags('--reprob', r.randomErase, '--remode', 'const'),
  modelEma: (r) => (r.modelEma ? flags('--model-ema') : NONE),
  modelEmaSteps: (r) =>
    r.modelEma
      ? note(
          `model-ema-steps ${r.modelEmaSteps}: timm updates the average ` +
            'every step; the decay is rescaled to match',
        )
      : NONE,
  // torchvision's decay a step: its per-update decay, updated every
  // modelEmaSteps steps, spread over those steps.
  modelEmaDecay: (r) => {
    if (!r.modelEma) return NONE;
    const perUpdate = effectiveEmaDecay({ ...r, worldSize: 1 });
    const perStep = perUpdate ** (1 / r.modelEmaSteps);
    return flags('--model-ema-decay', Number(perStep.toPrecision(10)));
  },
  patience: (r) =>
    r.patience === 0
      ? NONE
      : note(
          `patience ${r.patience}: timm has no early stopping; its ` +
            '--patience-epochs belongs to the plateau schedule',
        ),
  patienceOn: (r) =>
    r.patience === 0 || r.patienceOn === 'model'
      ? NONE
      : note('patience-on ema: nothing to watch without early stopping'),
  seed: (r) => flags('--seed', r.seed),
  limit: (r) =>
    r.limit === 0
      ? NONE
      : note(
          `limit ${r.limit}: timm trains on every image of the split; ` +
            'copy a subset to match',
        ),
};
