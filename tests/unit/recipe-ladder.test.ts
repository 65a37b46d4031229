import { describe, expect, test } from 'vitest';
import {
  ladderCsv,
  planLadder,
  summarizeLadder,
} from '../../src/recipe/ladder';
import { BLOG_LADDER } from '../../src/recipe/presets';
import { DEFAULT_RECIPE } from '../../src/recipe/recipe';

const patchOf = (name: string) =>
  BLOG_LADDER.find((s) => s.name === name)!.patch;

const pinned = { width: 0.125, epochs: 2, lrWarmupEpochs: 1 };

describe('planning a ladder', () => {
  test('each rung adds its step to the accepted rungs below it', () => {
    const plan = planLadder({
      base: DEFAULT_RECIPE,
      steps: ['lr-optimizations', 'trivial-augment', 'cosine'],
      pinned,
    });
    expect(plan.map((r) => [r.name, r.kind, r.parent])).toEqual([
      ['base', 'base', null],
      ['lr-optimizations', 'rung', 'base'],
      ['trivial-augment', 'rung', 'lr-optimizations'],
      ['cosine', 'rung', 'trivial-augment'],
    ]);
    const top = plan.at(-1)!.recipe;
    expect(top).toMatchObject({
      ...patchOf('trivial-augment'),
      ...patchOf('cosine'),
      batchSize: patchOf('lr-optimizations').batchSize,
      ...pinned,
    });
    // Pinned options hold on every rung, the base included.
    for (const rung of plan) expect(rung.recipe).toMatchObject(pinned);
  });

  test('a rejected step is a branch, and the next rung skips it', () => {
    const plan = planLadder({
      base: DEFAULT_RECIPE,
      steps: ['label-smoothing', 'random-erasing', 'ema'],
      rejected: ['random-erasing'],
      pinned,
    });
    expect(plan.map((r) => [r.name, r.kind, r.parent])).toEqual([
      ['base', 'base', null],
      ['label-smoothing', 'rung', 'base'],
      ['random-erasing', 'branch', 'label-smoothing'],
      ['ema', 'rung', 'label-smoothing'],
    ]);
    expect(plan[2]!.recipe.randomErase).toBe(0.1);
    expect(plan[3]!.recipe.randomErase).toBe(DEFAULT_RECIPE.randomErase);
    expect(plan[3]!.recipe.labelSmoothing).toBe(0.1);
  });

  test('unknown, repeated and stray steps are refused by name', () => {
    const plan = (steps: string[], rejected: string[] = []) =>
      planLadder({ base: DEFAULT_RECIPE, steps, rejected, pinned });
    expect(() => plan(['cosin'])).toThrow(/unknown ladder step "cosine?"/);
    expect(() => plan(['ema', 'ema'])).toThrow(/"ema" is given twice/);
    expect(() => plan(['ema'], ['cosine'])).toThrow(
      /rejected step "cosine" is not among the steps \(ema\)/,
    );
  });
});

describe('the ladder table', () => {
  const plan = planLadder({
    base: DEFAULT_RECIPE,
    steps: ['cosine', 'ema'],
    rejected: ['cosine'],
  });
  const results = [
    { rung: 'base', seed: 1, bestValTop1: 0.5 },
    { rung: 'base', seed: 2, bestValTop1: 0.6 },
    { rung: 'cosine', seed: 1, bestValTop1: 0.7 },
    { rung: 'cosine', seed: 2, bestValTop1: 0.7 },
    { rung: 'ema', seed: 1, bestValTop1: 0.4 },
    { rung: 'ema', seed: 2, bestValTop1: 0.8 },
  ];

  test('mean, spread and gains per rung, branches off their parent', () => {
    const rows = summarizeLadder(plan, results);
    expect(rows.map((r) => r.name)).toEqual(['base', 'cosine', 'ema']);
    const [base, cosine, ema] = rows;
    expect(base!.mean).toBeCloseTo(0.55, 12);
    expect(base!.std).toBeCloseTo(Math.sqrt(0.005), 12);
    expect(base!.gainOverParent).toBeNull();
    expect(base!.gainOverBase).toBeNull();
    expect(cosine!.gainOverParent).toBeCloseTo(0.15, 12);
    expect(cosine!.std).toBe(0);
    // ema's parent is the base: the rejected cosine is not under it.
    expect(ema!.parent).toBe('base');
    expect(ema!.gainOverParent).toBeCloseTo(0.05, 12);
    expect(ema!.gainOverBase).toBeCloseTo(0.05, 12);
    expect(ema!.publishedTop1).toBe(94.93);
  });

  test('as CSV, one line per rung, text fields quoted where needed', () => {
    const csv = ladderCsv(summarizeLadder(plan, results));
    const lines = csv.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^rung,kind,parent,title,seeds,mean_top1,/);
    expect(lines[1]).toMatch(/^base,base,,base recipe,2,0\.55,/);
    expect(lines[3]).toMatch(/^ema,rung,base,EMA of the weights,2,/);
    expect(lines[3]!.endsWith(',0.4 0.8')).toBe(true);
  });
});
