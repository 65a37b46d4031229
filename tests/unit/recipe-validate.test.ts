// The recipe's defaults and its checks: unknown keys by name, bad values
// with their range, and the rules across options.
import { describe, expect, test } from 'vitest';
import { AUTO_AUGMENT_POLICIES } from '../../src/train/augment/autoaugment';
import * as schedule from '../../src/train/schedule';
import { unappliedSettings } from '../../src/recipe/applied';
import { crossProblems } from '../../src/recipe/cross-rules';
import {
  AUTO_AUGMENTS,
  DEFAULT_RECIPE,
  kebabCase,
  LR_SCHEDULERS,
  LR_WARMUP_METHODS,
  type Recipe,
} from '../../src/recipe/recipe';
import {
  checkOption,
  describeOption,
  RECIPE_KEYS,
  RecipeError,
  resolveRecipe,
} from '../../src/recipe/validate';

/** The problems resolveRecipe reports for `overrides`. */
function problemsOf(overrides: Record<string, unknown>): string[] {
  try {
    resolveRecipe(overrides);
  } catch (error) {
    if (error instanceof RecipeError) return error.problems;
    throw error;
  }
  throw new Error(`expected a RecipeError for ${JSON.stringify(overrides)}`);
}

describe('defaults', () => {
  test("are the study's baseline, as the lab has always trained", () => {
    expect(DEFAULT_RECIPE).toMatchObject({
      model: 'resnet18',
      width: 1,
      imageSize: 28,
      opt: 'sgd-nesterov',
      lr: 0.01,
      momentum: 0.9,
      batchSize: 32,
      epochs: 3,
      patience: 0,
      seed: 1,
      limit: 0,
    });
  });

  test('switch every other part of the recipe off', () => {
    expect(DEFAULT_RECIPE).toMatchObject({
      pretrained: false,
      weightDecay: 0,
      lrScheduler: 'none',
      lrWarmupEpochs: 0,
      labelSmoothing: 0,
      mixupAlpha: 0,
      cutmixAlpha: 0,
      autoAugment: 'none',
      randomErase: 0,
      modelEma: false,
      microBatchSize: null,
      lrSchedulePer: 'epoch',
    });
  });

  test("keep the reference's defaults for options of parts switched off", () => {
    expect(DEFAULT_RECIPE).toMatchObject({
      lrStepSize: 30,
      lrGamma: 0.1,
      lrMin: 0,
      lrWarmupMethod: 'constant',
      lrWarmupDecay: 0.01,
      raMagnitude: 9,
      modelEmaSteps: 32,
      modelEmaDecay: 0.99998,
      normWeightDecay: null,
      biasWeightDecay: null,
      interpolation: 'bilinear',
    });
  });

  test('list every option once, in the canonical order, and pass', () => {
    expect(Object.keys(DEFAULT_RECIPE)).toEqual(RECIPE_KEYS);
    expect(resolveRecipe({})).toEqual(DEFAULT_RECIPE);
    expect(crossProblems(DEFAULT_RECIPE, (k) => k)).toEqual([]);
    expect(Object.isFrozen(DEFAULT_RECIPE)).toBe(true);
  });

  test("offer the maths modules' choices, plus the lab's own", () => {
    expect([...LR_SCHEDULERS].sort()).toEqual(
      [...schedule.LR_SCHEDULERS].sort(),
    );
    expect([...LR_WARMUP_METHODS].sort()).toEqual(
      [...schedule.LR_WARMUP_METHODS].sort(),
    );
    expect(AUTO_AUGMENTS).toEqual([
      'none',
      'standard',
      ...AUTO_AUGMENT_POLICIES,
    ]);
  });
});

describe('unknown keys', () => {
  test('are named, with the close names suggested', () => {
    expect(problemsOf({ lrWarmup: 5 })).toEqual([
      'unknown option "lrWarmup" (did you mean lrWarmupEpochs, ' +
        'lrWarmupMethod, lrWarmupDecay?)',
    ]);
    expect(problemsOf({ labelSmothing: 0.1 })).toEqual([
      'unknown option "labelSmothing" (did you mean labelSmoothing?)',
    ]);
  });

  test('far from any name list every name', () => {
    const [problem] = problemsOf({ frobnicate: 1 });
    expect(problem).toBe(
      `unknown option "frobnicate" (known: ${RECIPE_KEYS.join(', ')})`,
    );
  });

  test("that are the reference's say what the lab has instead", () => {
    expect(problemsOf({ trainCropSize: 176, augmixSeverity: 3 })).toEqual([
      'unknown option "trainCropSize": the training crop is imageSize here',
      'unknown option "augmixSeverity": the lab has no AugMix',
    ]);
  });
});

