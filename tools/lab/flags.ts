// The flags of each CLI command as data: one table says what a flag means,
// which values it takes and its default, and both the parser and the help
// text read it. Recipe flags are the kebab-case of the Recipe keys and are
// checked by the app's own validator, so the CLI never accepts a value the
// app would refuse.
import {
  DEFAULT_IMPORT_OPTIONS,
  type ImageFit,
  type ImportOptions,
} from '../../src/data/import/types';
import { LADDER_DEFAULT_STEPS } from '../../src/recipe/ladder';
import { LADDER_STEP_NAMES, PRESET_NAMES } from '../../src/recipe/presets';
import {
  CHOICE_NOTES,
  DEFAULT_RECIPE,
  formatValue,
  kebabCase,
  type Recipe,
  type RecipeValue,
} from '../../src/recipe/recipe';
import {
  checkOption,
  describeOption,
  RECIPE_KEYS,
} from '../../src/recipe/validate';
import type { BenchOptions, KernelSet } from '../../src/train/protocol';
import { WEIGHT_FORMAT_NAMES } from '../../src/weights/formats';

export { LADDER_DEFAULT_STEPS };

export const DEMO_DATASET = 'fashion-mnist-demo';

export type Topic =
  | 'train'
  | 'bench'
  | 'ladder'
  | 'import'
  | 'bench-import'
  | 'recipe'
  | 'convert'
  | 'predict'
  | 'weights';
export const TOPICS: readonly Topic[] = [
  'train',
  'bench',
  'ladder',
  'import',
  'bench-import',
  'recipe',
  'convert',
  'predict',
  'weights',
];

export type Checked =
  { ok: true; value: RecipeValue } | { ok: false; message: string };

export interface FlagSpec {
  /** The flag without its dashes, e.g. "image-size". */
  name: string;
  /** Placeholder for its value in the help text. */
  placeholder: string;
  /** One phrase for the help text, including the values allowed. */
  help: string;
  /** What values are allowed, as the help and the errors phrase it. */
  allowed: string;
  /** The default as shown in the help; null: none. */
  fallback: string | null;
  /** The value of the flag given alone (a switch); absent: one must follow. */
  bare?: string;
  check(raw: string): Checked;
}

export { kebabCase };

const RECIPE_HELP: Record<keyof Recipe, [string, string]> = {
  model: ['NAME', 'network architecture'],
  pretrained: ['BOOL', 'start from the weights named by --weights'],
  weights: ['ID', "id of weights in the app's cache, with --pretrained"],
  width: ['X', "multiplies every layer's width; 1 is the published network"],
  imageSize: ['PX', 'side of the square training crop (--train-crop-size)'],
  valResizeSize: ['PX', 'eval resize of the shorter side; none: to the crop'],
  valCropSize: ['PX', 'eval centre crop; none: --image-size'],
  interpolation: ['NAME', 'resampling of crops, resizes and policy ops'],
  epochs: ['N', 'passes over the training split'],
  batchSize: ['N', 'images per optimizer step'],
  microBatchSize: [
    'N',
    'images per pass, gradients summed over a batch (batch norm sees ' +
      'each pass alone); none: the whole batch',
  ],
  opt: ['NAME', 'optimizer'],
  lr: ['X', 'learning rate'],
  momentum: ['X', 'momentum of SGD and RMSprop'],
  weightDecay: ['X', 'weight decay'],
  normWeightDecay: [
    'X',
    'weight decay of normalization layers; none: as the rest',
  ],
  biasWeightDecay: ['X', "weight decay of biases; none: their layer's"],
  lrScheduler: ['NAME', 'LR schedule after the warmup'],
  lrSchedulePer: [
    'WHEN',
    'advance the schedule every epoch (as the reference) or step',
  ],
  lrStepSize: ['N', 'steplr: epochs between drops'],
  lrGamma: ['X', 'steplr and exponentiallr: the factor of a drop or an epoch'],
  lrMin: ['X', 'cosineannealinglr: the LR it anneals to'],
  lrWarmupEpochs: ['N', 'epochs of warmup before the schedule'],
  lrWarmupMethod: ['NAME', 'warmup'],
  lrWarmupDecay: ['X', 'the warmup starts from lr times X'],
  labelSmoothing: ['X', 'label smoothing, spread over all classes'],
  mixupAlpha: ['X', 'MixUp Beta(X, X); 0: off'],
  cutmixAlpha: ['X', 'CutMix Beta(X, X); 0: off'],
  cropFlip: [
    'BOOL',
    'random resized crop and flip, as the reference always does',
  ],
  autoAugment: ['NAME', 'augmentation policy, after any crop and flip'],
  raMagnitude: ['N', 'ra: magnitude bin'],
  randomErase: ['P', 'probability of random erasing'],
  modelEma: [
    'BOOL',
    'evaluate an exponential moving average of the weights too',
  ],
  modelEmaSteps: ['N', 'update the EMA every N steps'],
  modelEmaDecay: [
    'X',
    'EMA decay, rescaled as the reference does by batch size, EMA steps ' +
      'and epochs (`recipe` prints the result)',
  ],
  patience: ['N', 'stop after N epochs without a better val top-1; 0: never'],
  patienceOn: [
    'WHO',
    "whose val top-1 patience watches: the model's or the EMA's",
  ],
  seed: ['N', 'seeds initialisation, shuffling, subsets and augmentation'],
  limit: ['N', 'train on a seeded, class-balanced subset of N images; 0: all'],
};

