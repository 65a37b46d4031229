// Validation at the boundary: unknown keys are rejected by name, bad values
// with the range or the choices allowed.
import { DEFAULT_RECIPE, MODEL_NAMES, OPTIMIZERS, type Recipe } from './recipe';

type Rule =
  | { kind: 'number'; min: number; max: number; integer?: boolean }
  | { kind: 'choice'; choices: readonly string[] };

const RULES: Record<keyof Recipe, Rule> = {
  model: { kind: 'choice', choices: MODEL_NAMES },
  width: { kind: 'number', min: 0.0625, max: 4 },
  imageSize: { kind: 'number', min: 8, max: 1024, integer: true },
  opt: { kind: 'choice', choices: OPTIMIZERS },
  lr: { kind: 'number', min: 0, max: 100 },
  momentum: { kind: 'number', min: 0, max: 0.999 },
  batchSize: { kind: 'number', min: 1, max: 4096, integer: true },
  epochs: { kind: 'number', min: 1, max: 10000, integer: true },
  patience: { kind: 'number', min: 0, max: 10000, integer: true },
  seed: { kind: 'number', min: 0, max: 2 ** 31 - 1, integer: true },
  limit: { kind: 'number', min: 0, max: 100_000_000, integer: true },
};

export const RECIPE_KEYS = Object.keys(RULES) as (keyof Recipe)[];

export class RecipeError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'RecipeError';
  }
}

function describeRule(rule: Rule): string {
  if (rule.kind === 'choice') return `one of ${rule.choices.join(', ')}`;
  const what = rule.integer ? 'an integer' : 'a number';
  return `${what} from ${rule.min} to ${rule.max}`;
}

/** Checks one value; returns the parsed value or a message. */
export function checkOption(
  key: string,
  value: unknown,
): { ok: true; value: string | number } | { ok: false; message: string } {
  const rule = RULES[key as keyof Recipe];
  if (!rule) {
    return {
      ok: false,
      message: `unknown option "${key}" (known: ${RECIPE_KEYS.join(', ')})`,
    };
  }
  if (rule.kind === 'choice') {
    if (typeof value === 'string' && rule.choices.includes(value)) {
      return { ok: true, value };
    }
    return {
      ok: false,
      message: `${key}: expected ${describeRule(rule)}, got ${JSON.stringify(value)}`,
    };
  }
  const num =
    typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  const valid =
    typeof num === 'number' &&
    Number.isFinite(num) &&
    num >= rule.min &&
    num <= rule.max &&
    (!rule.integer || Number.isInteger(num));
  if (!valid) {
    return {
      ok: false,
      message: `${key}: expected ${describeRule(rule)}, got ${JSON.stringify(value)}`,
    };
  }
  return { ok: true, value: num };
}

/**
 * Builds a full recipe from defaults and overrides; throws a RecipeError
 * listing every unknown key and bad value at once.
 */
export function resolveRecipe(overrides: Record<string, unknown>): Recipe {
  const recipe: Record<string, unknown> = { ...DEFAULT_RECIPE };
  const problems: string[] = [];
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const checked = checkOption(key, value);
    if (checked.ok) recipe[key] = checked.value;
    else problems.push(checked.message);
  }
  if (problems.length > 0) throw new RecipeError(problems);
  return recipe as unknown as Recipe;
}
