// A recipe as a readable query string, e.g.
//   data=cars&model=resnet50&lr=0.4&auto-augment=ta_wide
// Keys are the CLI's flag names; only values that differ from
// DEFAULT_RECIPE are written, in the canonical order of RECIPE_KEYS, so
// that one recipe has one query. Numbers are written with JavaScript's
// shortest round-trip form, which parses back to the same double. The
// dataset rides along under `data` and is kept apart from the recipe.
//
// Decoding never throws on what a user pasted: an unknown key, a bad value
// or a broken rule across options becomes a notice saying what came, what
// was expected and what is used instead, and everything else is kept.
import {
  camelCase,
  DEFAULT_RECIPE,
  formatValue,
  kebabCase,
  type Recipe,
  type RecipeValue,
} from './recipe';
import { crossProblems } from './cross-rules';
import {
  isRecipeKey,
  parseOption,
  RECIPE_KEYS,
  resolveRecipe,
  unknownOption,
} from './validate';

export const DATA_KEY = 'data';

export interface Notice {
  /** The key as the query spells it. */
  key: string;
  /** The value as given ("" for a bare key). */
  value: string;
  /** What the key or value should have been. */
  expected: string;
  /** What the decoded recipe holds instead; "nothing" for an unknown key. */
  used: string;
  /** One line for people, saying all of the above. */
  message: string;
}

export interface DecodedRecipe {
  recipe: Recipe;
  /** The `data` value; null when the query names no dataset. */
  dataset: string | null;
  notices: Notice[];
}

/**
 * The canonical query of `recipe` (without the leading "?"). Throws a
 * RecipeError for a recipe that would not decode to itself.
 */
export function encodeRecipe(
  recipe: Readonly<Recipe>,
  dataset: string | null = null,
): string {
  const checked = resolveRecipe({ ...recipe });
  const parts: string[] = [];
  if (dataset !== null) parts.push(`${DATA_KEY}=${encode(dataset)}`);
  for (const key of RECIPE_KEYS) {
    if (checked[key] === DEFAULT_RECIPE[key]) continue;
    parts.push(`${kebabCase(key)}=${encode(formatValue(checked[key]))}`);
  }
  return parts.join('&');
}

/** encodeURIComponent keeps letters, digits and `-_.!~*'()` as they are. */
function encode(text: string): string {
  return encodeURIComponent(text);
}

/** The query of a URL, or the text itself less a leading "?". */
function queryOf(text: string): string {
  const trimmed = text.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    try {
      return new URL(trimmed).search.slice(1);
    } catch {
      // Not a URL after all; read it as a query.
    }
  }
  return trimmed.replace(/^\?/, '');
}

/**
 * Reads a query (with or without "?", or a whole URL) onto `base`: the
 * defaults unless a preset is the starting point.
 */
export function decodeRecipe(
  query: string,
  base: Readonly<Recipe> = DEFAULT_RECIPE,
): DecodedRecipe {
  const recipe: Record<string, RecipeValue> = { ...base };
  const notices: Notice[] = [];
  const seen = new Map<string, string>();
  let dataset: string | null = null;

  for (const [key, value] of new URLSearchParams(queryOf(query))) {
    if (seen.has(key)) {
      notices.push(repeated(key, value));
      continue;
    }
    seen.set(key, value);
    if (key === DATA_KEY) {
      if (value !== '') dataset = value;
      else notices.push(emptyDataset());
      continue;
    }
    const camel = camelCase(key);
    if (!isRecipeKey(camel) || kebabCase(camel) !== key) {
      notices.push(unknown(key, value));
      continue;
    }
    // A bare boolean key (`&model-ema&`) switches the option on.
    const raw =
      value === '' && typeof base[camel] === 'boolean' ? 'true' : value;
    const parsed = parseOption(camel, raw);
    if (parsed.ok) recipe[camel] = parsed.value;
    else notices.push(badValue(key, value, parsed.expected, base[camel]));
  }

  const resolved = recipe as unknown as Recipe;
  repairCrossRules(resolved, base, seen, notices);
  return { recipe: resolved, dataset, notices };
}

/**
 * Puts back the option at fault of each broken rule: first to the base's
 * value, and if that breaks it too, to the default, which breaks none.
 */
function repairCrossRules(
  recipe: Recipe,
  base: Readonly<Recipe>,
  given: ReadonlyMap<string, string>,
  notices: Notice[],
): void {
  const target = recipe as unknown as Record<string, RecipeValue>;
  for (let round = 0; round < 2 * RECIPE_KEYS.length; round++) {
    const [problem] = crossProblems(recipe, kebabCase);
    if (!problem) return;
    const { key, message } = problem;
    const name = kebabCase(key);
    const fallback =
      recipe[key] === base[key] ? DEFAULT_RECIPE[key] : base[key];
    const used = formatValue(fallback);
    target[key] = fallback;
    notices.push({
      key: name,
      value: given.get(name) ?? formatValue(base[key]),
      expected: message,
      used,
      message: `${name}: ${message}; used ${used}`,
    });
  }
  throw new Error('recipe rules could not be met; the base recipe is bad');
}

function badValue(
  key: string,
  value: string,
  expected: string,
  fallback: RecipeValue,
): Notice {
  const used = formatValue(fallback);
  const got = JSON.stringify(value);
  const message = `${key}: expected ${expected}, got ${got}; used ${used}`;
  return { key, value, expected, used, message };
}

function unknown(key: string, value: string): Notice {
  const message = `${unknownOption(key, kebabCase)}; ignored`;
  const expected = 'an option of the recipe';
  return { key, value, expected, used: 'nothing', message };
}

function repeated(key: string, value: string): Notice {
  const expected = `${key} once`;
  const again = JSON.stringify(value);
  const message =
    `${key}: expected once, got again with ${again}; ` + 'used the first value';
  return { key, value, expected, used: 'the first value', message };
}

function emptyDataset(): Notice {
  const expected = 'a dataset name';
  const message = `${DATA_KEY}: expected ${expected}, got ""; used none`;
  return { key: DATA_KEY, value: '', expected, used: 'none', message };
}
