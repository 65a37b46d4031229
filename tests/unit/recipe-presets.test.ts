// The study's presets: each rung of its ladder is the rung below plus one
// patch, every preset passes validation, and the values the study leaves
// unsaid are the reference's.
import { describe, expect, test } from 'vitest';
import { DEFAULT_RECIPE, type Recipe } from '../../src/recipe/recipe';
import {
  BLOG_LADDER,
  buildLadder,
  LADDER_STEP_NAMES,
  PRESET_NAMES,
  PRESETS,
  presetRecipe,
} from '../../src/recipe/presets';
import { resolveRecipe } from '../../src/recipe/validate';
import { effectiveEmaDecay } from '../../src/train/ema-decay';

const preset = (name: string) => PRESETS.get(name) as Recipe;

describe('the ladder', () => {
  test('has the published top-1 of each rung, in order', () => {
    expect(BLOG_LADDER.map((s) => [s.name, s.top1])).toEqual([
      ['baseline', 88.22],
      ['lr-optimizations', 89.21],
      ['trivial-augment', 92.66],
      ['cosine', 93.22],
      ['label-smoothing', 94.5],
      ['random-erasing', 94.93],
      ['ema', 94.93],
    ]);
  });

  test('is cumulative: each rung is the one below plus its patch', () => {
    let below: Recipe = { ...DEFAULT_RECIPE };
    for (const step of BLOG_LADDER) {
      const rung = preset(`blog-${step.name}`);
      expect(rung).toEqual({ ...below, ...step.patch });
      const changed = Object.keys(step.patch).filter(
        (key) => rung[key as keyof Recipe] !== below[key as keyof Recipe],
      );
      expect(changed.length, step.name).toBeGreaterThan(0);
      below = rung;
    }
    expect(preset('blog-final')).toEqual(below);
  });

  test("starts from the study's baseline", () => {
    expect(preset('blog-baseline')).toMatchObject({
      model: 'resnet50',
      pretrained: true,
      width: 1,
      imageSize: 224,
      opt: 'sgd-nesterov',
      lr: 0.01,
      batchSize: 32,
      lrScheduler: 'none',
      labelSmoothing: 0,
      autoAugment: 'none',
      modelEma: false,
    });
  });

  test("ends with the study's final recipe", () => {
    expect(preset('blog-final')).toMatchObject({
      batchSize: 128,
      lr: 0.4,
      lrScheduler: 'cosineannealinglr',
      lrWarmupEpochs: 5,
      lrWarmupMethod: 'linear',
      lrWarmupDecay: 0.01,
      autoAugment: 'ta_wide',
      labelSmoothing: 0.1,
      randomErase: 0.1,
      modelEma: true,
      modelEmaSteps: 32,
      modelEmaDecay: 0.99998,
    });
  });

  test("takes the reference's defaults where the study says nothing", () => {
    expect(preset('blog-final')).toMatchObject({
      epochs: 90,
      momentum: 0.9,
      weightDecay: 1e-4,
      normWeightDecay: null,
      valResizeSize: 256,
      valCropSize: 224,
      interpolation: 'bilinear',
      lrMin: 0,
    });
    expect(preset('blog-lr-optimizations')).toMatchObject({
      lrScheduler: 'steplr',
      lrStepSize: 30,
      lrGamma: 0.1,
    });
  });

  test("gives the final EMA the reference's rescaled decay", () => {
    // (1 - 0.99998) * 128 * 32 / 90 = 0.00091022...
    const decay = effectiveEmaDecay(preset('blog-final'));
    expect(decay).toBeCloseTo(1 - (2e-5 * 128 * 32) / 90, 12);
  });
});

describe('presets', () => {
  test('are the rungs by name, then blog-final', () => {
    expect(PRESET_NAMES).toEqual([
      ...LADDER_STEP_NAMES.map((name) => `blog-${name}`),
      'blog-final',
    ]);
  });

  test.each(PRESET_NAMES)('%s passes validation unchanged', (name) => {
    expect(resolveRecipe({ ...preset(name) })).toEqual(preset(name));
  });

  test('are handed out as copies', () => {
    const recipe = presetRecipe('blog-final');
    recipe.lr = 1;
    expect(preset('blog-final').lr).toBe(0.4);
    expect(Object.isFrozen(preset('blog-final'))).toBe(true);
  });

  test('an unknown name lists the presets, with the close ones first', () => {
    expect(() => presetRecipe('blog-finale')).toThrow(
      `unknown preset "blog-finale" (did you mean blog-final?); expected ` +
        `one of ${PRESET_NAMES.join(', ')}`,
    );
  });
});

describe('buildLadder', () => {
  test('applies any steps in the order given, each on the one before', () => {
    const rungs = buildLadder(['baseline', 'trivial-augment', 'ema']);
    expect(rungs.map((r) => r.step.name)).toEqual([
      'baseline',
      'trivial-augment',
      'ema',
    ]);
    expect(rungs[0]!.recipe).toEqual(preset('blog-baseline'));
    expect(rungs[1]!.recipe).toEqual({
      ...preset('blog-baseline'),
      autoAugment: 'ta_wide',
    });
    expect(rungs[2]!.recipe).toMatchObject({
      autoAugment: 'ta_wide',
      modelEma: true,
      lr: 0.01,
      lrScheduler: 'none',
    });
  });

  test('the whole ladder gives the presets', () => {
    const rungs = buildLadder(LADDER_STEP_NAMES);
    for (const { step, recipe } of rungs) {
      expect(recipe).toEqual(preset(`blog-${step.name}`));
    }
  });

  test('refuses unknown and repeated steps by name', () => {
    expect(() => buildLadder(['baseline', 'cosin'])).toThrow(
      'unknown ladder step "cosin" (did you mean cosine?); expected one of ' +
        LADDER_STEP_NAMES.join(', '),
    );
    expect(() => buildLadder(['baseline', 'ema', 'ema'])).toThrow(
      'ladder step "ema" is given twice',
    );
  });

  test('names the step that makes a recipe inconsistent', () => {
    // Without the baseline the demo's 3 epochs are shorter than the warmup.
    expect(() => buildLadder(['lr-optimizations', 'cosine'])).toThrow(
      'ladder step "cosine": lrWarmupEpochs: expected fewer than epochs ' +
        '(3) with lrScheduler cosineannealinglr, got 5',
    );
  });
});
