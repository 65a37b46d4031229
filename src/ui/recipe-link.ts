// The page's address carries the recipe of the form and the dataset it
// trains, so that a copied address opens the same recipe elsewhere (see
// src/recipe/url.ts for the query itself). An address without a query is a
// first visit and gets the demo recipe; any query is read onto the
// defaults, as the CLI's `recipe` command reads it.
import { DEFAULT_RECIPE, kebabCase, type Recipe } from '../recipe/recipe';
import { decodeRecipe, encodeRecipe } from '../recipe/url';
import { RecipeError, resolveRecipe } from '../recipe/validate';
import { DEMO_RECIPE, draftOverrides, type RecipeDraft } from './recipe-draft';

export interface PageLink {
  /** The recipe the form starts from; its fields overlay this. */
  recipe: Recipe;
  /** The dataset the form trains; null: the demo. */
  dataset: string | null;
  /** One line for each part of the address that could not be used. */
  notices: string[];
}

export const FIRST_VISIT: Readonly<PageLink> = Object.freeze({
  recipe: DEMO_RECIPE,
  dataset: null,
  notices: [],
});

/** The recipe and dataset an address's query (`location.search`) gives. */
export function readLink(search: string): PageLink {
  if (new URLSearchParams(search).size === 0) return FIRST_VISIT;
  const decoded = decodeRecipe(search, DEFAULT_RECIPE);
  return {
    recipe: decoded.recipe,
    dataset: decoded.dataset,
    notices: decoded.notices.map((n) => n.message),
  };
}

// The last answer of formRecipe: the form, the Train button, the link,
// the preset match and the address all ask it for the same draft, and the
// button's selector asks on every change of the store (each batch of
// trainer events), while validating a recipe takes a while.
let last: {
  base: Readonly<Recipe>;
  draft: RecipeDraft;
  recipe: Recipe | null;
} | null = null;

/**
 * The form's whole recipe: its fields over the recipe it started from;
 * null while a field is bad or the fields break a rule of the recipe.
 * The same (base, draft) pair gets the same object back.
 */
export function formRecipe(
  base: Readonly<Recipe>,
  draft: RecipeDraft,
): Recipe | null {
  if (last?.base === base && last.draft === draft) return last.recipe;
  const recipe = resolveForm(base, draft);
  last = { base, draft, recipe };
  return recipe;
}

function resolveForm(
  base: Readonly<Recipe>,
  draft: RecipeDraft,
): Recipe | null {
  const overrides = draftOverrides(draft);
  if (!overrides) return null;
  try {
    return resolveRecipe({ ...base, ...overrides }, kebabCase);
  } catch (error) {
    if (error instanceof RecipeError) return null;
    throw error;
  }
}

/** The query (with "?") for the form as it stands; null while it is bad. */
export function linkSearch(
  base: Readonly<Recipe>,
  draft: RecipeDraft,
  dataset: string,
): string | null {
  const recipe = formRecipe(base, draft);
  return recipe ? `?${encodeRecipe(recipe, dataset)}` : null;
}
