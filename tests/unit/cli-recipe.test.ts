// The CLI's side of recipes: the `recipe` command, which prints a recipe
// given as a URL query, and --preset on train and bench.
import { describe, expect, test } from 'vitest';
import { presetRecipe } from '../../src/recipe/presets';
import { DEFAULT_RECIPE } from '../../src/recipe/recipe';
import { effectiveEmaDecay } from '../../src/train/ema-decay';
import { parseArgs } from '../../tools/lab/args';
import { EXIT_OK, EXIT_USAGE, runCli } from '../../tools/lab/cli';
import type { Io } from '../../tools/lab/commands';
import { BENCH_DEFAULTS } from '../../tools/lab/flags';
import type { RecipeReport } from '../../tools/lab/recipe-command';
import { usage } from '../../tools/lab/usage';
import { usageError } from './cli-helpers';

/** Runs the CLI; fails the test if anything would reach a browser. */
async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    status: () => {},
    now: () => 0,
    writeJson: () => Promise.reject(new Error('no files here')),
    writeText: () => Promise.reject(new Error('no files here')),
  };
  const code = await runCli(argv, io);
  const report = out.length
    ? (JSON.parse(out.join('\n')) as RecipeReport)
    : null;
  return { code, report, err };
}

describe('recipe command line', () => {
  test('takes one query, or words to join with &, and a preset', () => {
    expect(parseArgs(['recipe', '?lr=0.4&opt=adamw'])).toEqual({
      kind: 'recipe',
      query: '?lr=0.4&opt=adamw',
      preset: null,
    });
    expect(
      parseArgs(['recipe', 'lr=0.4', '--preset', 'blog-cosine', 'epochs=30']),
    ).toEqual({
      kind: 'recipe',
      query: 'lr=0.4&epochs=30',
      preset: 'blog-cosine',
    });
    expect(parseArgs(['recipe', '--preset=blog-final'])).toEqual({
      kind: 'recipe',
      query: '',
      preset: 'blog-final',
    });
    expect(parseArgs(['recipe', 'lr=0.4', '-h'])).toEqual({
      kind: 'help',
      topic: 'recipe',
    });
  });

  test('refuses train flags and unknown presets, saying what it takes', () => {
    const { message, topic } = usageError(['recipe', '--lr', '0.4']);
    expect(topic).toBe('recipe');
    expect(message).toBe(
      'unknown flag --lr for recipe; known flags: --preset, --help',
    );
    expect(usageError(['recipe', '--preset', 'final']).message).toMatch(
      /^--preset: expected one of blog-baseline, .*, got "final"$/,
    );
  });

  test('has help that says what QUERY is', () => {
    const text = usage('recipe');
    expect(text).toContain('Usage: npm run lab -- recipe [QUERY] [flags]');
    expect(text).toContain('--preset NAME');
    expect(usage(null)).toContain('recipe  print the recipe of a URL query');
  });
});

describe('recipe command', () => {
  test('prints the whole recipe and its canonical query, exit 0', async () => {
    const { code, report, err } = await run([
      'recipe',
      'auto-augment=ta_wide&lr=0.4&opt=sgd&data=cars',
    ]);
    expect(code).toBe(EXIT_OK);
    expect(err).toEqual([]);
    expect(report).toEqual({
      query: 'data=cars&opt=sgd&lr=0.4&auto-augment=ta_wide',
      dataset: 'cars',
      recipe: {
        ...DEFAULT_RECIPE,
        opt: 'sgd',
        lr: 0.4,
        autoAugment: 'ta_wide',
      },
      modelEmaDecayPerUpdate: null,
      notices: [],
    });
  });

  test("starts from a preset and shows the EMA's real decay", async () => {
    const { code, report } = await run([
      'recipe',
      '--preset',
      'blog-final',
      'lr=0.2',
    ]);
    expect(code).toBe(EXIT_OK);
    const recipe = { ...presetRecipe('blog-final'), lr: 0.2 };
    expect(report?.recipe).toEqual(recipe);
    expect(report?.query).toContain('&lr=0.2&');
    expect(report?.modelEmaDecayPerUpdate).toBe(effectiveEmaDecay(recipe));
  });

  test('exits 2 with every notice on stderr, still printing the recipe', async () => {
    const { code, report, err } = await run([
      'recipe',
      'lr=fast&batchSize=64&opt=adamw',
    ]);
    expect(code).toBe(EXIT_USAGE);
    expect(err).toEqual([
      'lab: lr: expected a number from 0 to 100, got "fast"; used 0.01',
      'lab: unknown option "batchSize" (did you mean batch-size?); ignored',
    ]);
    expect(report?.recipe).toEqual({ ...DEFAULT_RECIPE, opt: 'adamw' });
    expect(report?.query).toBe('opt=adamw');
    expect(report?.notices.map((n) => n.key)).toEqual(['lr', 'batchSize']);
  });

  test('a bad command line exits 2 before reading any query', async () => {
    const { code, report, err } = await run(['recipe', '--preset', 'x']);
    expect(code).toBe(EXIT_USAGE);
    expect(report).toBeNull();
    expect(err.at(-1)).toBe('lab: see `npm run lab -- recipe --help`');
  });
});

