import { describe, expect, test } from 'vitest';
import type { DatasetManifest } from '../../src/data/schema';
import type { TrainReport } from '../../src/train/protocol';
import { parseArgs } from '../../tools/lab/args';
import type { Io } from '../../tools/lab/commands';
import { LADDER_DEFAULT_STEPS } from '../../tools/lab/flags';
import {
  besideJson,
  runLadder,
  type LadderCommand,
} from '../../tools/lab/ladder-command';
import type { Lab, TrainArgs } from '../../tools/lab/page-api';
import { usageError } from './cli-helpers';

function ladder(argv: string[]): LadderCommand {
  const command = parseArgs(['ladder', ...argv]);
  if (command.kind !== 'ladder') throw new Error(`got ${command.kind}`);
  return command;
}

const ladderError = (argv: string[]) => usageError(['ladder', ...argv]).message;

describe('ladder arguments', () => {
  test("the study's steps after its baseline, two seeds, flags pinned", () => {
    const command = ladder(['--width', '0.125', '--epochs', '2']);
    expect(command.steps).toEqual(LADDER_DEFAULT_STEPS);
    expect(command.steps).not.toContain('baseline');
    expect(command.seeds).toBe(2);
    expect(command.rejected).toEqual([]);
    expect(command.pinned).toEqual({ width: 0.125, epochs: 2 });
    expect(command.base).toMatchObject({ width: 0.125, epochs: 2 });
  });

  test('steps, rejected steps and seeds as given', () => {
    const command = ladder([
      '--steps',
      'cosine, ema',
      '--reject=ema',
      '--seeds',
      '3',
    ]);
    expect(command.steps).toEqual(['cosine', 'ema']);
    expect(command.rejected).toEqual(['ema']);
    expect(command.seeds).toBe(3);
  });

  test('unknown or stray steps and bad seeds are named', () => {
    expect(ladderError(['--steps', 'cosine,emma'])).toMatch(
      /--steps: expected steps from .*, got "emma"/,
    );
    expect(ladderError(['--steps', 'cosine', '--reject', 'ema'])).toMatch(
      /--reject: expected steps from --steps \(cosine\), got ema/,
    );
    expect(ladderError(['--seeds', '0'])).toMatch(/--seeds/);
  });
});

const MANIFEST = {
  name: 'fashion-mnist-demo',
  classNames: ['a', 'b'],
  height: 28,
  width: 28,
  channels: 1,
  splits: {
    train: { numImages: 600, numShards: 1, classCounts: [] },
    val: { numImages: 100, numShards: 1, classCounts: [] },
  },
} as unknown as DatasetManifest;

describe('running a ladder', () => {
  test('every rung with every seed, then the table, JSON and CSV', async () => {
    const trained: TrainArgs[] = [];
    const lab: Lab = {
      ensureDemo: async () => MANIFEST,
      train: async (args: TrainArgs) => {
        trained.push(args);
        // Accuracy that grows with the LR, so the rungs differ.
        const report = {
          runId: `run-${trained.length}`,
          backend: 'webgpu',
          adapter: 'test',
          tfjsVersion: '4.22.0',
          kernels: 'lab',
          model: args.recipe.model,
          dataset: args.dataset,
          numTrainImages: 600,
          numValImages: 100,
          bestEpoch: 1,
          wallSeconds: 1,
          bestValTop1: Math.min(1, args.recipe.lr + args.recipe.seed / 100),
          epochs: [],
          recipe: args.recipe,
        };
        return report as unknown as TrainReport;
      },
      onEvent: () => () => {},
    } as unknown as Lab;
    const out: string[] = [];
    const written = new Map<string, unknown>();
    const io: Io = {
      out: (line) => out.push(line),
      err: () => {},
      status: () => {},
      now: () => 0,
      writeJson: async (path, value) => (written.set(path, value), path),
      writeText: async (path, text) => (written.set(path, text), path),
    };
    const command = ladder([
      '--steps',
      'lr-optimizations,label-smoothing',
      '--epochs',
      '6',
      '--seeds',
      '2',
      '--json',
      'l.json',
    ]);
    const rows = await runLadder(lab, command, io);

    expect(trained.map((t) => [t.recipe.lr, t.recipe.seed])).toEqual([
      [0.01, 1],
      [0.01, 2],
      [0.1, 1],
      [0.1, 2],
      [0.4, 1],
      [0.4, 2],
    ]);
    expect(rows.map((r) => r.name)).toEqual([
      'base',
      'lr-optimizations',
      'label-smoothing',
    ]);
    expect(rows[2]!.gainOverParent).toBeCloseTo(0.3, 12);
    expect(out.some((l) => /^label-smoothing +rung +41\.50%/.test(l))).toBe(
      true,
    );
    expect(written.get('l.json')).toMatchObject({ seeds: 2 });
    expect(String(written.get('l.csv'))).toMatch(/^rung,kind,/);
    expect(String(written.get('l.svg'))).toMatch(/^<svg /);
  });

  test('the CSV and the chart sit beside the JSON report', () => {
    expect(besideJson('out/ladder.json', 'csv')).toBe('out/ladder.csv');
    expect(besideJson('ladder', 'svg')).toBe('ladder.svg');
  });
});