/** The allowed values, with a phrase for each where recipe.ts has one. */
function describeChoices(key: keyof Recipe): string {
  const notes = CHOICE_NOTES[key];
  if (!notes) return describeOption(key);
  const each = Object.entries(notes).map(([name, note]) => `${name} (${note})`);
  return `one of ${each.join(', ')}`;
}

function recipeFlag(key: keyof Recipe, fallback: RecipeValue): FlagSpec {
  const [placeholder, help] = RECIPE_HELP[key];
  const isSwitch = typeof DEFAULT_RECIPE[key] === 'boolean';
  return {
    name: kebabCase(key),
    placeholder,
    help: `${help}; ${describeChoices(key)}${isSwitch ? '; alone: true' : ''}`,
    allowed: describeOption(key),
    fallback: formatValue(fallback),
    ...(isSwitch ? { bare: 'true' } : {}),
    check: (raw) => {
      const result = checkOption(key, raw);
      if (result.ok) return result;
      return { ok: false, message: stripKey(result.message, key) };
    },
  };
}

/** "imageSize: expected ..." becomes "expected ...". */
export function stripKey(message: string, key: string): string {
  return message.startsWith(`${key}: `)
    ? message.slice(key.length + 2)
    : message;
}

function integerFlag(
  name: string,
  help: string,
  range: { min: number; max: number },
  fallback: number,
): FlagSpec {
  return rangeFlag(name, help, range, fallback, true);
}

function numberFlag(
  name: string,
  help: string,
  range: { min: number; max: number },
  fallback: number,
): FlagSpec {
  return rangeFlag(name, help, range, fallback, false);
}

function rangeFlag(
  name: string,
  help: string,
  range: { min: number; max: number },
  fallback: number,
  integer: boolean,
): FlagSpec {
  const allowed =
    `${integer ? 'an integer' : 'a number'} from ${range.min} ` +
    `to ${range.max}`;
  return {
    name,
    placeholder: integer ? 'N' : 'X',
    help: `${help}; ${allowed}`,
    allowed,
    fallback: String(fallback),
    check: (raw) => {
      const value = raw.trim() === '' ? NaN : Number(raw);
      const valid =
        (integer ? Number.isInteger(value) : Number.isFinite(value)) &&
        value >= range.min &&
        value <= range.max;
      return valid
        ? { ok: true, value }
        : { ok: false, message: `expected ${allowed}, got "${raw}"` };
    },
  };
}

function textFlag(
  name: string,
  placeholder: string,
  help: string,
  allowed: string,
  fallback: string | null,
): FlagSpec {
  return {
    name,
    placeholder,
    help,
    allowed,
    fallback,
    check: (raw) =>
      raw === ''
        ? { ok: false, message: `expected ${allowed}, got ""` }
        : { ok: true, value: raw },
  };
}