describe('bad values', () => {
  test.each([
    ['lr', -0.1, 'lr: expected a number from 0 to 100, got -0.1'],
    [
      'batchSize',
      '1.5',
      'batchSize: expected an integer from 1 to 4096, got "1.5"',
    ],
    [
      'opt',
      'adam',
      'opt: expected one of sgd, sgd-nesterov, rmsprop, adamw, got "adam"',
    ],
    [
      'lrWarmupDecay',
      0,
      'lrWarmupDecay: expected a number above 0 and at most 1, got 0',
    ],
    [
      'lrGamma',
      1.5,
      'lrGamma: expected a number above 0 and at most 1, got 1.5',
    ],
    [
      'lrScheduler',
      'onecycle',
      'lrScheduler: expected one of steplr, cosineannealinglr, ' +
        'exponentiallr, none, got "onecycle"',
    ],
    [
      'autoAugment',
      'augmix',
      'autoAugment: expected one of none, standard, ta_wide, ra, ' +
        'imagenet, got "augmix"',
    ],
    [
      'raMagnitude',
      31,
      'raMagnitude: expected an integer from 0 to 30, got 31',
    ],
    [
      'normWeightDecay',
      'x',
      'normWeightDecay: expected a number from 0 to 1, or none, got "x"',
    ],
    ['modelEma', 'yes', 'modelEma: expected true or false, got "yes"'],
    [
      'interpolation',
      'bicubic',
      'interpolation: expected one of bilinear, got "bicubic"',
    ],
    ['epochs', null, 'epochs: expected an integer from 1 to 10000, got null'],
    [
      'randomErase',
      Infinity,
      'randomErase: expected a number from 0 to 1, got Infinity',
    ],
  ])('%s = %j', (key, value, message) => {
    expect(problemsOf({ [key]: value })).toEqual([message]);
  });

  test('are all reported at once, and rules across options wait for them', () => {
    expect(
      problemsOf({ lr: 'fast', epochs: 0, lrStepSize: 10, foo: 1 }),
    ).toEqual([
      'lr: expected a number from 0 to 100, got "fast"',
      'epochs: expected an integer from 1 to 10000, got 0',
      'unknown option "foo" (known: ' + RECIPE_KEYS.join(', ') + ')',
    ]);
  });
});

describe('values', () => {
  test('are parsed from the strings a CLI, URL or form gives', () => {
    expect(
      resolveRecipe({
        lr: '0.4',
        modelEma: 'true',
        pretrained: false,
        normWeightDecay: 'none',
        biasWeightDecay: '0',
        microBatchSize: '8',
      }),
    ).toMatchObject({
      lr: 0.4,
      modelEma: true,
      pretrained: false,
      normWeightDecay: null,
      biasWeightDecay: 0,
      microBatchSize: 8,
    });
  });

  test('-0 becomes 0, so it prints and compares as the default', () => {
    const recipe = resolveRecipe({ weightDecay: -0 });
    expect(Object.is(recipe.weightDecay, 0)).toBe(true);
  });

  test('checkOption keeps its message format for the form and the CLI', () => {
    expect(checkOption('width', 'wide')).toEqual({
      ok: false,
      message: 'width: expected a number from 0.0625 to 4, got "wide"',
    });
    expect(checkOption('width', '0.5')).toEqual({ ok: true, value: 0.5 });
    expect(describeOption('valCropSize')).toBe(
      'an integer from 8 to 1024, or none',
    );
  });
});

