// The recipe form's state: the text of every option of the recipe, checked
// by the same rules as every other way into a run (validate.ts), so the
// form, the CLI and the worker agree on what a valid recipe is. Booleans
// are "true" or "false" and null is "none", as URLs and the CLI spell them.
import { DEFAULT_RECIPE, formatValue, type Recipe } from '../recipe/recipe';
import { checkOption, RECIPE_KEYS, type RecipeValue } from '../recipe/validate';

/** The demo's one-click recipe: the defaults at a quarter of the width. */
export const DEMO_RECIPE: Readonly<Recipe> = Object.freeze({
  ...DEFAULT_RECIPE,
  width: 0.25,
});

/** Every option of the recipe, in the canonical order of validate.ts. */
export const DRAFT_FIELDS: readonly (keyof Recipe)[] = RECIPE_KEYS;

export type DraftField = keyof Recipe;
export type RecipeDraft = Record<DraftField, string>;

export function draftFromRecipe(recipe: Readonly<Recipe>): RecipeDraft {
  const draft = {} as RecipeDraft;
  for (const field of DRAFT_FIELDS) draft[field] = formatValue(recipe[field]);
  return draft;
}

/** The validation message of each field that does not pass. */
export function draftProblems(
  draft: RecipeDraft,
): Partial<Record<DraftField, string>> {
  const problems: Partial<Record<DraftField, string>> = {};
  for (const field of DRAFT_FIELDS) {
    const checked = checkOption(field, draft[field]);
    if (!checked.ok) problems[field] = checked.message;
  }
  return problems;
}

/** The draft's values as recipe overrides; null while any field is bad. */
export function draftOverrides(draft: RecipeDraft): Partial<Recipe> | null {
  const overrides: Record<string, RecipeValue> = {};
  for (const field of DRAFT_FIELDS) {
    const checked = checkOption(field, draft[field]);
    if (!checked.ok) return null;
    overrides[field] = checked.value;
  }
  return overrides as Partial<Recipe>;
}

/** One field's parsed value; undefined while its text is bad. */
export function draftValue(
  draft: RecipeDraft,
  field: DraftField,
): RecipeValue | undefined {
  const checked = checkOption(field, draft[field]);
  return checked.ok ? checked.value : undefined;
}