describe('--preset', () => {
  test('is the base of train; every other flag overrides it', () => {
    const wanted = { ...presetRecipe('blog-cosine'), lr: 0.2, epochs: 30 };
    for (const argv of [
      ['--preset', 'blog-cosine', '--lr', '0.2', '--epochs', '30'],
      ['--lr', '0.2', '--preset', 'blog-cosine', '--epochs=30'],
    ]) {
      expect(parseArgs(['train', ...argv])).toMatchObject({
        kind: 'train',
        recipe: wanted,
      });
    }
  });

  test('gives bench its model and batch, flags overriding them, and its training options', () => {
    const command = parseArgs([
      'bench',
      '--preset',
      'blog-final',
      '--batch-size',
      '8',
    ]);
    expect(command).toEqual({
      kind: 'bench',
      options: {
        ...BENCH_DEFAULTS,
        model: 'resnet50',
        width: 1,
        imageSize: 224,
        batchSize: 8,
        seed: 1,
        training: expect.objectContaining({
          autoAugment: 'ta_wide',
          randomErase: 0.1,
          labelSmoothing: 0.1,
          modelEma: true,
          lrScheduler: 'cosineannealinglr',
        }),
      },
      jsonPath: null,
    });
    if (command.kind !== 'bench') throw new Error(command.kind);
    expect(command.options.training).not.toHaveProperty('model');
    expect(command.options.training).not.toHaveProperty('batchSize');
  });

  test('an override that breaks a rule of the preset is named by flag', () => {
    const { message, topic } = usageError([
      'train',
      '--preset',
      'blog-final',
      '--lr-step-size',
      '10',
    ]);
    expect(topic).toBe('train');
    expect(message).toBe(
      '--lr-step-size: only used with --lr-scheduler steplr; expected the ' +
        'default 30 with --lr-scheduler cosineannealinglr, got 10',
    );
  });
});

describe('train flags for the whole recipe', () => {
  test('boolean flags stand alone or take true or false', () => {
    expect(
      parseArgs([
        'train',
        '--model-ema',
        '--pretrained',
        'false',
        '--seed',
        '2',
      ]),
    ).toMatchObject({
      recipe: { modelEma: true, pretrained: false, seed: 2 },
    });
    expect(parseArgs(['train', '--pretrained'])).toMatchObject({
      recipe: { pretrained: true },
    });
    expect(usageError(['train', '--model-ema', 'on']).message).toBe(
      '--model-ema: expected true or false, got "on"',
    );
  });

  test('"none" sets an option that may be left unset', () => {
    const command = parseArgs([
      'train',
      '--norm-weight-decay',
      '0',
      '--micro-batch-size',
      'none',
    ]);
    expect(command).toMatchObject({
      recipe: { normWeightDecay: 0, microBatchSize: null },
    });
  });

  test('take the reference spelling of every option', () => {
    const command = parseArgs([
      'train',
      '--lr-scheduler',
      'cosineannealinglr',
      '--lr-warmup-epochs',
      '2',
      '--lr-warmup-method',
      'linear',
      '--auto-augment',
      'ta_wide',
      '--label-smoothing',
      '0.1',
      '--random-erase',
      '0.1',
      '--mixup-alpha',
      '0.2',
      '--cutmix-alpha',
      '1',
      '--model-ema-steps',
      '16',
      '--model-ema',
    ]);
    expect(command).toMatchObject({
      recipe: {
        lrScheduler: 'cosineannealinglr',
        lrWarmupEpochs: 2,
        lrWarmupMethod: 'linear',
        autoAugment: 'ta_wide',
        labelSmoothing: 0.1,
        randomErase: 0.1,
        mixupAlpha: 0.2,
        cutmixAlpha: 1,
        modelEmaSteps: 16,
        modelEma: true,
      },
    });
  });
});
