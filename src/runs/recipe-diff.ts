// What changed between two recipes, in the words of their canonical
// queries (src/recipe/url.ts): "+auto-augment ta_wide, lr 0.4". Pure.
import {
  DEFAULT_RECIPE,
  formatValue,
  kebabCase,
  type Recipe,
  type RecipeValue,
} from '../recipe/recipe';
import { encodeRecipe } from '../recipe/url';
import { RECIPE_KEYS } from '../recipe/validate';

export interface RecipeChange {
  /** The option as the CLI and URLs spell it, e.g. "auto-augment". */
  key: string;
  /** Values as the query writes them ("none" for null). */
  from: string;
  to: string;
  /**
   * 'on': switched on from its off value, 'off': back to it, 'set': one
   * setting for another.
   */
  kind: 'on' | 'off' | 'set';
}

/** Values that leave a feature off: false, 0, none. */
function isOff(value: RecipeValue): boolean {
  return value === false || value === 0 || value === null || value === 'none';
}

/** The recipe's options as its canonical query writes them, by kebab key. */
function queryValues(recipe: Readonly<Recipe>): Map<string, string> {
  const values = new Map<string, string>();
  for (const key of RECIPE_KEYS) {
    values.set(kebabCase(key), formatValue(DEFAULT_RECIPE[key]));
  }
  for (const [key, value] of new URLSearchParams(encodeRecipe(recipe))) {
    values.set(key, value);
  }
  return values;
}

/** The options `recipe` sets differently from `baseline`, in query order. */
export function recipeChanges(
  baseline: Readonly<Recipe>,
  recipe: Readonly<Recipe>,
): RecipeChange[] {
  const before = queryValues(baseline);
  const after = queryValues(recipe);
  const changes: RecipeChange[] = [];
  for (const key of RECIPE_KEYS) {
    const name = kebabCase(key);
    const from = before.get(name)!;
    const to = after.get(name)!;
    if (from === to) continue;
    const kind = isOff(baseline[key])
      ? 'on'
      : isOff(recipe[key])
        ? 'off'
        : 'set';
    changes.push({ key: name, from, to, kind });
  }
  return changes;
}

/** One change as a label shows it: "+model-ema", "-random-erase", "lr 0.4". */
export function describeChange(change: RecipeChange): string {
  const { key, to, kind } = change;
  if (kind === 'off') return `-${key}`;
  if (kind === 'on') return to === 'true' ? `+${key}` : `+${key} ${to}`;
  return `${key} ${to}`;
}

/** Every change, comma-separated; "same recipe" when there is none. */
export function describeChanges(
  baseline: Readonly<Recipe>,
  recipe: Readonly<Recipe>,
): string {
  const changes = recipeChanges(baseline, recipe);
  if (changes.length === 0) return 'same recipe';
  return changes.map(describeChange).join(', ');
}
