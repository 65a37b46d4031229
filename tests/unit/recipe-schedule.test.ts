// The LR schedule against torch's schedulers chained as train.py chains
// them (tests/reference/make_recipe_expected.py), per epoch and per step.
import { describe, expect, test } from 'vitest';
import {
  learningRate,
  validateLrSchedule,
  type LrScheduleParams,
} from '../../src/train/schedule';
import expected from '../reference/recipe.json';

type Case = LrScheduleParams & { lrs: number[]; stepsPerEpoch?: number };

function label(c: Case): string {
  const warm = c.lrWarmupEpochs
    ? `${c.lrWarmupMethod} warmup ${c.lrWarmupEpochs}`
    : 'no warmup';
  return `${c.lrScheduler}, ${warm}, lr-min ${c.lrMin}`;
}

/** Relative error, with torch's recursive forms accumulating rounding. */
function expectLrClose(actual: number, wanted: number): void {
  expect(Math.abs(actual - wanted)).toBeLessThan(1e-9 + 1e-6 * wanted);
}

describe('per-epoch LR equals torch SequentialLR stepped per epoch', () => {
  const cases = expected.schedules as Case[];
  test.each(cases.map((c) => [label(c), c] as const))('%s', (_, c) => {
    validateLrSchedule(c);
    c.lrs.forEach((wanted, epoch) => {
      for (const step of [0, 3]) {
        const at = { epoch, step, stepsPerEpoch: 10 };
        expectLrClose(learningRate(c, at), wanted);
      }
    });
  });
});

describe('per-step LR equals torch schedulers stepped per iteration', () => {
  const cases = expected.perStepSchedules as Case[];
  test.each(cases.map((c) => [label(c), c] as const))('%s', (_, c) => {
    const n = c.stepsPerEpoch!;
    expect(c.lrs).toHaveLength(c.epochs * n);
    c.lrs.forEach((wanted, t) => {
      const at = { epoch: Math.floor(t / n), step: t % n, stepsPerEpoch: n };
      expectLrClose(learningRate(c, at, true), wanted);
    });
  });
});

test('per-step LR agrees with per-epoch LR at the start of each epoch', () => {
  const c = expected.perStepSchedules[4] as Case;
  for (let epoch = 0; epoch < c.epochs; epoch++) {
    const at = { epoch, step: 0, stepsPerEpoch: 7 };
    expect(learningRate(c, at, true)).toBeCloseTo(learningRate(c, at), 12);
  }
});

describe('bad schedule flags are rejected with the flag and the range', () => {
  const base = expected.schedules[4] as Case;
  test.each([
    [{ lrScheduler: 'onecycle' }, /--lr-scheduler: expected one of steplr/],
    [{ lrWarmupMethod: 'cosine' }, /--lr-warmup-method: expected one of/],
    [{ lrWarmupEpochs: 12 }, /--lr-warmup-epochs: expected fewer than/],
    [{ lrWarmupEpochs: 1.5 }, /--lr-warmup-epochs: expected a whole/],
    [{ lrStepSize: 0 }, /--lr-step-size: expected a whole number >= 1, got 0/],
    [{ lrWarmupDecay: 0 }, /--lr-warmup-decay: expected a number in \(0, 1]/],
    [{ lr: -1 }, /--lr: expected a number > 0, got -1/],
  ])('%o', (change, message) => {
    const p = { ...base, ...change } as LrScheduleParams;
    expect(() => validateLrSchedule(p)).toThrow(message);
  });
});

test("'none' holds the LR at lr after the warmup, per epoch and per step", () => {
  const p: LrScheduleParams = {
    lr: 0.4,
    epochs: 6,
    lrScheduler: 'none',
    lrStepSize: 1,
    lrGamma: 0.1,
    lrMin: 0,
    lrWarmupEpochs: 2,
    lrWarmupMethod: 'linear',
    lrWarmupDecay: 0.01,
  };
  validateLrSchedule(p);
  expect(learningRate(p, { epoch: 0, step: 0, stepsPerEpoch: 4 })).toBe(
    0.4 * 0.01,
  );
  for (let epoch = 2; epoch < 6; epoch++) {
    for (const step of [0, 3]) {
      const at = { epoch, step, stepsPerEpoch: 4 };
      expect(learningRate(p, at)).toBe(0.4);
      expect(learningRate(p, at, true)).toBe(0.4);
    }
  }
});
