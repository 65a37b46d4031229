// Validation at the boundary: every way into a run (form, CLI, URL, the
// Worker's messages) goes through these checks. Unknown keys are rejected
// by name, with the close ones suggested; bad values with the range or
// the choices allowed; then the rules across options (cross-rules.ts).
// Messages name options through a `Namer`, so the app says `lrStepSize`,
// the CLI `--lr-step-size` and a URL `lr-step-size`.
import { closeNames } from '../lib/edit-distance';
import { crossProblems } from './cross-rules';
import {
  AUTO_AUGMENTS,
  camelCase,
  DEFAULT_RECIPE,
  INTERPOLATIONS,
  LR_SCHEDULE_PERS,
  LR_SCHEDULERS,
  LR_WARMUP_METHODS,
  MODEL_NAMES,
  OPTIMIZERS,
  PATIENCE_ONS,
  type Namer,
  type Recipe,
  type RecipeValue,
} from './recipe';

export type { Namer, RecipeValue };

const asIs: Namer = (key) => key;

interface NumberRule {
  kind: 'number';
  min: number;
  max: number;
  integer?: boolean;
  /** The minimum itself is not allowed. */
  above?: boolean;
  /** null (spelt "none") is allowed; what it means is in recipe.ts. */
  nullable?: boolean;
}

/** Free text without spaces, e.g. a cache id; null is spelt "none". */
interface TextRule {
  kind: 'text';
  maxLength: number;
  nullable: true;
}

export type Rule =
  | NumberRule
  | TextRule
  | { kind: 'choice'; choices: readonly string[] }
  | { kind: 'boolean' };

const int = (min: number, max: number): NumberRule => ({
  kind: 'number',
  min,
  max,
  integer: true,
});
const num = (min: number, max: number): NumberRule => ({
  kind: 'number',
  min,
  max,
});
const orNone = (rule: NumberRule): Rule => ({ ...rule, nullable: true });
const choice = (choices: readonly string[]): Rule => ({
  kind: 'choice',
  choices,
});
const BOOLEAN: Rule = { kind: 'boolean' };
const FRACTION_ABOVE_0: Rule = { kind: 'number', min: 0, max: 1, above: true };

// The order of this table is the canonical order of options: in URLs, in
// the CLI's help and in printed recipes. It follows the reference's
// grouping: model and data, optimizer, schedule, loss, augmentation, EMA.
const RULES: { readonly [K in keyof Recipe]: Rule } = {
  model: choice(MODEL_NAMES),
  pretrained: BOOLEAN,
  // A source name or a URL; the cache says whether it holds it.
  weights: { kind: 'text', maxLength: 2048, nullable: true },
  width: num(0.0625, 4),
  imageSize: int(8, 1024),
  valResizeSize: orNone(int(8, 2048)),
  valCropSize: orNone(int(8, 1024)),
  interpolation: choice(INTERPOLATIONS),
  epochs: int(1, 10_000),
  batchSize: int(1, 4096),
  microBatchSize: orNone(int(1, 4096)),
  opt: choice(OPTIMIZERS),
  lr: num(0, 100),
  momentum: num(0, 0.999),
  weightDecay: num(0, 1),
  normWeightDecay: orNone(num(0, 1)),
  biasWeightDecay: orNone(num(0, 1)),
  lrScheduler: choice(LR_SCHEDULERS),
  lrSchedulePer: choice(LR_SCHEDULE_PERS),
  lrStepSize: int(1, 10_000),
  // Above 1 the LR would grow; torch allows it, nobody means it.
  lrGamma: FRACTION_ABOVE_0,
  lrMin: num(0, 100),
  lrWarmupEpochs: int(0, 10_000),
  lrWarmupMethod: choice(LR_WARMUP_METHODS),
  // LinearLR's start_factor must be in (0, 1] (torch checks it).
  lrWarmupDecay: FRACTION_ABOVE_0,
  labelSmoothing: num(0, 1),
  mixupAlpha: num(0, 10),
  cutmixAlpha: num(0, 10),
  cropFlip: BOOLEAN,
  autoAugment: choice(AUTO_AUGMENTS),
  // torchvision's RandAugment has 31 magnitude bins.
  raMagnitude: int(0, 30),
  randomErase: num(0, 1),
  modelEma: BOOLEAN,
  modelEmaSteps: int(1, 100_000),
  modelEmaDecay: num(0, 1),
  patience: int(0, 10_000),
  patienceOn: choice(PATIENCE_ONS),
  seed: int(0, 2 ** 31 - 1),
  limit: int(0, 100_000_000),
};

export const RECIPE_KEYS = Object.keys(RULES) as (keyof Recipe)[];

export function isRecipeKey(key: string): key is keyof Recipe {
  return Object.hasOwn(RULES, key);
}

/** The kind and range of one option, for forms that draw its control. */
export function optionRule(key: keyof Recipe): Readonly<Rule> {
  return RULES[key];
}

export class RecipeError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'RecipeError';
  }
}