function choiceFlag(
  name: string,
  help: string,
  choices: readonly string[],
  fallback: string,
): FlagSpec {
  const allowed = `one of ${choices.join(', ')}`;
  return {
    name,
    placeholder: 'NAME',
    help: `${help}; ${allowed}`,
    allowed,
    fallback,
    check: (raw) =>
      choices.includes(raw)
        ? { ok: true, value: raw }
        : { ok: false, message: `expected ${allowed}, got "${raw}"` },
  };
}

const KERNEL_SETS: readonly KernelSet[] = ['lab', 'tfjs'];

const DATA_FLAG = textFlag(
  'data',
  'NAME',
  'a dataset stored in the app, or "demo": Fashion-MNIST, imported into ' +
    'the app on first use',
  '"demo" or the name of a dataset stored in the app',
  'demo',
);

const JSON_FLAG = textFlag(
  'json',
  'PATH',
  'write the report as JSON to PATH (relative to the directory the ' +
    'command was started in)',
  'a file path',
  null,
);

// Small enough for about a minute on a 2-core machine with a software
// adapter: there a step of this model took 1.2-2 s at batch 16 with the
// lab's convolution kernels, and 3-5.5 s at batch 32.
export const BENCH_DEFAULTS: Readonly<BenchOptions> = Object.freeze({
  model: 'resnet18',
  width: 0.25,
  imageSize: 28,
  batchSize: 16,
  steps: 20,
  warmupSteps: 3,
  dataset: DEMO_DATASET,
  seed: 1,
  kernels: 'lab',
});

// The bench counts live tensors after step 2 and after step 20 (or its
// last step, if sooner) to catch a leak; src/train/bench.ts wants three
// steps in all.
const BENCH_STEP_RANGE = { min: 2, max: 100_000 };
const BENCH_ROUND_RANGE = { min: 1, max: 10 };
const WARMUP_STEP_RANGE = { min: 0, max: 10_000 };

/** Where the app is served when a profile is kept (see PROFILE_FLAG). */
export const PROFILE_PORT = 5175;

// IndexedDB belongs to the page's origin, port included: a kept profile
// only finds its datasets again when the app is served at the same port.
const PROFILE_FLAG = textFlag(
  'profile',
  'DIR',
  'keep the browser profile, and the datasets stored in it, in DIR ' +
    `between runs (the app is then served on port ${PROFILE_PORT}); ` +
    'import with it, then train with the same --profile',
  'a folder path',
  'a new profile, deleted at exit',
);

function presetFlag(help: string): FlagSpec {
  const flag = choiceFlag('preset', help, PRESET_NAMES, '');
  return { ...flag, fallback: null };
}

export const TRAIN_FLAGS: readonly FlagSpec[] = [
  {
    ...textFlag(
      'resume',
      'RUN',
      'continue a stopped run from its last checkpoint, with its own ' +
        'recipe and dataset: a run id, or `last` for the latest one ' +
        'stopped; needs the profile it ran in',
      'a run id or "last"',
      null,
    ),
  },
  {
    ...integerFlag(
      'kill-after-epoch',
      'the page is closed abruptly once epoch K is checkpointed, as a ' +
        'closed tab or a crash would; `--resume` continues the run',
      { min: 1, max: 10_000 },
      1,
    ),
    placeholder: 'K',
    fallback: null,
  },
  DATA_FLAG,
  presetFlag(
    'start from a named recipe (`recipe --preset NAME` prints it); the ' +
      'other flags override it',
  ),
  ...RECIPE_KEYS.map((key) => recipeFlag(key, DEFAULT_RECIPE[key])),
  PROFILE_FLAG,
  JSON_FLAG,
];

export const LADDER_FLAGS: readonly FlagSpec[] = [
  textFlag(
    'steps',
    'LIST',
    'the steps to add one after another, comma-separated, from: ' +
      LADDER_STEP_NAMES.join(', '),
    'a comma-separated list of ladder steps',
    LADDER_DEFAULT_STEPS.join(','),
  ),
  textFlag(
    'reject',
    'LIST',
    'steps among --steps that run as branches, tried and not kept',
    'a comma-separated list of steps from --steps',
    'none',
  ),
  integerFlag(
    'seeds',
    'runs of each rung, with seeds seed, seed+1, ...',
    {
      min: 1,
      max: 20,
    },
    2,
  ),
  ...TRAIN_FLAGS,
];

