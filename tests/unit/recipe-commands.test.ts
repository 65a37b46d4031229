// The recipe as torchvision's and timm's train.py commands: no option is
// left out without a note, the study's presets give the reference's flags,
// and the torchvision command parses with train.py's own option list.
import { describe, expect, test } from 'vitest';
import {
  commandText,
  shellQuote,
  timmCommand,
  torchvisionCommand,
  type Command,
  type CommandTarget,
} from '../../src/recipe/commands';
import { timmTable } from '../../src/recipe/commands/timm';
import { torchvisionTable } from '../../src/recipe/commands/torchvision';
import { presetRecipe } from '../../src/recipe/presets';
import { DEFAULT_RECIPE, type Recipe } from '../../src/recipe/recipe';
import { RECIPE_KEYS, resolveRecipe } from '../../src/recipe/validate';
import {
  TRAIN_PY_INT_FLAGS,
  TRAIN_PY_SWITCHES,
  TRAIN_PY_VALUE_FLAGS,
} from './torchvision-train-flags';
import {
  TIMM_LIST_FLAGS,
  TIMM_SWITCHES,
  TIMM_VALUE_FLAGS,
} from './timm-train-flags';

const ONE_GPU: CommandTarget = { dataset: 'cars', gpus: 1, numClasses: 196 };

/**
 * For each option: a value other than the default, and what must be on for
 * the option to matter. interpolation has one choice only, so none.
 */
const VARIATIONS: Record<
  keyof Recipe,
  { on?: Partial<Recipe>; value: Recipe[keyof Recipe] } | null
> = {
  model: { value: 'resnet50' },
  pretrained: { value: true },
  weights: { on: { pretrained: true }, value: 'timm/resnet18.a1_in1k' },
  width: { value: 0.5 },
  imageSize: { value: 64 },
  valResizeSize: { value: 32 },
  valCropSize: { value: 24 },
  interpolation: null,
  batchSize: { value: 64 },
  microBatchSize: { value: 8 },
  opt: { value: 'adamw' },
  momentum: { value: 0.8 },
  lrSchedulePer: { value: 'step' },
  labelSmoothing: { value: 0.1 },
  mixupAlpha: { value: 0.2 },
  cutmixAlpha: { value: 1 },
  cropFlip: { value: true },
  autoAugment: { value: 'ta_wide' },
  raMagnitude: { on: { autoAugment: 'ra' }, value: 15 },
  randomErase: { value: 0.25 },
  modelEma: { value: true },
  patience: { value: 3 },
  patienceOn: { on: { patience: 3, modelEma: true }, value: 'ema' },
  seed: { value: 7 },
  limit: { value: 100 },
  lr: { value: 0.4 },
  epochs: { value: 9 },
  lrScheduler: { value: 'cosineannealinglr' },
  lrStepSize: { on: { lrScheduler: 'steplr' }, value: 2 },
  lrGamma: { on: { lrScheduler: 'steplr' }, value: 0.5 },
  lrMin: { on: { lrScheduler: 'cosineannealinglr' }, value: 0.001 },
  lrWarmupEpochs: { value: 1 },
  lrWarmupMethod: { on: { lrWarmupEpochs: 1 }, value: 'linear' },
  lrWarmupDecay: { on: { lrWarmupEpochs: 1 }, value: 0.1 },
  weightDecay: { value: 1e-4 },
  normWeightDecay: { on: { weightDecay: 1e-4 }, value: 0.5 },
  biasWeightDecay: { on: { weightDecay: 1e-4 }, value: 0.5 },
  modelEmaSteps: { on: { modelEma: true }, value: 4 },
  modelEmaDecay: { on: { modelEma: true }, value: 0.999 },
};

const recipe = (patch: Partial<Recipe>) =>
  resolveRecipe({ ...DEFAULT_RECIPE, ...patch });

const COMMANDS = [
  ['torchvision', torchvisionCommand, torchvisionTable],
  ['timm', timmCommand, timmTable],
] as const;

describe.each(COMMANDS)('the %s command', (_, command, table) => {
  test('has an entry for every option of the recipe', () => {
    expect(Object.keys(table).sort()).toEqual([...RECIPE_KEYS].sort());
  });

  test.each(RECIPE_KEYS.filter((k) => VARIATIONS[k] !== null))(
    'changes its flags or notes when %s changes',
    (key) => {
      const { on = {}, value } = VARIATIONS[key]!;
      const before = command(recipe(on), ONE_GPU);
      const after = command(recipe({ ...on, [key]: value }), ONE_GPU);
      expect(after).not.toEqual(before);
    },
  );
});