describe('rules across options', () => {
  test.each<[Partial<Recipe>, string]>([
    [
      { lrScheduler: 'cosineannealinglr', lrStepSize: 10 },
      'lrStepSize: only used with lrScheduler steplr; expected the default ' +
        '30 with lrScheduler cosineannealinglr, got 10',
    ],
    [
      { lrScheduler: 'cosineannealinglr', lrGamma: 0.5 },
      'lrGamma: only used with lrScheduler steplr or exponentiallr; ' +
        'expected the default 0.1 with lrScheduler cosineannealinglr, got 0.5',
    ],
    [
      { lrMin: 0.001 },
      'lrMin: only used with lrScheduler cosineannealinglr; expected the ' +
        'default 0 with lrScheduler none, got 0.001',
    ],
    [
      { lrWarmupMethod: 'linear' },
      'lrWarmupMethod: only used with lrWarmupEpochs above 0; expected the ' +
        'default constant with lrWarmupEpochs 0, got linear',
    ],
    [
      { lrWarmupDecay: 0.1 },
      'lrWarmupDecay: only used with lrWarmupEpochs above 0; expected the ' +
        'default 0.01 with lrWarmupEpochs 0, got 0.1',
    ],
    [
      { raMagnitude: 15, autoAugment: 'ta_wide' },
      'raMagnitude: only used with autoAugment ra; expected the default 9 ' +
        'with autoAugment ta_wide, got 15',
    ],
    [
      { modelEmaDecay: 0.999 },
      'modelEmaDecay: only used with modelEma true; expected the default ' +
        '0.99998 with modelEma false, got 0.999',
    ],
    [
      { opt: 'adamw', momentum: 0.5 },
      'momentum: only used with opt sgd, sgd-nesterov or rmsprop; expected ' +
        'the default 0.9 with opt adamw, got 0.5',
    ],
    [
      { patience: 3, patienceOn: 'ema' },
      'patienceOn: watching the EMA needs modelEma true; expected model ' +
        'with modelEma false, got ema',
    ],
    [
      { momentum: 0 },
      'momentum: expected above 0 with opt sgd-nesterov, got 0',
    ],
    [
      { batchSize: 32, microBatchSize: 5 },
      'microBatchSize: expected a divisor of batchSize (32), got 5',
    ],
    [
      { imageSize: 224, valResizeSize: 200 },
      'valResizeSize: expected at least the val crop (imageSize, 224), got 200',
    ],
    [
      { lrScheduler: 'cosineannealinglr', lrWarmupEpochs: 3, epochs: 3 },
      'lrWarmupEpochs: expected fewer than epochs (3) with lrScheduler ' +
        'cosineannealinglr, got 3',
    ],
  ])('%o', (overrides, message) => {
    expect(problemsOf(overrides)).toEqual([message]);
  });

  test('name options as the caller spells them', () => {
    const flag = (key: string) =>
      `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    expect(() =>
      resolveRecipe({ lrScheduler: 'exponentiallr', lrStepSize: 5 }, flag),
    ).toThrow(
      '--lr-step-size: only used with --lr-scheduler steplr; expected the ' +
        'default 30 with --lr-scheduler exponentiallr, got 5',
    );
  });

  test('accept each option with the part that uses it', () => {
    const recipe = resolveRecipe({
      lrScheduler: 'steplr',
      lrStepSize: 10,
      lrGamma: 0.5,
      lrWarmupEpochs: 2,
      lrWarmupMethod: 'linear',
      lrWarmupDecay: 0.1,
      autoAugment: 'ra',
      raMagnitude: 15,
      modelEma: true,
      modelEmaSteps: 8,
      modelEmaDecay: 0.999,
      patience: 3,
      patienceOn: 'ema',
      opt: 'rmsprop',
      momentum: 0,
      batchSize: 64,
      microBatchSize: 16,
      imageSize: 176,
      valResizeSize: 232,
      valCropSize: 224,
    });
    expect(recipe.lrStepSize).toBe(10);
    expect(recipe.patienceOn).toBe('ema');
  });
});

describe('pretrained weights', () => {
  test('are applied with an id and listed as ignored without one', () => {
    const on = { ...DEFAULT_RECIPE, pretrained: true };
    expect(unappliedSettings(on)).toEqual(['pretrained true']);
    expect(
      unappliedSettings({ ...on, weights: 'timm/resnet18.tv_in1k' }),
    ).toEqual([]);
  });

  test('an id needs pretrained true', () => {
    expect(() =>
      resolveRecipe({ weights: 'timm/resnet18.tv_in1k' }, kebabCase),
    ).toThrow(
      'weights: only used with pretrained true; expected the default none ' +
        'with pretrained false, got timm/resnet18.tv_in1k',
    );
  });
});
