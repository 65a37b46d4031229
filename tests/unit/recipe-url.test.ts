// The recipe's URL form: canonical, exact for every double, and forgiving
// of what people paste: a bad part is named and replaced, the rest kept.
import { describe, expect, test } from 'vitest';
import { createRng } from '../../src/lib/random';
import { crossProblems } from '../../src/recipe/cross-rules';
import { PRESETS, presetRecipe } from '../../src/recipe/presets';
import {
  DEFAULT_RECIPE,
  MODEL_NAMES,
  type Recipe,
} from '../../src/recipe/recipe';
import {
  decodeRecipe,
  encodeRecipe,
  type DecodedRecipe,
} from '../../src/recipe/url';
import { RECIPE_KEYS, RecipeError } from '../../src/recipe/validate';

/** Numbers whose shortest decimal form is long, tiny or just below 1. */
const AWKWARD = [
  0.1 + 0.2,
  1 / 3,
  2 / 3,
  Math.fround(0.1),
  1 - 2 ** -53,
  Number.EPSILON,
  5e-324,
  1e-7,
  1.5e-10,
  123e-20,
  0.99998,
  Math.PI / 10,
];

function roundTrip(recipe: Recipe, dataset: string | null = null) {
  const query = encodeRecipe(recipe, dataset);
  const decoded = decodeRecipe(query);
  expect(decoded.notices).toEqual([]);
  expect(decoded.dataset).toBe(dataset);
  expect(decoded.recipe).toEqual(recipe);
  for (const key of RECIPE_KEYS) {
    expect(Object.is(decoded.recipe[key], recipe[key]), key).toBe(true);
  }
  expect(encodeRecipe(decoded.recipe, decoded.dataset)).toBe(query);
  return query;
}

/** A random valid recipe: each option drawn, then rules repaired. */
function randomRecipe(seed: number): Recipe {
  const rng = createRng(seed);
  const pick = <T>(values: readonly T[]) =>
    values[Math.floor(rng() * values.length)] as T;
  const fraction = () => pick([0, 1, rng(), pick(AWKWARD)]);
  const recipe: Recipe = {
    ...DEFAULT_RECIPE,
    model: pick(MODEL_NAMES),
    pretrained: rng() < 0.5,
    width: pick([0.0625, 0.25, 1, 0.0625 + rng() * 3.9]),
    imageSize: pick([8, 28, 176, 224, 1024]),
    epochs: 1 + Math.floor(rng() * 600),
    batchSize: pick([1, 32, 128, 4096]),
    opt: pick(['sgd', 'sgd-nesterov', 'rmsprop', 'adamw'] as const),
    lr: pick([0, 0.4, rng() * 100, ...AWKWARD]),
    momentum: fraction() * 0.999,
    weightDecay: fraction(),
    normWeightDecay: pick([null, 0, fraction()]),
    biasWeightDecay: pick([null, 0, fraction()]),
    lrScheduler: pick(['none', 'steplr', 'cosineannealinglr'] as const),
    lrSchedulePer: pick(['epoch', 'step'] as const),
    lrWarmupEpochs: pick([0, 0, 5]),
    labelSmoothing: fraction(),
    mixupAlpha: fraction() * 10,
    cutmixAlpha: fraction(),
    autoAugment: pick(['none', 'standard', 'ta_wide', 'ra'] as const),
    randomErase: fraction(),
    modelEma: rng() < 0.5,
    seed: Math.floor(rng() * 2 ** 31),
    weights: pick([null, 'timm/resnet18.tv_in1k', 'https://a.b/c?d=e&f']),
  };
  if (recipe.lrScheduler === 'steplr') recipe.lrGamma = Math.max(1e-9, rng());
  if (recipe.lrWarmupEpochs > 0) recipe.lrWarmupDecay = pick([1, 0.01]);
  if (recipe.modelEma) recipe.modelEmaDecay = pick([0.99998, rng()]);
  for (const { key } of crossProblems(recipe, (k) => k)) {
    (recipe as unknown as Record<string, unknown>)[key] = DEFAULT_RECIPE[key];
  }
  return recipe;
}

