import { describe, expect, test } from 'vitest';
import { DEFAULT_RECIPE } from '../../src/recipe/recipe';
import { presetRecipe } from '../../src/recipe/presets';
import {
  DEMO_RECIPE,
  draftFromRecipe,
  type RecipeDraft,
} from '../../src/ui/recipe-draft';
import {
  FIRST_VISIT,
  formRecipe,
  linkSearch,
  readLink,
} from '../../src/ui/recipe-link';

describe("the page's link", () => {
  test('an address without a query opens the demo recipe', () => {
    expect(readLink('')).toBe(FIRST_VISIT);
    expect(readLink('?')).toBe(FIRST_VISIT);
    expect(FIRST_VISIT.recipe).toEqual(DEMO_RECIPE);
  });

  test('a query is read onto the defaults, with its dataset', () => {
    const link = readLink('?data=cars&lr=0.4&auto-augment=ta_wide');
    expect(link.dataset).toBe('cars');
    expect(link.notices).toEqual([]);
    expect(link.recipe).toEqual({
      ...DEFAULT_RECIPE,
      lr: 0.4,
      autoAugment: 'ta_wide',
    });
  });

  test('unknown keys and bad values are named and the rest is kept', () => {
    const link = readLink('?lr=0.4&bogus=1&epochs=abc&batch-size=64');
    expect(link.recipe).toMatchObject({
      lr: 0.4,
      batchSize: 64,
      epochs: DEFAULT_RECIPE.epochs,
    });
    expect(link.notices).toHaveLength(2);
    expect(link.notices.join('\n')).toMatch(/bogus/);
    expect(link.notices.join('\n')).toMatch(
      new RegExp(
        `epochs: expected .*, got "abc"; used ${DEFAULT_RECIPE.epochs}`,
      ),
    );
  });

  test('the form as a link reads back to the same recipe and dataset', () => {
    const cases = [
      { base: DEMO_RECIPE, dataset: 'fashion-mnist-demo' },
      { base: DEFAULT_RECIPE, dataset: 'fashion-mnist-demo' },
      { base: presetRecipe('blog-final'), dataset: 'Stanford Cars & co' },
    ];
    for (const { base, dataset } of cases) {
      const draft = { ...draftFromRecipe(base), lr: '0.123', seed: '7' };
      const search = linkSearch(base, draft, dataset);
      expect(search).not.toBeNull();
      const link = readLink(search!);
      expect(link.notices).toEqual([]);
      expect(link.dataset).toBe(dataset);
      expect(link.recipe).toEqual({ ...base, lr: 0.123, seed: 7 });
    }
  });

  test('a form with a bad field has no link', () => {
    const draft: RecipeDraft = { ...draftFromRecipe(DEMO_RECIPE), lr: 'x' };
    expect(formRecipe(DEMO_RECIPE, draft)).toBeNull();
    expect(linkSearch(DEMO_RECIPE, draft, 'd')).toBeNull();
  });
});