/** What an option allows, e.g. "an integer from 1 to 4096". */
export function describeOption(key: keyof Recipe): string {
  const rule = RULES[key];
  if (rule.kind === 'choice') return `one of ${rule.choices.join(', ')}`;
  if (rule.kind === 'boolean') return 'true or false';
  if (rule.kind === 'text') {
    return (
      `an id of cached weights without spaces, at most ${rule.maxLength} ` +
      'characters (e.g. timm/resnet18.tv_in1k), or none'
    );
  }
  const what = rule.integer ? 'an integer' : 'a number';
  const range = rule.above
    ? `above ${rule.min} and at most ${rule.max}`
    : `from ${rule.min} to ${rule.max}`;
  return `${what} ${range}${rule.nullable ? ', or none' : ''}`;
}

export type Parsed =
  | { ok: true; value: RecipeValue }
  | { ok: false; expected: string; got: string };

function parseText(rule: TextRule, value: unknown): string | null | undefined {
  if (value === null || value === 'none') return null;
  if (typeof value !== 'string') return undefined;
  const valid =
    value.length > 0 && value.length <= rule.maxLength && !/\s/.test(value);
  return valid ? value : undefined;
}

function parseByRule(rule: Rule, value: unknown): RecipeValue | undefined {
  if (rule.kind === 'choice') {
    return typeof value === 'string' && rule.choices.includes(value)
      ? value
      : undefined;
  }
  if (rule.kind === 'text') return parseText(rule, value);
  if (rule.kind === 'boolean') {
    if (typeof value === 'boolean') return value;
    return value === 'true' ? true : value === 'false' ? false : undefined;
  }
  if (rule.nullable && (value === null || value === 'none')) return null;
  const num =
    typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  const valid =
    typeof num === 'number' &&
    Number.isFinite(num) &&
    (rule.above ? num > rule.min : num >= rule.min) &&
    num <= rule.max &&
    (!rule.integer || Number.isInteger(num));
  // `+ 0` turns -0 into 0, which prints and compares as the default does.
  return valid ? num + 0 : undefined;
}

/**
 * Checks one value of a known option: a string as the CLI, a URL or a
 * form gives it, or a JSON value.
 */
export function parseOption(key: keyof Recipe, value: unknown): Parsed {
  const parsed = parseByRule(RULES[key], value);
  if (parsed !== undefined) return { ok: true, value: parsed };
  return { ok: false, expected: describeOption(key), got: describeGot(value) };
}

/** JSON for what came, but numbers as JavaScript prints them (Infinity). */
function describeGot(value: unknown): string {
  if (value === undefined) return 'nothing';
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

/** Checks one value; returns the parsed value or a message. */
export function checkOption(
  key: string,
  value: unknown,
): { ok: true; value: RecipeValue } | { ok: false; message: string } {
  if (!isRecipeKey(key)) return { ok: false, message: unknownOption(key) };
  const parsed = parseOption(key, value);
  if (parsed.ok) return parsed;
  const message = `${key}: expected ${parsed.expected}, got ${parsed.got}`;
  return { ok: false, message };
}

// Flags of the reference that the lab names differently or lacks, so that
// someone pasting a reference command learns why, not just that it failed.
const REFERENCE_ONLY: Record<string, (name: Namer) => string> = {
  trainCropSize: (name) => `the training crop is ${name('imageSize')} here`,
  wd: (name) => `weight decay is ${name('weightDecay')} here`,
  augmixSeverity: () => 'the lab has no AugMix',
  clipGradNorm: () => 'the lab does not clip gradients',
  raSampler: () => 'the lab has no repeated-augmentation sampler',
  raReps: () => 'the lab has no repeated-augmentation sampler',
  amp: () => 'the lab trains in float32',
};

/**
 * `unknown option "x"`, then why (a reference flag the lab lacks), the
 * close names, or failing both every name.
 */
export function unknownOption(given: string, name: Namer = asIs): string {
  const head = `unknown option "${given}"`;
  const reason = REFERENCE_ONLY[camelCase(given)];
  if (reason) return `${head}: ${reason(name)}`;
  const known = RECIPE_KEYS.map(name);
  const close = closeNames(given, known);
  if (close.length > 0) return `${head} (did you mean ${close.join(', ')}?)`;
  return `${head} (known: ${known.join(', ')})`;
}

/**
 * Builds a full recipe from defaults and overrides; throws a RecipeError
 * listing every unknown key and bad value at once, or failing those every
 * broken rule across options.
 */
export function resolveRecipe(
  overrides: Record<string, unknown>,
  name: Namer = asIs,
): Recipe {
  const recipe: Record<string, RecipeValue> = { ...DEFAULT_RECIPE };
  const problems: string[] = [];
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!isRecipeKey(key)) {
      problems.push(unknownOption(key, name));
      continue;
    }
    const parsed = parseOption(key, value);
    if (parsed.ok) recipe[key] = parsed.value;
    else
      problems.push(
        `${name(key)}: expected ${parsed.expected}, got ${parsed.got}`,
      );
  }
  if (problems.length === 0) {
    for (const p of crossProblems(recipe as unknown as Recipe, name)) {
      problems.push(`${name(p.key)}: ${p.message}`);
    }
  }
  if (problems.length > 0) throw new RecipeError(problems);
  return recipe as unknown as Recipe;
}