/** Flag and value pairs of a command; a switch maps to true. */
function options(command: Command): Map<string, string | true> {
  const map = new Map<string, string | true>();
  const { args } = command;
  for (let i = 0; i < args.length; i++) {
    const next = args[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      map.set(args[i]!, next);
      i++;
    } else map.set(args[i]!, true);
  }
  return map;
}

describe('the study presets', () => {
  test('blog-final on 4 GPUs is the reference run, batch split', () => {
    const r = presetRecipe('blog-final');
    const command = torchvisionCommand(r, { ...ONE_GPU, gpus: 4 });
    expect(command.program).toEqual([
      'torchrun',
      '--nproc_per_node=4',
      'train.py',
    ]);
    expect(Object.fromEntries(options(command))).toMatchObject({
      '--data-path': './cars',
      '--model': 'resnet50',
      '--weights': 'ResNet50_Weights.IMAGENET1K_V1',
      '--batch-size': String(r.batchSize / 4),
      '--lr': String(r.lr),
      '--opt': 'sgd_nesterov',
      '--lr-scheduler': 'cosineannealinglr',
      '--lr-warmup-epochs': '5',
      '--lr-warmup-method': 'linear',
      '--auto-augment': 'ta_wide',
      '--label-smoothing': '0.1',
      '--random-erase': '0.1',
      '--model-ema': true,
      '--model-ema-steps': '32',
      '--train-crop-size': '224',
      '--val-resize-size': '256',
    });
    expect(command.args).not.toContain('--mixup-alpha');
    expect(command.notes.join('\n')).toMatch(/seed/);
    // The preset names no weight file, so the lab would start from scratch.
    expect(command.notes.join('\n')).toMatch(/pretrained without weights/);
  });

  test('the baseline keeps a constant LR with a StepLR past the end', () => {
    const r = presetRecipe('blog-baseline');
    const flags = options(torchvisionCommand(r, ONE_GPU));
    expect(flags.get('--lr-scheduler')).toBe('steplr');
    expect(Number(flags.get('--lr-step-size'))).toBeGreaterThanOrEqual(
      r.epochs,
    );
    expect(flags.has('--auto-augment')).toBe(false);
  });

  test('timm gets Nesterov SGD, a prefixed warmup and its EMA per step', () => {
    const r = presetRecipe('blog-final');
    const command = timmCommand(r, { ...ONE_GPU, gpus: 2 });
    const flags = options(command);
    expect(flags.get('-b')).toBe(String(r.batchSize / 2));
    expect(flags.get('--opt')).toBe('sgd');
    expect(flags.get('--sched')).toBe('cosine');
    expect(flags.get('--warmup-prefix')).toBe(true);
    expect(Number(flags.get('--warmup-lr'))).toBeCloseTo(r.lr * 0.01, 12);
    expect(flags.get('--smoothing')).toBe('0.1');
    expect(flags.get('--reprob')).toBe('0.1');
    expect(flags.get('--num-classes')).toBe('196');
    // One step's decay, to the power of the steps between torchvision's
    // updates, is torchvision's decay per update.
    const perStep = Number(flags.get('--model-ema-decay'));
    const alpha = Math.min(
      1,
      ((1 - r.modelEmaDecay) * r.batchSize * r.modelEmaSteps) / r.epochs,
    );
    expect(perStep ** r.modelEmaSteps).toBeCloseTo(1 - alpha, 5);
    expect(command.notes.join('\n')).toMatch(/ta_wide/);
  });
});

interface ArgSpec {
  values: readonly (readonly string[])[];
  switches: readonly string[];
  lists?: readonly string[];
  ints?: readonly string[];
}

/**
 * A parser of the options `spec` lists, as argparse would take them,
 * failing on what it would refuse: an unknown option, a missing value, an
 * option given twice, a non-integer for an int option.
 */
function argParser(spec: ArgSpec) {
  const canonical = new Map(
    spec.values.flatMap((names) => names.map((n) => [n, names.at(-1)!])),
  );
  const isFlag = (arg: string | undefined) => /^-[a-z-]/i.test(arg ?? '');
  return (args: readonly string[]): Map<string, string | true> => {
    const parsed = new Map<string, string | true>();
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      const name = canonical.get(arg) ?? arg;
      if (parsed.has(name)) throw new Error(`${arg} given twice`);
      if (spec.switches.includes(arg)) {
        parsed.set(name, true);
      } else if (spec.lists?.includes(arg)) {
        const values: string[] = [];
        while (i + 1 < args.length && !isFlag(args[i + 1]))
          values.push(args[++i]!);
        if (values.length === 0) throw new Error(`${arg}: expected values`);
        parsed.set(name, values.join(' '));
      } else if (canonical.has(arg)) {
        const value = args[++i];
        if (value === undefined || isFlag(value)) {
          throw new Error(`${arg}: expected a value, got ${value}`);
        }
        if (spec.ints?.includes(name) && !/^\d+$/.test(value)) {
          throw new Error(`${arg}: expected an integer, got ${value}`);
        }
        parsed.set(name, value);
      } else throw new Error(`train.py has no option ${arg}`);
    }
    return parsed;
  };
}

