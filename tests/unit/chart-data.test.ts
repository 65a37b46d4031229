import { describe, expect, test } from 'vitest';
import {
  accuracyRows,
  downsample,
  lossRows,
  smoothEma,
} from '../../src/ui/chart-data';

describe('smoothEma', () => {
  test('smoothing 0 returns the values unchanged', () => {
    expect(smoothEma([3, 1, 2], 0)).toEqual([3, 1, 2]);
  });

  test('the first value is not pulled towards zero', () => {
    const [first] = smoothEma([5, 5, 5], 0.9);
    expect(first).toBeCloseTo(5, 12);
  });

  test('a constant series stays constant at any smoothing', () => {
    for (const value of smoothEma([2, 2, 2, 2], 0.6)) {
      expect(value).toBeCloseTo(2, 12);
    }
  });

  test('matches a bias-corrected average worked by hand', () => {
    // s = 0.5: m1 = 0.5 * 4 = 2, w1 = 0.5 -> 4;
    // m2 = 0.5 * 2 + 0.5 * 0 = 1, w2 = 0.75 -> 4/3.
    const [a, b] = smoothEma([4, 0], 0.5);
    expect(a).toBeCloseTo(4, 12);
    expect(b).toBeCloseTo(4 / 3, 12);
  });
});

describe('downsample', () => {
  test('returns short lists whole', () => {
    expect(downsample([1, 2, 3], 5)).toEqual([1, 2, 3]);
  });

  test('caps long lists and keeps the first and the last item', () => {
    const items = Array.from({ length: 10_001 }, (_, i) => i);
    const out = downsample(items, 2_000);
    expect(out).toHaveLength(2_000);
    expect(out[0]).toBe(0);
    expect(out.at(-1)).toBe(10_000);
    expect(out).toEqual([...out].sort((a, b) => a - b));
  });
});

describe('rows for the charts', () => {
  test('loss rows carry the raw and the smoothed loss per step', () => {
    const rows = lossRows(
      [
        { step: 10, loss: 2 },
        { step: 20, loss: 1 },
      ],
      0,
    );
    expect(rows).toEqual([
      { step: 10, loss: 2, smoothed: 2 },
      { step: 20, loss: 1, smoothed: 1 },
    ]);
  });

  test('loss rows are capped', () => {
    const points = Array.from({ length: 5_000 }, (_, i) => ({
      step: i,
      loss: 1,
    }));
    expect(lossRows(points, 0.6, 100)).toHaveLength(100);
  });

  test('accuracy rows are in percent', () => {
    const rows = accuracyRows([
      {
        epoch: 1,
        trainLoss: 1,
        valTop1: 0.25,
        valTop5: 0.75,
        lr: 0.1,
        imagesPerSecond: 1,
        seconds: 1,
      },
    ]);
    expect(rows).toEqual([{ epoch: 1, top1: 25, top5: 75 }]);
  });

  test("runs with an EMA add the average's top-1", () => {
    const rows = accuracyRows([
      {
        epoch: 1,
        trainLoss: 1,
        valTop1: 0.25,
        valTop5: 0.75,
        valTop1Ema: 0.5,
        valTop5Ema: 1,
        lr: 0.1,
        imagesPerSecond: 1,
        seconds: 1,
      },
    ]);
    expect(rows).toEqual([{ epoch: 1, top1: 25, top5: 75, top1Ema: 50 }]);
  });

  test('runs that measured it add training top-1 and top-5', () => {
    const rows = accuracyRows([
      {
        epoch: 1,
        trainLoss: 1,
        trainTop1: 0.5,
        trainTop5: 0.875,
        valTop1: 0.25,
        valTop5: 0.75,
        lr: 0.1,
        imagesPerSecond: 1,
        seconds: 1,
      },
    ]);
    expect(rows).toEqual([
      { epoch: 1, top1: 25, top5: 75, trainTop1: 50, trainTop5: 87.5 },
    ]);
  });
});
