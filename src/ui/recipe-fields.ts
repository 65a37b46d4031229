// The recipe form as data: the steps of the reference's recipe in its own
// order, each with the options that set it, their labels, and when an
// option matters. The form draws every control from this table, so a new
// option needs one row here and none in the components.
import { DEFAULT_RECIPE, formatValue, type Recipe } from '../recipe/recipe';
import { RecipeError, resolveRecipe } from '../recipe/validate';
import { effectiveEmaDecay } from '../train/ema-decay';
import {
  DRAFT_FIELDS,
  draftOverrides,
  draftProblems,
  draftValue,
  type DraftField,
  type RecipeDraft,
} from './recipe-draft';

export interface FieldSpec {
  key: DraftField;
  label: string;
  /** Whether the option matters with the rest of the draft; default yes. */
  shown?: (d: RecipeDraft) => boolean;
}

export interface StepSpec {
  id: string;
  title: string;
  fields: readonly FieldSpec[];
  /** Whether the step is switched on, for the section's summary. */
  isOn?: (d: RecipeDraft) => boolean;
}

const above0 = (d: RecipeDraft, key: DraftField) => Number(d[key]) > 0;

// While a switch's text is being typed ("" on the way from 5 to 10) the
// step's parameters stay, so that they are not reset mid-edit; only a 0
// switches the step off.
const isZero = (d: RecipeDraft, key: DraftField) =>
  d[key].trim() !== '' && Number(d[key]) === 0;

// `shown` mirrors the "only used with" rules of cross-rules.ts: an option
// is hidden exactly when the recipe requires it at its default.
export const RECIPE_STEPS: readonly StepSpec[] = [
  {
    id: 'basics',
    title: 'Model and data',
    fields: [
      { key: 'model', label: 'Model' },
      { key: 'pretrained', label: 'Start from pretrained weights' },
      {
        key: 'weights',
        label: 'Weights (id in the Weights panel)',
        shown: (d) => d.pretrained === 'true',
      },
      { key: 'width', label: 'Width multiplier' },
      { key: 'imageSize', label: 'Image size (px)' },
      { key: 'epochs', label: 'Epochs' },
      { key: 'batchSize', label: 'Batch size' },
      { key: 'lr', label: 'Learning rate' },
      { key: 'seed', label: 'Seed' },
      { key: 'limit', label: 'Training images (0 = all)' },
      { key: 'microBatchSize', label: 'Micro-batch size (none = batch)' },
      { key: 'valResizeSize', label: 'Val resize (px, none = crop)' },
      { key: 'valCropSize', label: 'Val crop (px, none = image size)' },
    ],
  },
  {
    id: 'optimizer',
    title: 'Optimizer',
    fields: [
      { key: 'opt', label: 'Optimizer' },
      { key: 'momentum', label: 'Momentum', shown: (d) => d.opt !== 'adamw' },
      { key: 'weightDecay', label: 'Weight decay' },
      { key: 'normWeightDecay', label: 'Norm weight decay (none = same)' },
      { key: 'biasWeightDecay', label: 'Bias weight decay (none = same)' },
    ],
  },
  {
    id: 'schedule',
    title: 'LR schedule',
    isOn: (d) => d.lrScheduler !== 'none' || above0(d, 'lrWarmupEpochs'),
    fields: [
      { key: 'lrScheduler', label: 'LR scheduler' },
      { key: 'lrSchedulePer', label: 'Schedule steps per' },
      {
        key: 'lrStepSize',
        label: 'LR step size (epochs)',
        shown: (d) => d.lrScheduler === 'steplr',
      },
      {
        key: 'lrGamma',
        label: 'LR gamma',
        shown: (d) => ['steplr', 'exponentiallr'].includes(d.lrScheduler),
      },
      {
        key: 'lrMin',
        label: 'Minimum LR',
        shown: (d) => d.lrScheduler === 'cosineannealinglr',
      },
      { key: 'lrWarmupEpochs', label: 'Warmup epochs (0 = off)' },
      {
        key: 'lrWarmupMethod',
        label: 'Warmup method',
        shown: (d) => !isZero(d, 'lrWarmupEpochs'),
      },
      {
        key: 'lrWarmupDecay',
        label: 'Warmup decay',
        shown: (d) => !isZero(d, 'lrWarmupEpochs'),
      },
    ],
  },
  {
    id: 'loss',
    title: 'Label smoothing',
    isOn: (d) => above0(d, 'labelSmoothing'),
    fields: [{ key: 'labelSmoothing', label: 'Label smoothing (0 = off)' }],
  },
  {
    id: 'augment',
    title: 'Augmentation',
    isOn: (d) =>
      d.cropFlip === 'true' ||
      d.autoAugment !== 'none' ||
      above0(d, 'randomErase'),
    fields: [
      { key: 'cropFlip', label: 'Random resized crop and flip' },
      { key: 'autoAugment', label: 'Augmentation policy' },
      {
        key: 'raMagnitude',
        label: 'RandAugment magnitude',
        shown: (d) => d.autoAugment === 'ra',
      },
      { key: 'randomErase', label: 'Random erasing probability' },
    ],
  },
  {
    id: 'mix',
    title: 'MixUp and CutMix',
    isOn: (d) => above0(d, 'mixupAlpha') || above0(d, 'cutmixAlpha'),
    fields: [
      { key: 'mixupAlpha', label: 'MixUp alpha (0 = off)' },
      { key: 'cutmixAlpha', label: 'CutMix alpha (0 = off)' },
    ],
  },
  {
    id: 'ema',
    title: 'EMA of the weights',
    isOn: (d) => d.modelEma === 'true',
    fields: [
      { key: 'modelEma', label: 'Keep an EMA of the weights' },
      {
        key: 'modelEmaSteps',
        label: 'EMA update every (steps)',
        shown: (d) => d.modelEma === 'true',
      },
      {
        key: 'modelEmaDecay',
        label: 'EMA decay',
        shown: (d) => d.modelEma === 'true',
      },
    ],
  },
  {
    id: 'stopping',
    title: 'Early stopping',
    isOn: (d) => above0(d, 'patience'),
    fields: [
      { key: 'patience', label: 'Patience (epochs, 0 = off)' },
      {
        key: 'patienceOn',
        label: 'Patience watches',
        shown: (d) => !isZero(d, 'patience'),
      },
    ],
  },
];

