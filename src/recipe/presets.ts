// Named recipes. The study fine-tunes an ImageNet ResNet-50 on Stanford Cars
// at 224 px and climbs a ladder, each rung adding to the one below with the
// flags of torchvision's references/classification/train.py; its published
// val top-1 is beside each rung. The ladder is data (ordered steps, each a
// patch), so a display can list it and an ablation can take any steps in
// any order; the presets are its cumulative rungs.
//
// Where the study leaves a value unsaid, the preset takes what a train.py
// run gets: the flag's default, or for the warmup what torchvision's own
// published recipes pass (5 epochs, linear, decay 0.01). Each such value is
// marked "implicit" below with its source.
import { closeNames } from '../lib/edit-distance';
import { DEFAULT_RECIPE, type Recipe } from './recipe';
import { RecipeError, resolveRecipe } from './validate';

export interface LadderStep {
  /** Kebab-case name; the preset of the rung is `blog-` and this. */
  name: string;
  /** What the rung adds, in the words of the study's table. */
  title: string;
  /** The options the rung changes over the rung below. */
  patch: Readonly<Partial<Recipe>>;
  /** Published val top-1 (%) after the rung. */
  top1: number;
}

export const BLOG_LADDER: readonly LadderStep[] = [
  {
    name: 'baseline',
    title: 'ResNet-50 fine-tuning: SGD with Nesterov, LR 0.01, batch 32',
    top1: 88.22,
    patch: {
      model: 'resnet50',
      pretrained: true,
      width: 1,
      imageSize: 224,
      // Implicit: train.py's --val-resize-size and --val-crop-size.
      valResizeSize: 256,
      valCropSize: 224,
      // Implicit: train.py's --epochs. The study gives no epoch count.
      epochs: 90,
      batchSize: 32,
      opt: 'sgd-nesterov',
      lr: 0.01,
      // Implicit: train.py's --momentum and --weight-decay.
      momentum: 0.9,
      weightDecay: 1e-4,
      // The next rung adds StepLR, so the baseline's LR is constant.
      lrScheduler: 'none',
      // Implicit: train.py always crops and flips its training images.
      cropFlip: true,
    },
  },
  {
    name: 'lr-optimizations',
    title: 'batch 128, LR 0.1, StepLR, warmup',
    top1: 89.21,
    patch: {
      batchSize: 128,
      lr: 0.1,
      lrScheduler: 'steplr',
      // Implicit: train.py's --lr-step-size and --lr-gamma.
      lrStepSize: 30,
      lrGamma: 0.1,
      // Implicit: torchvision's recipes (e.g. ResNet-50's IMAGENET1K_V2)
      // warm up for 5 epochs, linearly, from train.py's default decay 0.01.
      lrWarmupEpochs: 5,
      lrWarmupMethod: 'linear',
      lrWarmupDecay: 0.01,
    },
  },
  {
    name: 'trivial-augment',
    title: 'TrivialAugment',
    top1: 92.66,
    patch: { autoAugment: 'ta_wide' },
  },
  {
    name: 'cosine',
    title: 'cosine LR schedule',
    top1: 93.22,
    // Implicit: train.py's --lr-min 0 (CosineAnnealingLR's eta_min).
    patch: { lrScheduler: 'cosineannealinglr', lrMin: 0 },
  },
  {
    name: 'label-smoothing',
    title: 'label smoothing 0.1, LR 0.4',
    top1: 94.5,
    patch: { labelSmoothing: 0.1, lr: 0.4 },
  },
  {
    name: 'random-erasing',
    title: 'random erasing 0.1',
    top1: 94.93,
    patch: { randomErase: 0.1 },
  },
  {
    name: 'ema',
    title: 'EMA of the weights',
    top1: 94.93,
    // Implicit: train.py's --model-ema-steps and --model-ema-decay, which
    // torchvision's recipes keep.
    patch: { modelEma: true, modelEmaSteps: 32, modelEmaDecay: 0.99998 },
  },
];

export const LADDER_STEP_NAMES = BLOG_LADDER.map((step) => step.name);

export interface Rung {
  step: LadderStep;
  /** The recipe with this step and every one before it in the list. */
  recipe: Recipe;
}

/**
 * The cumulative recipes of `names`, in order: each step's patch over the
 * recipe before it, starting from `base`. Every rung is validated, so an
 * ablation that makes an inconsistent recipe fails here, by name.
 */
export function buildLadder(
  names: readonly string[],
  base: Readonly<Recipe> = DEFAULT_RECIPE,
): Rung[] {
  const rungs: Rung[] = [];
  let recipe: Recipe = { ...base };
  for (const name of names) {
    const step = BLOG_LADDER.find((s) => s.name === name);
    if (!step) {
      throw new Error(unknownName('ladder step', name, LADDER_STEP_NAMES));
    }
    if (rungs.some((r) => r.step === step)) {
      throw new Error(`ladder step "${name}" is given twice`);
    }
    try {
      recipe = resolveRecipe({ ...recipe, ...step.patch });
    } catch (error) {
      if (!(error instanceof RecipeError)) throw error;
      throw new Error(`ladder step "${name}": ${error.message}`, {
        cause: error,
      });
    }
    rungs.push({ step, recipe });
  }
  return rungs;
}

function unknownName(what: string, name: string, known: readonly string[]) {
  const close = closeNames(name, known);
  const hint = close.length > 0 ? ` (did you mean ${close.join(', ')}?)` : '';
  const expected = `expected one of ${known.join(', ')}`;
  return `unknown ${what} "${name}"${hint}; ${expected}`;
}

const BLOG_RUNGS = buildLadder(LADDER_STEP_NAMES);

/** Every preset by name, in ladder order; `blog-final` is the top rung. */
export const PRESETS: ReadonlyMap<string, Readonly<Recipe>> = new Map([
  ...BLOG_RUNGS.map(
    (r) => [`blog-${r.step.name}`, Object.freeze(r.recipe)] as const,
  ),
  ['blog-final', Object.freeze(BLOG_RUNGS.at(-1)!.recipe)] as const,
]);

export const PRESET_NAMES = [...PRESETS.keys()];

/** The preset called `name`; throws naming the presets there are. */
export function presetRecipe(name: string): Recipe {
  const recipe = PRESETS.get(name);
  if (!recipe) throw new Error(unknownName('preset', name, PRESET_NAMES));
  return { ...recipe };
}
