import { describe, expect, test } from 'vitest';
import { DEFAULT_RECIPE, MODEL_NAMES } from '../../src/recipe/recipe';
import { editDistance, parseArgs } from '../../tools/lab/args';
import {
  BENCH_DEFAULTS,
  DEMO_DATASET,
  kebabCase,
  TRAIN_FLAGS,
} from '../../tools/lab/flags';
import { usage, wrap } from '../../tools/lab/usage';
import { RECIPE_KEYS } from '../../src/recipe/validate';
import { usageError } from './cli-helpers';

describe('train', () => {
  test('takes every recipe key as a kebab-case flag', () => {
    const command = parseArgs([
      'train',
      '--data',
      'demo',
      '--model',
      'resnet34',
      '--width',
      '0.25',
      '--image-size',
      '32',
      '--epochs',
      '3',
      '--seed',
      '7',
      '--lr',
      '0.1',
      '--momentum',
      '0.5',
      '--batch-size',
      '16',
      '--opt',
      'sgd',
      '--patience',
      '2',
      '--limit',
      '64',
      '--json',
      'out.json',
    ]);
    expect(command).toEqual({
      kind: 'train',
      dataset: DEMO_DATASET,
      jsonPath: 'out.json',
      profileDir: null,
      killAfterEpoch: null,
      resume: null,
      recipe: {
        ...DEFAULT_RECIPE,
        model: 'resnet34',
        width: 0.25,
        imageSize: 32,
        epochs: 3,
        seed: 7,
        lr: 0.1,
        momentum: 0.5,
        batchSize: 16,
        opt: 'sgd',
        patience: 2,
        limit: 64,
      },
    });
  });

  test('has a flag for each recipe key and nothing misspelt', () => {
    const names = TRAIN_FLAGS.map((f) => f.name);
    for (const key of RECIPE_KEYS) expect(names).toContain(kebabCase(key));
    expect(kebabCase('imageSize')).toBe('image-size');
  });

  test('fills in the default recipe and the demo dataset', () => {
    expect(parseArgs(['train'])).toEqual({
      kind: 'train',
      dataset: DEMO_DATASET,
      recipe: DEFAULT_RECIPE,
      jsonPath: null,
      profileDir: null,
      killAfterEpoch: null,
      resume: null,
    });
  });

  test('accepts --flag=value and names a stored dataset as given', () => {
    const command = parseArgs(['train', '--epochs=2', '--data=cars']);
    expect(command).toMatchObject({ dataset: 'cars', recipe: { epochs: 2 } });
  });

  test('takes --kill-after-epoch before the last epoch and --resume alone', () => {
    const kill = parseArgs([
      'train',
      '--epochs',
      '3',
      '--kill-after-epoch',
      '2',
    ]);
    expect(kill).toMatchObject({ killAfterEpoch: 2, resume: null });
    expect(parseArgs(['train', '--resume', 'last'])).toMatchObject({
      resume: 'last',
      killAfterEpoch: null,
    });
    expect(
      usageError(['train', '--epochs', '3', '--kill-after-epoch', '3']).message,
    ).toBe(
      '--kill-after-epoch: expected an epoch before the last (1 to 2 with ' +
        '--epochs 3), got 3: the last epoch writes no checkpoint, its run ' +
        'finishes',
    );
    expect(
      usageError(['train', '--resume', 'r1', '--lr', '0.2', '--data', 'x'])
        .message,
    ).toBe(
      '--resume continues the run with the recipe and dataset it was ' +
        'started with; expected no --lr, --data',
    );
  });

  test('takes a profile folder to train on datasets imported into it', () => {
    const command = parseArgs(['train', '--data', 'cars', '--profile', 'p']);
    expect(command).toMatchObject({ dataset: 'cars', profileDir: 'p' });
    expect(command).not.toHaveProperty('recipe.profile');
  });
});

describe('bench', () => {
  test('defaults to a small model and at least 20 timed steps', () => {
    const command = parseArgs(['bench']);
    expect(command).toEqual({
      kind: 'bench',
      options: BENCH_DEFAULTS,
      jsonPath: null,
    });
    expect(BENCH_DEFAULTS.steps).toBeGreaterThanOrEqual(20);
  });

  test('takes its own flags', () => {
    const command = parseArgs([
      'bench',
      '--model',
      'resnet50',
      '--steps',
      '25',
      '--warmup-steps',
      '0',
      '--json',
      'bench.json',
    ]);
    expect(command).toEqual({
      kind: 'bench',
      options: {
        ...BENCH_DEFAULTS,
        model: 'resnet50',
        steps: 25,
        warmupSteps: 0,
      },
      jsonPath: 'bench.json',
    });
  });

  test('refuses fewer than 2 timed steps', () => {
    expect(usageError(['bench', '--steps', '1']).message).toBe(
      '--steps: expected an integer from 2 to 100000, got "1"',
    );
  });

  test('refuses training-only flags', () => {
    expect(usageError(['bench', '--epochs', '2']).message).toMatch(
      /^unknown flag --epochs for bench/,
    );
  });
});