describe('the commands against the options of each train.py', () => {
  const parseTorchvision = argParser({
    values: TRAIN_PY_VALUE_FLAGS,
    switches: TRAIN_PY_SWITCHES,
    ints: TRAIN_PY_INT_FLAGS,
  });
  const parseTimm = argParser({
    values: TIMM_VALUE_FLAGS,
    switches: TIMM_SWITCHES,
    lists: TIMM_LIST_FLAGS,
  });

  const everything = recipe({
    pretrained: true,
    weights: 'timm/resnet50.tv2_in1k',
    model: 'resnet50',
    valResizeSize: 36,
    valCropSize: 32,
    imageSize: 32,
    opt: 'rmsprop',
    weightDecay: 1e-4,
    normWeightDecay: 0,
    biasWeightDecay: 0,
    lrScheduler: 'steplr',
    lrWarmupEpochs: 1,
    labelSmoothing: 0.1,
    mixupAlpha: 0.2,
    cutmixAlpha: 1,
    autoAugment: 'ra',
    raMagnitude: 12,
    randomErase: 0.2,
    modelEma: true,
  });

  const parsed: [string, Readonly<Recipe>][] = [
    ['the defaults', DEFAULT_RECIPE],
    ...['blog-baseline', 'blog-cosine', 'blog-final'].map(
      (name): [string, Recipe] => [name, presetRecipe(name)],
    ),
    ['every step on', everything],
    [
      'the other choices',
      recipe({
        opt: 'sgd',
        lrScheduler: 'exponentiallr',
        lrSchedulePer: 'step',
        lrWarmupEpochs: 2,
        autoAugment: 'imagenet',
        cropFlip: true,
        microBatchSize: 8,
        patience: 2,
        limit: 10,
        width: 0.5,
      }),
    ],
  ];

  test.each(parsed)("%s parse with each train.py's options", (_, r) => {
    for (const gpus of [1, 8]) {
      const target = { ...ONE_GPU, gpus };
      const torchvision = torchvisionCommand(r, target).args;
      expect(() => parseTorchvision(torchvision)).not.toThrow();
      expect(() => parseTimm(timmCommand(r, target).args)).not.toThrow();
    }
  });

  test('the parsers refuse what each train.py would', () => {
    expect(() => parseTorchvision(['--seed', '1'])).toThrow(/no option --seed/);
    expect(() => parseTorchvision(['--epochs', '1.5'])).toThrow(/integer/);
    expect(() => parseTorchvision(['--lr'])).toThrow(/expected a value/);
    expect(() => parseTimm(['--lr-scheduler', 'steplr'])).toThrow(
      /no option --lr-scheduler/,
    );
    expect(() => parseTimm(['--scale', '--hflip', '0'])).toThrow(
      /expected values/,
    );
  });

  test('every step on reaches its flag', () => {
    const parsed = parseTorchvision(
      torchvisionCommand(everything, ONE_GPU).args,
    );
    expect(Object.fromEntries(parsed)).toMatchObject({
      '--weights': 'ResNet50_Weights.IMAGENET1K_V2',
      '--opt': 'rmsprop',
      '--norm-weight-decay': '0',
      '--bias-weight-decay': '0',
      '--mixup-alpha': '0.2',
      '--cutmix-alpha': '1',
      '--auto-augment': 'ra',
      '--ra-magnitude': '12',
      '--val-resize-size': '36',
      '--val-crop-size': '32',
    });
  });
});

describe('batches and text', () => {
  test('a batch that does not split over the GPUs is noted', () => {
    const command = torchvisionCommand(recipe({ batchSize: 30 }), {
      ...ONE_GPU,
      gpus: 4,
    });
    expect(options(command).get('--batch-size')).toBe('8');
    expect(command.notes.join('\n')).toMatch(/30.*4 GPUs.*32 a step/);
  });

  test('a GPU count that is not a whole number is refused', () => {
    expect(() =>
      torchvisionCommand(DEFAULT_RECIPE, { ...ONE_GPU, gpus: 0 }),
    ).toThrow(/gpus: expected a whole number >= 1, got 0/);
  });

  test('the text quotes for the shell and breaks before each flag', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('./cars')).toBe('./cars');
    const text = commandText({
      program: ['python', 'train.py'],
      args: ['--data-dir', './my cars', '--model-ema', '--lr', '0.1'],
      notes: [],
    });
    expect(text).toBe(
      "python train.py \\\n  --data-dir './my cars' \\\n  --model-ema \\\n" +
        '  --lr 0.1',
    );
  });
});