const SPECS = new Map(
  RECIPE_STEPS.flatMap((step) => step.fields).map((f) => [f.key, f]),
);

/** Options the form has no control for, so the page lists them instead. */
export const UNFORMED_KEYS = DRAFT_FIELDS.filter((key) => !SPECS.has(key));

export function isShown(draft: RecipeDraft, key: DraftField): boolean {
  return SPECS.get(key)?.shown?.(draft) ?? true;
}

/**
 * The draft with one field changed; the options that stop mattering go
 * back to their defaults, as the recipe's rules require, so switching a
 * step off never leaves the form with a recipe that cannot run.
 */
export function editDraft(
  draft: RecipeDraft,
  key: DraftField,
  value: string,
): RecipeDraft {
  const next = { ...draft, [key]: value };
  for (const spec of SPECS.values()) {
    if (spec.shown && !spec.shown(next)) {
      next[spec.key] = formatValue(DEFAULT_RECIPE[spec.key]);
    }
  }
  return next;
}

/**
 * Each field's problem: its own range first, then once every field
 * passes, the rules across options, under the option each rule names.
 */
export function formProblems(
  base: Readonly<Recipe>,
  draft: RecipeDraft,
): Partial<Record<DraftField, string>> {
  const problems = draftProblems(draft);
  const overrides = draftOverrides(draft);
  if (!overrides) return problems;
  try {
    resolveRecipe({ ...base, ...overrides });
  } catch (error) {
    if (!(error instanceof RecipeError)) throw error;
    // The default namer writes each problem as "key: what is wrong".
    for (const problem of error.problems) {
      const [key, ...rest] = problem.split(': ');
      problems[key as DraftField] = `${key}: ${rest.join(': ')}`;
    }
  }
  return problems;
}

/** A batch size and the LR that went with it, before the batch changed. */
export interface LrScaleFrom {
  batchSize: number;
  lr: number;
}

/**
 * The linear scaling rule (Goyal et al., 2017): the LR times the new
 * batch over the old. null when the batch is unchanged or bad, or the LR
 * already follows the rule.
 */
export function lrScalingSuggestion(
  from: LrScaleFrom | null,
  draft: RecipeDraft,
): number | null {
  const batchSize = draftValue(draft, 'batchSize');
  const lr = draftValue(draft, 'lr');
  if (!from || typeof batchSize !== 'number' || typeof lr !== 'number') {
    return null;
  }
  if (batchSize === from.batchSize) return null;
  // Twelve digits drop the float noise of the product (0.30000000000000004).
  const scaled = Number(
    ((from.lr * batchSize) / from.batchSize).toPrecision(12),
  );
  return scaled === lr ? null : scaled;
}

/** What the EMA's decay becomes per update, as train.py adjusts it. */
export function emaDecayNote(draft: RecipeDraft): string | null {
  const get = (key: DraftField) => draftValue(draft, key);
  const [decay, steps, batch, epochs] = [
    get('modelEmaDecay'),
    get('modelEmaSteps'),
    get('batchSize'),
    get('epochs'),
  ];
  if (get('modelEma') !== true) return null;
  if (![decay, steps, batch, epochs].every((v) => typeof v === 'number')) {
    return null;
  }
  const effective = effectiveEmaDecay({
    modelEmaDecay: decay as number,
    modelEmaSteps: steps as number,
    batchSize: batch as number,
    epochs: epochs as number,
  });
  return (
    `Per update the average keeps ${Number(effective.toPrecision(6))} ` +
    `of itself: decay ${decay} adjusted for batch ${batch}, ` +
    `an update every ${steps} steps and ${epochs} epochs.`
  );
}