describe('errors', () => {
  test('an unknown model lists the models', () => {
    const { message } = usageError(['train', '--model', 'resnet99']);
    expect(message).toBe(
      `--model: expected one of ${MODEL_NAMES.join(', ')}, got "resnet99"`,
    );
  });

  test('an unknown flag lists the known ones and suggests the closest', () => {
    const { message, topic } = usageError(['train', '--imageSize', '32']);
    expect(topic).toBe('train');
    expect(message).toContain('unknown flag --imageSize for train');
    expect(message).toContain('did you mean --image-size?');
    expect(message).toContain('--batch-size');
    expect(usageError(['train', '--frobnicate']).message).not.toContain(
      'did you mean',
    );
  });

  test('a missing value says what the flag takes', () => {
    expect(usageError(['train', '--epochs']).message).toBe(
      'missing value for --epochs: expected an integer from 1 to 10000',
    );
    expect(usageError(['train', '--lr', '--epochs', '2']).message).toBe(
      'missing value for --lr: expected a number from 0 to 100',
    );
    expect(usageError(['train', '--data=']).message).toMatch(
      /^missing value for --data/,
    );
  });

  test('every bad value is reported at once, with its range', () => {
    const { message } = usageError([
      'train',
      '--epochs',
      '0',
      '--width',
      'wide',
      '--batch-size',
      '1.5',
    ]);
    expect(message.split('\n')).toEqual([
      '--epochs: expected an integer from 1 to 10000, got "0"',
      '--width: expected a number from 0.0625 to 4, got "wide"',
      '--batch-size: expected an integer from 1 to 4096, got "1.5"',
    ]);
  });

  test('a flag given twice, a stray word and an unknown command', () => {
    expect(usageError(['train', '--seed', '1', '--seed', '2']).message).toBe(
      '--seed is given twice',
    );
    expect(usageError(['train', 'fast']).message).toBe(
      'unexpected argument "fast" (flags start with --)',
    );
    expect(usageError(['-x']).message).toBe(
      'unknown command "-x" (expected one of: train, bench, ladder, ' +
        'import, bench-import, recipe, convert, predict, weights)',
    );
    expect(usageError(['fit']).message).toBe(
      'unknown command "fit" (expected one of: train, bench, ladder, ' +
        'import, bench-import, recipe, convert, predict, weights)',
    );
    expect(usageError([]).message).toBe(
      'no command given (expected one of: train, bench, ladder, ' +
        'import, bench-import, recipe, convert, predict, weights)',
    );
  });
});

describe('help', () => {
  test('is asked for in several ways', () => {
    expect(parseArgs(['--help'])).toEqual({ kind: 'help', topic: null });
    expect(parseArgs(['help', 'bench'])).toEqual({
      kind: 'help',
      topic: 'bench',
    });
    expect(parseArgs(['train', '--epochs', '2', '-h'])).toEqual({
      kind: 'help',
      topic: 'train',
    });
  });

  test('lists every flag with its range and default, within 80 columns', () => {
    const text = usage('train');
    for (const spec of TRAIN_FLAGS) expect(text).toContain(`--${spec.name}`);
    expect(text.replace(/\s+/g, ' ')).toContain(
      'network architecture; one of resnet18, resnet34, resnet50, ' +
        'mobilenet_v3_large [resnet18]',
    );
    for (const topic of [null, 'train', 'bench'] as const) {
      for (const line of usage(topic).split('\n')) {
        expect(line.length, line).toBeLessThanOrEqual(80);
      }
    }
  });

  test('wraps words with a hanging indent', () => {
    expect(wrap('aa bb cc', 76)).toEqual([
      `${' '.repeat(76)}aa`,
      `${' '.repeat(76)}bb`,
      `${' '.repeat(76)}cc`,
    ]);
  });
});

test('edit distance counts single-character edits', () => {
  expect(editDistance('lr', 'lr')).toBe(0);
  expect(editDistance('epoch', 'epochs')).toBe(1);
  expect(editDistance('imagesize', 'image-size')).toBe(1);
  expect(editDistance('kitten', 'sitting')).toBe(3);
});
