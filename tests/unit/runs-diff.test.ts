// What changed between two recipes, as the runs table and the overlay's
// legend read it.
import { describe, expect, test } from 'vitest';
import { PRESET_NAMES, presetRecipe, PRESETS } from '../../src/recipe/presets';
import { DEFAULT_RECIPE, type Recipe } from '../../src/recipe/recipe';
import { decodeRecipe, encodeRecipe } from '../../src/recipe/url';
import {
  describeChange,
  describeChanges,
  recipeChanges,
} from '../../src/runs/recipe-diff';

const base: Recipe = { ...DEFAULT_RECIPE };

describe('recipeChanges', () => {
  test('a policy switched on and the LR raised read as the ladder says', () => {
    const run = { ...base, autoAugment: 'ta_wide' as const, lr: 0.4 };
    expect(recipeChanges(base, run)).toEqual([
      { key: 'lr', from: '0.01', to: '0.4', kind: 'set' },
      { key: 'auto-augment', from: 'none', to: 'ta_wide', kind: 'on' },
    ]);
    expect(describeChanges(base, run)).toBe('lr 0.4, +auto-augment ta_wide');
  });

  test('booleans switched on and off carry only a sign', () => {
    const withEma = { ...base, modelEma: true, cropFlip: true };
    expect(describeChanges(base, withEma)).toBe('+crop-flip, +model-ema');
    expect(describeChanges(withEma, base)).toBe('-crop-flip, -model-ema');
  });

  test('an option back at its off value reads as switched off', () => {
    const erasing = { ...base, randomErase: 0.25, labelSmoothing: 0.1 };
    expect(describeChanges(erasing, base)).toBe(
      '-label-smoothing, -random-erase',
    );
    const nulls = { ...base, valCropSize: 32 };
    expect(recipeChanges(nulls, base)).toEqual([
      { key: 'val-crop-size', from: '32', to: 'none', kind: 'off' },
    ]);
  });

  test('the same recipe has no changes, whichever way it was built', () => {
    const top = presetRecipe(PRESET_NAMES.at(-1)!);
    const decoded = decodeRecipe(encodeRecipe(top));
    expect(recipeChanges(top, decoded.recipe)).toEqual([]);
    expect(describeChanges(base, { ...base })).toBe('same recipe');
  });

  test('changes come in the canonical query order, one per differing key', () => {
    for (const name of PRESETS.keys()) {
      const preset = presetRecipe(name);
      const changes = recipeChanges(base, preset);
      const query = new URLSearchParams(encodeRecipe(preset));
      expect(changes.map((c) => c.key)).toEqual([...query.keys()]);
      for (const c of changes) expect(c.to).toBe(query.get(c.key));
    }
  });

  test('describeChange spells each kind', () => {
    expect(describeChange({ key: 'lr', from: '1', to: '2', kind: 'set' })).toBe(
      'lr 2',
    );
    expect(
      describeChange({
        key: 'model-ema',
        from: 'false',
        to: 'true',
        kind: 'on',
      }),
    ).toBe('+model-ema');
    expect(
      describeChange({ key: 'limit', from: '0', to: '64', kind: 'on' }),
    ).toBe('+limit 64');
  });
});
