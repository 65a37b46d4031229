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
import { DEFAULT_RECIPE, type Recipe } from '../../src/recipe/recipe';
import { checkOption, RECIPE_KEYS } from '../../src/recipe/validate';
import type { BenchOptions, KernelSet } from '../../src/train/protocol';

export const DEMO_DATASET = 'fashion-mnist-demo';

export type Topic = 'train' | 'bench' | 'import' | 'bench-import';
export const TOPICS: readonly Topic[] = [
  'train',
  'bench',
  'import',
  'bench-import',
];

export type Checked =
  { ok: true; value: string | number } | { ok: false; message: string };

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
  check(raw: string): Checked;
}

export function kebabCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

const RECIPE_HELP: Record<keyof Recipe, [string, string]> = {
  model: ['NAME', 'network architecture'],
  width: ['X', "multiplies every layer's width; 1 is the published network"],
  imageSize: ['PX', 'side of the square input image in pixels'],
  opt: ['NAME', 'optimizer'],
  lr: ['X', 'learning rate'],
  momentum: ['X', 'momentum of SGD'],
  batchSize: ['N', 'images per optimizer step'],
  epochs: ['N', 'passes over the training split'],
  patience: ['N', 'stop after N epochs without a better val top-1; 0: never'],
  seed: ['N', 'seeds initialisation, shuffling and subsets'],
  limit: ['N', 'train on a seeded, class-balanced subset of N images; 0: all'],
};

// validate.ts keeps its rules to itself; asking it about a value that no
// rule accepts makes it phrase the allowed range, which keeps the help text
// and the app's own checks from drifting apart.
function allowedByRecipe(key: keyof Recipe): string {
  const result = checkOption(key, null);
  if (result.ok) return 'any value';
  const start = result.message.indexOf('expected ');
  const end = result.message.lastIndexOf(', got ');
  return start < 0 || end < start
    ? result.message
    : result.message.slice(start + 'expected '.length, end);
}

function recipeFlag(key: keyof Recipe, fallback: string | number): FlagSpec {
  const [placeholder, help] = RECIPE_HELP[key];
  return {
    name: kebabCase(key),
    placeholder,
    help: `${help}; ${allowedByRecipe(key)}`,
    allowed: allowedByRecipe(key),
    fallback: String(fallback),
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
  const allowed = `an integer from ${range.min} to ${range.max}`;
  return {
    name,
    placeholder: 'N',
    help: `${help}; ${allowed}`,
    allowed,
    fallback: String(fallback),
    check: (raw) => {
      const value = raw.trim() === '' ? NaN : Number(raw);
      const valid =
        Number.isInteger(value) && value >= range.min && value <= range.max;
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

function numberFlag(
  name: string,
  help: string,
  range: { min: number; max: number },
  fallback: number,
): FlagSpec {
  const allowed = `a number from ${range.min} to ${range.max}`;
  return {
    name,
    placeholder: 'X',
    help: `${help}; ${allowed}`,
    allowed,
    fallback: String(fallback),
    check: (raw) => {
      const value = raw.trim() === '' ? NaN : Number(raw);
      const valid =
        Number.isFinite(value) && value >= range.min && value <= range.max;
      return valid
        ? { ok: true, value }
        : { ok: false, message: `expected ${allowed}, got "${raw}"` };
    },
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

// The bench counts live tensors after step 2 and after step 20 to catch a
// leak, so fewer than 20 timed steps would leave the second count unread.
const BENCH_STEP_RANGE = { min: 20, max: 100_000 };
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

export const TRAIN_FLAGS: readonly FlagSpec[] = [
  DATA_FLAG,
  ...RECIPE_KEYS.map((key) => recipeFlag(key, DEFAULT_RECIPE[key])),
  PROFILE_FLAG,
  JSON_FLAG,
];

export const BENCH_FLAGS: readonly FlagSpec[] = [
  DATA_FLAG,
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

export const FLAGS: Record<Topic, readonly FlagSpec[]> = {
  train: TRAIN_FLAGS,
  bench: BENCH_FLAGS,
  import: IMPORT_FLAGS,
  'bench-import': BENCH_IMPORT_FLAGS,
};