export const BENCH_FLAGS: readonly FlagSpec[] = [
  DATA_FLAG,
  presetFlag(
    'take the model, width, image size, batch size and seed of a named ' +
      'recipe; the other flags override them',
  ),
  recipeFlag('model', BENCH_DEFAULTS.model),
  recipeFlag('width', BENCH_DEFAULTS.width),
  recipeFlag('imageSize', BENCH_DEFAULTS.imageSize),
  recipeFlag('batchSize', BENCH_DEFAULTS.batchSize),
  integerFlag(
    'steps',
    'timed steps for each of the two measurements',
    BENCH_STEP_RANGE,
    BENCH_DEFAULTS.steps,
  ),
  integerFlag(
    'warmup-steps',
    'untimed steps first, while shaders compile',
    WARMUP_STEP_RANGE,
    BENCH_DEFAULTS.warmupSteps,
  ),
  integerFlag(
    'rounds',
    'bare and lab measurements alternate this many times, best of each',
    BENCH_ROUND_RANGE,
    2,
  ),
  recipeFlag('seed', BENCH_DEFAULTS.seed),
  choiceFlag(
    'kernels',
    "kernel set: the lab's own kernels where they apply, or tfjs's stock " +
      'kernels only',
    KERNEL_SETS,
    BENCH_DEFAULTS.kernels,
  ),
  JSON_FLAG,
];

export const IMAGE_FITS: readonly ImageFit[] = ['squash', 'keep-aspect'];

/** What `import` and `bench-import` pass to the app's importer. */
export type ImportFlags = Pick<
  ImportOptions,
  'imageSize' | 'fit' | 'valFraction' | 'seed'
>;

// The importer's own defaults, so the CLI and the page agree.
export const IMPORT_DEFAULTS: Readonly<ImportFlags> = Object.freeze({
  imageSize: DEFAULT_IMPORT_OPTIONS.imageSize,
  fit: DEFAULT_IMPORT_OPTIONS.fit,
  valFraction: DEFAULT_IMPORT_OPTIONS.valFraction,
  seed: DEFAULT_IMPORT_OPTIONS.seed,
});

const IMPORT_OPTION_FLAGS: readonly FlagSpec[] = [
  integerFlag(
    'image-size',
    'side of the stored square images in pixels',
    { min: 8, max: 1024 },
    IMPORT_DEFAULTS.imageSize,
  ),
  choiceFlag(
    'fit',
    'squash: stretch each crop to a square; keep-aspect: scale its ' +
      'longer side to fit and pad the rest',
    IMAGE_FITS,
    IMPORT_DEFAULTS.fit,
  ),
  numberFlag(
    'val-fraction',
    'images held out for validation when the source has no labelled ' +
      'test split',
    { min: 0, max: 0.5 },
    IMPORT_DEFAULTS.valFraction,
  ),
  integerFlag(
    'seed',
    'seeds the choice of held-out images',
    { min: 0, max: 2 ** 31 - 1 },
    IMPORT_DEFAULTS.seed,
  ),
];

export const IMPORT_FLAGS: readonly FlagSpec[] = [
  textFlag(
    'name',
    'NAME',
    'name of the dataset in the app (train with --data NAME)',
    'a dataset name',
    'the last part of PATH',
  ),
  ...IMPORT_OPTION_FLAGS,
  PROFILE_FLAG,
  JSON_FLAG,
];

/** The most images a synthetic bench set may have. */
export const MAX_SYNTHETIC = 100_000;

export const BENCH_IMPORT_FLAGS: readonly FlagSpec[] = [
  {
    ...integerFlag(
      'synthetic',
      'write N JPEGs with boxes in the devkit layout to a temporary ' +
        'folder and bench on them instead of PATH',
      { min: 10, max: MAX_SYNTHETIC },
      0,
    ),
    fallback: null,
  },
  ...IMPORT_OPTION_FLAGS,
  JSON_FLAG,
];

