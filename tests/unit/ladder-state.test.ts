import { describe, expect, test } from 'vitest';
import { ladderCsv } from '../../src/recipe/ladder';
import { DEFAULT_RECIPE, type Recipe } from '../../src/recipe/recipe';
import type { TrainReport } from '../../src/train/protocol';
import {
  DEFAULT_LADDER_CHOICE,
  ladderBars,
  ladderPosition,
  ladderQueue,
  ladderStateReport,
  previewLadder,
  queuedRecipe,
  rungChanges,
  startedLadder,
  toggleRejected,
  toggleStep,
  withNumSeeds,
  withRunEnded,
  type LadderChoice,
} from '../../src/ui/ladder-state';

const small: Recipe = {
  ...DEFAULT_RECIPE,
  width: 0.125,
  epochs: 1,
  limit: 64,
  seed: 7,
};

const choice = (steps: string[], rejected: string[] = [], numSeeds = 2) =>
  ({ steps, rejected, numSeeds }) satisfies LadderChoice;

function report(runId: string, bestValTop1: number): TrainReport {
  return { runId, bestValTop1, stopped: false } as unknown as TrainReport;
}

describe('choosing the steps', () => {
  test("steps keep the study's order however they are ticked", () => {
    let c = choice([]);
    c = toggleStep(c, 'ema');
    c = toggleStep(c, 'trivial-augment');
    c = toggleStep(c, 'baseline');
    expect(c.steps).toEqual(['baseline', 'trivial-augment', 'ema']);
    c = toggleStep(c, 'baseline');
    expect(c.steps).toEqual(['trivial-augment', 'ema']);
  });

  test('rejecting chooses the step; unchoosing it clears the rejection', () => {
    let c = toggleRejected(choice(['ema']), 'cosine');
    expect(c).toMatchObject({ steps: ['cosine', 'ema'], rejected: ['cosine'] });
    c = toggleStep(c, 'cosine');
    expect(c).toMatchObject({ steps: ['ema'], rejected: [] });
    c = toggleRejected(toggleRejected(c, 'ema'), 'ema');
    expect(c).toMatchObject({ steps: ['ema'], rejected: [] });
  });

  test('unknown steps and bad seed counts say what was expected', () => {
    expect(() => toggleStep(choice([]), 'cosin')).toThrow(
      /unknown ladder step "cosin"; expected one of baseline, /,
    );
    expect(() => withNumSeeds(choice([]), 0)).toThrow(
      'seeds: expected an integer from 1 to 5, got 0',
    );
    expect(() => withNumSeeds(choice([]), 6)).toThrow(
      'seeds: expected at most 5, got 6',
    );
    expect(withNumSeeds(choice([]), 5).numSeeds).toBe(5);
  });
});

describe('the plan over the form', () => {
  test('the form is the base; its model and scale hold on every rung', () => {
    const preview = previewLadder(
      choice(['baseline', 'cosine', 'label-smoothing'], ['cosine'], 3),
      small,
    );
    if (!preview.ok) throw new Error(preview.message);
    expect(preview.plan.map((r) => [r.name, r.kind, r.parent])).toEqual([
      ['base', 'base', null],
      ['baseline', 'rung', 'base'],
      ['cosine', 'branch', 'baseline'],
      ['label-smoothing', 'rung', 'baseline'],
    ]);
    expect(preview.numRuns).toBe(12);
    for (const rung of preview.plan) {
      expect(rung.recipe).toMatchObject({
        model: 'resnet18',
        width: 0.125,
        imageSize: 28,
        epochs: 1,
        limit: 64,
      });
    }
    // The baseline's weight decay and crop-flip are not pinned, so they
    // are changes.
    expect(rungChanges(preview.plan)).toEqual([
      [],
      ['weight-decay 0.0001', 'crop-flip true'],
      ['lr-scheduler cosineannealinglr'],
      ['lr 0.4', 'label-smoothing 0.1'],
    ]);
  });

  test('a bad form or an impossible rung is a message, not a plan', () => {
    expect(previewLadder(DEFAULT_LADDER_CHOICE, null)).toEqual({
      ok: false,
      message: 'Correct the recipe fields marked above.',
    });
    const preview = previewLadder(choice(['ema']), {
      ...small,
      modelEmaSteps: 0,
    });
    expect(preview).toEqual({
      ok: false,
      message: expect.stringMatching(/^model-ema-steps: expected .*, got 0/),
    });
  });
});

describe('running the ladder', () => {
  const plan = () => {
    const preview = previewLadder(choice(['cosine'], ['cosine'], 2), small);
    if (!preview.ok) throw new Error(preview.message);
    return preview.plan;
  };

  test('each rung with each seed, from the form seed up', () => {
    const queue = ladderQueue(plan(), 2);
    expect(queue.map((q) => [q.rung.name, q.seed, q.seedIndex])).toEqual([
      ['base', 7, 0],
      ['base', 8, 1],
      ['cosine', 7, 0],
      ['cosine', 8, 1],
    ]);
    expect(queuedRecipe(queue[3]!)).toMatchObject({
      seed: 8,
      lrScheduler: 'cosineannealinglr',
    });
  });

  test('results grow the table run by run, as the CLI reports it', () => {
    let state = startedLadder(
      choice(['cosine'], ['cosine'], 2),
      plan(),
      'demo',
    );
    expect(ladderPosition(state)).toBe(
      'run 1/4 · rung 1/2 base · seed 1/2 (7)',
    );
    state = withRunEnded(state, report('a', 0.5));
    state = withRunEnded(state, report('b', 0.7));
    state = withRunEnded(state, report('c', 0.4));
    expect(ladderPosition(state)).toBe(
      'run 4/4 · rung 2/2 cosine (rejected branch) · seed 2/2 (8)',
    );

    const partial = ladderStateReport(state)!;
    expect(partial.rows.map((r) => [r.name, r.values])).toEqual([
      ['base', [0.5, 0.7]],
      ['cosine', [0.4]],
    ]);
    state = withRunEnded(state, report('d', 0.6));
    expect(ladderPosition(state)).toBeNull();
    expect(() => withRunEnded(state, report('e', 0))).toThrow(
      'expected a run under way, but all 4 have ended',
    );

    const full = ladderStateReport(state)!;
    expect(full).toMatchObject({
      dataset: 'demo',
      steps: ['cosine'],
      rejected: ['cosine'],
      seeds: 2,
    });
    expect(full.runs.map((r) => `${r.rung}/${r.seed}/${r.runId}`)).toEqual([
      'base/7/a',
      'base/8/b',
      'cosine/7/c',
      'cosine/8/d',
    ]);
    expect(full.rows[1]!.gainOverParent).toBeCloseTo(-0.1, 12);
    expect(ladderCsv(full.rows).split('\n')[2]).toMatch(
      /^cosine,branch,base,cosine LR schedule,2,0\.5/,
    );
    expect(ladderBars(full.rows)).toEqual([
      {
        name: 'base',
        kind: 'base',
        mean: 60,
        spread: expect.any(Number),
        gain: '',
      },
      {
        name: 'cosine (rejected)',
        kind: 'branch',
        mean: 50,
        spread: expect.any(Number),
        gain: '-10.0',
      },
    ]);
  });
});
