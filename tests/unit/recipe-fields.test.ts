import { describe, expect, test } from 'vitest';
import { PRESET_NAMES, presetRecipe } from '../../src/recipe/presets';
import { DEFAULT_RECIPE } from '../../src/recipe/recipe';
import { RECIPE_KEYS } from '../../src/recipe/validate';
import { effectiveEmaDecay } from '../../src/train/ema-decay';
import {
  DEMO_RECIPE,
  draftFromRecipe,
  draftOverrides,
} from '../../src/ui/recipe-draft';
import {
  editDraft,
  emaDecayNote,
  formProblems,
  lrScalingSuggestion,
  RECIPE_STEPS,
  UNFORMED_KEYS,
} from '../../src/ui/recipe-fields';
import { formRecipe } from '../../src/ui/recipe-link';

const formKeys = RECIPE_STEPS.flatMap((s) => s.fields.map((f) => f.key));

describe('the field table', () => {
  test('unticking pretrained clears the weights it named', () => {
    const on = editDraft(
      editDraft(draftFromRecipe(DEFAULT_RECIPE), 'pretrained', 'true'),
      'weights',
      'timm/resnet18.tv_in1k',
    );
    expect(draftOverrides(on)).toMatchObject({
      pretrained: true,
      weights: 'timm/resnet18.tv_in1k',
    });
    expect(editDraft(on, 'pretrained', 'false').weights).toBe('none');
  });

  test('has one control for every option but interpolation', () => {
    expect(new Set(formKeys).size).toBe(formKeys.length);
    expect(UNFORMED_KEYS).toEqual(['interpolation']);
    expect([...formKeys, ...UNFORMED_KEYS].sort()).toEqual(
      [...RECIPE_KEYS].sort(),
    );
  });

  test('keeps the labels the browser tests look for', () => {
    const labels = RECIPE_STEPS.flatMap((s) => s.fields.map((f) => f.label));
    for (const label of [
      'Model',
      'Width multiplier',
      'Image size (px)',
      'Epochs',
      'Learning rate',
      'Batch size',
      'Seed',
      'Patience (epochs, 0 = off)',
      'Training images (0 = all)',
    ]) {
      expect(labels).toContain(label);
    }
  });
});

describe('the draft', () => {
  test('every preset goes into the draft and back unchanged', () => {
    for (const name of PRESET_NAMES) {
      const recipe = presetRecipe(name);
      const draft = draftFromRecipe(recipe);
      expect(Object.keys(draft).sort()).toEqual([...RECIPE_KEYS].sort());
      expect(draftOverrides(draft)).toEqual(recipe);
      expect(formRecipe(DEFAULT_RECIPE, draft)).toEqual(recipe);
    }
  });

  test('spells null as none and booleans as true or false', () => {
    const draft = draftFromRecipe(presetRecipe('blog-final'));
    expect(draft.microBatchSize).toBe('none');
    expect(draft.modelEma).toBe('true');
    expect(draft.pretrained).toBe('true');
  });

  test('switching a step off puts its parameters back to defaults', () => {
    const final = draftFromRecipe({
      ...presetRecipe('blog-final'),
      modelEmaSteps: 64,
      lrWarmupMethod: 'constant',
      lrWarmupDecay: 0.5,
    });
    const cases = [
      { key: 'modelEma', value: false, reset: ['modelEmaSteps'] },
      {
        key: 'lrWarmupEpochs',
        value: 0,
        reset: ['lrWarmupMethod', 'lrWarmupDecay'],
      },
      { key: 'opt', value: 'adamw', reset: ['momentum'] },
    ] as const;
    for (const { key, value, reset } of cases) {
      const off = editDraft(final, key, String(value));
      for (const k of reset) expect(off[k]).toBe(String(DEFAULT_RECIPE[k]));
      expect(formRecipe(DEFAULT_RECIPE, off)).toMatchObject({ [key]: value });
    }
  });

  test('a switch being retyped keeps the parameters of its step', () => {
    const final = draftFromRecipe(presetRecipe('blog-final'));
    const typing = editDraft(final, 'lrWarmupEpochs', '');
    expect(typing.lrWarmupMethod).toBe('linear');
    expect(editDraft(typing, 'lrWarmupEpochs', '10').lrWarmupMethod).toBe(
      'linear',
    );
  });

  test('a bad value and a broken rule are each shown on their field', () => {
    const draft = { ...draftFromRecipe(DEMO_RECIPE), lr: 'fast' };
    expect(formProblems(DEMO_RECIPE, draft).lr).toMatch(
      /lr: expected a number from 0 to 100, got "fast"/,
    );
    const broken = { ...draftFromRecipe(DEMO_RECIPE), microBatchSize: '5' };
    expect(formRecipe(DEMO_RECIPE, broken)).toBeNull();
    expect(formProblems(DEMO_RECIPE, broken)).toEqual({
      microBatchSize:
        'microBatchSize: expected a divisor of batchSize (32), got 5',
    });
  });
});

describe('the linear LR scaling suggestion', () => {
  const draft = (batchSize: string, lr: string) => ({
    ...draftFromRecipe(DEMO_RECIPE),
    batchSize,
    lr,
  });
  const from = { batchSize: 128, lr: 0.4 };

  test('scales the LR by the new batch over the old', () => {
    expect(lrScalingSuggestion(from, draft('256', '0.4'))).toBe(0.8);
    expect(lrScalingSuggestion(from, draft('32', '0.4'))).toBe(0.1);
    expect(
      lrScalingSuggestion({ batchSize: 10, lr: 0.1 }, draft('30', '1')),
    ).toBe(0.3);
  });

  test('says nothing when there is nothing to suggest', () => {
    expect(lrScalingSuggestion(null, draft('256', '0.4'))).toBeNull();
    expect(lrScalingSuggestion(from, draft('128', '0.4'))).toBeNull();
    expect(lrScalingSuggestion(from, draft('256', '0.8'))).toBeNull();
    expect(lrScalingSuggestion(from, draft('x', '0.4'))).toBeNull();
  });
});

describe("the EMA's effective decay", () => {
  test('is shown with the batch size, EMA steps and epochs it depends on', () => {
    const recipe = presetRecipe('blog-final');
    const decay = effectiveEmaDecay(recipe);
    const note = emaDecayNote(draftFromRecipe(recipe));
    expect(note).toContain(String(Number(decay.toPrecision(6))));
    expect(note).toContain(`batch ${recipe.batchSize}`);
    expect(note).toContain(`every ${recipe.modelEmaSteps} steps`);
    expect(note).toContain(`${recipe.epochs} epochs`);
  });

  test('is not shown with the EMA off or a bad field', () => {
    expect(emaDecayNote(draftFromRecipe(DEMO_RECIPE))).toBeNull();
    const final = draftFromRecipe(presetRecipe('blog-final'));
    expect(emaDecayNote({ ...final, epochs: '0' })).toBeNull();
  });
});