export const RECIPE_FLAGS: readonly FlagSpec[] = [
  presetFlag('the recipe QUERY applies to; the defaults if not given'),
];

/** The side of the images weights without a model card expect. */
export const DEFAULT_WEIGHTS_IMAGE_SIZE = 224;

function formatListFlag(): FlagSpec {
  const allowed = `a comma-separated list of ${WEIGHT_FORMAT_NAMES.join(', ')}`;
  return {
    name: 'format',
    placeholder: 'LIST',
    help: `formats to write; ${allowed}`,
    allowed,
    fallback: 'safetensors',
    check: (raw) => {
      const names = raw.split(',').map((n) => n.trim());
      const bad = names.filter(
        (n) => !(WEIGHT_FORMAT_NAMES as readonly string[]).includes(n),
      );
      return bad.length === 0 && names.length > 0
        ? { ok: true, value: names.join(',') }
        : { ok: false, message: `expected ${allowed}, got "${raw}"` };
    },
  };
}

const MODEL_FLAG = recipeFlag('model', DEFAULT_RECIPE.model);

export const CONVERT_FLAGS: readonly FlagSpec[] = [
  textFlag(
    'in',
    'FILE',
    'a safetensors file with torchvision (or timm) state-dict names',
    'a file path',
    null,
  ),
  MODEL_FLAG,
  {
    ...integerFlag(
      'classes',
      'classes of the model written; a file with another number gets a ' +
        'fresh head',
      { min: 1, max: 100_000 },
      0,
    ),
    fallback: null,
  },
  recipeFlag('width', 1),
  choiceFlag(
    'in-channels',
    'image channels: 3 for RGB, 1 for gray (an RGB first convolution is ' +
      'summed over its channels)',
    ['3', '1'],
    '3',
  ),
  integerFlag(
    'image-size',
    'input side recorded in the model card',
    { min: 8, max: 1024 },
    DEFAULT_WEIGHTS_IMAGE_SIZE,
  ),
  formatListFlag(),
  textFlag(
    'out',
    'DIR',
    'folder to write the files and model-card.json to',
    'a folder path',
    null,
  ),
];

export const PREDICT_FLAGS: readonly FlagSpec[] = [
  textFlag(
    'weights',
    'FILE',
    'a safetensors file; a model-card.json ' +
      'beside it gives class names, input size and normalisation',
    'a file path',
    null,
  ),
  MODEL_FLAG,
  textFlag(
    'images',
    'DIR',
    'a folder of images (PNG, JPEG, WebP, ...)',
    'a folder path',
    null,
  ),
  {
    ...integerFlag(
      'image-size',
      'side images are resized to; an image ' +
        'already this size is only normalised',
      { min: 8, max: 1024 },
      DEFAULT_WEIGHTS_IMAGE_SIZE,
    ),
    fallback: `the model card's, else ${DEFAULT_WEIGHTS_IMAGE_SIZE}`,
  },
  textFlag(
    'json',
    'PATH',
    'write the predictions as JSON to PATH',
    'a file path',
    null,
  ),
];

export const WEIGHTS_FLAGS: readonly FlagSpec[] = [
  textFlag(
    'id',
    'ID',
    'the id to cache the file under, which `train --weights` names',
    'a non-empty text',
    "the file's name, or the URL",
  ),
  textFlag(
    'profile',
    'DIR',
    'the browser profile whose weights cache to use; `train` finds the ' +
      'weights with the same --profile',
    'a folder path',
    "the lab's default profile (~/.cache/recipe-lab/profile)",
  ),
];

export const FLAGS: Record<Topic, readonly FlagSpec[]> = {
  train: TRAIN_FLAGS,
  bench: BENCH_FLAGS,
  ladder: LADDER_FLAGS,
  import: IMPORT_FLAGS,
  'bench-import': BENCH_IMPORT_FLAGS,
  recipe: RECIPE_FLAGS,
  convert: CONVERT_FLAGS,
  predict: PREDICT_FLAGS,
  weights: WEIGHTS_FLAGS,
};