describe('encoding', () => {
  test('writes only what differs from the defaults, in canonical order', () => {
    expect(encodeRecipe(DEFAULT_RECIPE)).toBe('');
    const recipe = {
      ...DEFAULT_RECIPE,
      autoAugment: 'ta_wide',
      lr: 0.4,
      opt: 'sgd',
      modelEma: true,
    } as const;
    expect(encodeRecipe(recipe)).toBe(
      'opt=sgd&lr=0.4&auto-augment=ta_wide&model-ema=true',
    );
  });

  test('puts the dataset first and escapes what a query cannot hold', () => {
    const query = encodeRecipe({ ...DEFAULT_RECIPE, epochs: 5 }, 'Cars & co/ü');
    expect(query).toBe('data=Cars%20%26%20co%2F%C3%BC&epochs=5');
  });

  test('refuses a recipe that would not decode to itself', () => {
    const bad = { ...DEFAULT_RECIPE, lrMin: 0.1 };
    expect(() => encodeRecipe(bad)).toThrow(RecipeError);
  });
});

describe('round trip', () => {
  test.each([...PRESETS.keys()])('preset %s', (name) => {
    roundTrip(presetRecipe(name), name === 'blog-final' ? 'cars' : null);
  });

  test.each(AWKWARD)('the double %s comes back bit for bit', (value) => {
    const query = roundTrip({
      ...DEFAULT_RECIPE,
      lr: value,
      weightDecay: value,
    });
    expect(query).toBe(`lr=${String(value)}&weight-decay=${String(value)}`);
  });

  test('pretrained weights by id or URL', () => {
    const recipe = {
      ...DEFAULT_RECIPE,
      pretrained: true,
      weights: 'timm/resnet18.tv_in1k',
    };
    expect(roundTrip(recipe)).toBe(
      'pretrained=true&weights=timm%2Fresnet18.tv_in1k',
    );
    expect(
      decodeRecipe('?pretrained=true&weights=timm/resnet18.tv_in1k'),
    ).toMatchObject({ recipe, notices: [] });
    const url = 'https://example.org/w.safetensors?x=1&y=2';
    roundTrip({ ...recipe, weights: url });
  });

  test('200 random recipes', () => {
    for (let seed = 1; seed <= 200; seed++) {
      roundTrip(randomRecipe(seed), seed % 3 === 0 ? `set ${seed}` : null);
    }
  });
});

describe('decoding', () => {
  test('weights without pretrained are put back to none', () => {
    const { recipe, notices } = decodeRecipe('weights=timm/resnet18.tv_in1k');
    expect(recipe.weights).toBeNull();
    expect(notices.map((n) => n.message)).toEqual([
      'weights: only used with pretrained true; expected the default none ' +
        'with pretrained false, got timm/resnet18.tv_in1k; used none',
    ]);
  });

  test('weights with a space are refused with what is allowed', () => {
    const { recipe, notices } = decodeRecipe('pretrained&weights=a%20b');
    expect(recipe).toMatchObject({ pretrained: true, weights: null });
    expect(notices[0]?.message).toMatch(
      /^weights: expected an id of cached weights without spaces, .* or none, got "a b"; used none$/,
    );
  });

  test('takes a query with or without "?", or a whole URL', () => {
    const wanted = { ...DEFAULT_RECIPE, lr: 0.4, modelEma: true };
    for (const text of [
      'lr=0.4&model-ema=true',
      '?lr=0.4&model-ema',
      'http://127.0.0.1:5173/?model-ema=true&lr=0.4#chart',
    ]) {
      expect(decodeRecipe(text)).toEqual({
        recipe: wanted,
        dataset: null,
        notices: [],
      });
    }
  });

  test('applies the query onto a preset when given one', () => {
    const base = presetRecipe('blog-cosine');
    const { recipe, notices } = decodeRecipe('lr=0.2&data=cars', base);
    expect(notices).toEqual([]);
    expect(recipe).toEqual({ ...base, lr: 0.2 });
  });

  test('replaces each bad value with the default, names it, keeps the rest', () => {
    const decoded = decodeRecipe(
      'lr=fast&opt=adamw&epochs=0&auto-augment=ta_wide&model-ema=yes&data=cars',
    );
    expect(decoded.recipe).toEqual({
      ...DEFAULT_RECIPE,
      opt: 'adamw',
      autoAugment: 'ta_wide',
    });
    expect(decoded.dataset).toBe('cars');
    expect(decoded.notices.map((n) => n.message)).toEqual([
      'lr: expected a number from 0 to 100, got "fast"; used 0.01',
      'epochs: expected an integer from 1 to 10000, got "0"; used 3',
      'model-ema: expected true or false, got "yes"; used false',
    ]);
    expect(decoded.notices[0]).toEqual({
      key: 'lr',
      value: 'fast',
      expected: 'a number from 0 to 100',
      used: '0.01',
      message: 'lr: expected a number from 0 to 100, got "fast"; used 0.01',
    });
  });

  test('ignores unknown keys by name, suggesting the close ones', () => {
    const decoded = decodeRecipe(
      'batchSize=64&lr-warmup=2&train-crop-size=176&xyzzy=1&lr=0.2',
    );
    expect(decoded.recipe).toEqual({ ...DEFAULT_RECIPE, lr: 0.2 });
    expect(decoded.notices.map((n) => n.message)).toEqual([
      'unknown option "batchSize" (did you mean batch-size?); ignored',
      'unknown option "lr-warmup" (did you mean lr-warmup-epochs, ' +
        'lr-warmup-method, lr-warmup-decay?); ignored',
      'unknown option "train-crop-size": the training crop is image-size ' +
        'here; ignored',
      `unknown option "xyzzy" (known: ${RECIPE_KEYS.map((k) =>
        k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
      ).join(', ')}); ignored`,
    ]);
    expect(decoded.notices[3]).toMatchObject({ key: 'xyzzy', used: 'nothing' });
  });

  test('keeps the first of a repeated key', () => {
    const decoded = decodeRecipe('lr=0.2&lr=0.3&data=a&data=b');
    expect(decoded.recipe.lr).toBe(0.2);
    expect(decoded.dataset).toBe('a');
    expect(decoded.notices.map((n) => n.message)).toEqual([
      'lr: expected once, got again with "0.3"; used the first value',
      'data: expected once, got again with "b"; used the first value',
    ]);
  });

  test('puts back the option at fault of a broken rule, keeping the rest', () => {
    const decoded = decodeRecipe(
      'lr-scheduler=cosineannealinglr&lr-step-size=10&batch-size=64' +
        '&micro-batch-size=24&patience-on=ema',
    );
    expect(decoded.recipe).toEqual({
      ...DEFAULT_RECIPE,
      lrScheduler: 'cosineannealinglr',
      batchSize: 64,
    });
    expect(decoded.notices.map((n) => n.message)).toEqual([
      'lr-step-size: only used with lr-scheduler steplr; expected the ' +
        'default 30 with lr-scheduler cosineannealinglr, got 10; used 30',
      'patience-on: only used with patience above 0; expected the default ' +
        'model with patience 0, got ema; used model',
      'micro-batch-size: expected a divisor of batch-size (64), got 24; ' +
        'used none',
    ]);
  });

  test("falls back to the default where the base's value breaks a rule too", () => {
    const base: Recipe = {
      ...DEFAULT_RECIPE,
      lrScheduler: 'steplr',
      lrStepSize: 10,
    };
    const decoded = decodeRecipe('lr-scheduler=exponentiallr', base);
    expect(decoded.recipe).toEqual({
      ...base,
      lrScheduler: 'exponentiallr',
      lrStepSize: 30,
    });
    expect(decoded.notices).toHaveLength(1);
    expect(decoded.notices[0]).toMatchObject({
      key: 'lr-step-size',
      value: '10',
      used: '30',
    });
  });

  test('an empty dataset name is a notice, not a dataset', () => {
    const decoded: DecodedRecipe = decodeRecipe('data=&lr=0.2');
    expect(decoded.dataset).toBeNull();
    expect(decoded.notices.map((n) => n.message)).toEqual([
      'data: expected a dataset name, got ""; used none',
    ]);
  });

  test('never throws on garbage and always returns a valid recipe', () => {
    const rng = createRng(7);
    const alphabet = 'a-z=&%?#+;1.e-_ü';
    for (let i = 0; i < 300; i++) {
      const length = Math.floor(rng() * 40);
      let text = '';
      for (let j = 0; j < length; j++) {
        text += alphabet[Math.floor(rng() * alphabet.length)];
      }
      const { recipe } = decodeRecipe(text);
      expect(crossProblems(recipe, (k) => k)).toEqual([]);
      expect(() => encodeRecipe(recipe)).not.toThrow();
    }
    expect(decodeRecipe('%E0%A4%A&lr=%ZZ').recipe).toEqual(DEFAULT_RECIPE);
  });
});
