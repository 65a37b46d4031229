import { expect, test } from 'vitest';
import { linearScale, linePath, niceTicks } from '../../src/ui/chart-geometry';

test('ticks are round values that cover the data', () => {
  expect(niceTicks(2.21, 2.72, 5)).toEqual({
    domain: [2.2, 2.8],
    ticks: [2.2, 2.3, 2.4, 2.5, 2.6, 2.7, 2.8],
  });
  expect(niceTicks(10, 40, 3)).toEqual({
    domain: [10, 40],
    ticks: [10, 20, 30, 40],
  });
  expect(niceTicks(0, 100, 4).ticks).toEqual([0, 20, 40, 60, 80, 100]);
});

test('a single value gets a domain around it; no data a unit one', () => {
  expect(niceTicks(3, 3, 2)).toEqual({ domain: [2, 4], ticks: [2, 3, 4] });
  expect(niceTicks(NaN, 1).domain).toEqual([0, 1]);
});

test('a scale maps the domain onto the range, flipped or not', () => {
  const y = linearScale([0, 100], [200, 0]);
  expect(y(0)).toBe(200);
  expect(y(25)).toBe(150);
  expect(linearScale([5, 5], [0, 10])(5)).toBe(5);
});

test('a path moves to the first point and breaks at a missing value', () => {
  const x = linearScale([0, 4], [0, 40]);
  const y = linearScale([0, 1], [10, 0]);
  const points = [
    [0, 0],
    [1, 1],
    [2, NaN],
    [3, 0.5],
    [4, 0],
  ] as const;
  expect(linePath(points, x, y)).toBe('M0.0,10.0L10.0,0.0M30.0,5.0L40.0,10.0');
  expect(linePath([], x, y)).toBe('');
});

test('a span below float precision still gives a few ticks', () => {
  const { ticks } = niceTicks(2.302585092994046, 2.3025850929940463, 5);
  expect(ticks.length).toBeLessThanOrEqual(24);
  expect(niceTicks(1e300, 1.7e308, 5).ticks).toEqual([1e300, 1.7e308]);
  // Twelve digits cannot tell these ticks apart: the ends instead.
  expect(niceTicks(2.3025850929941, 2.3025850929942, 5)).toEqual({
    domain: [2.3025850929941, 2.3025850929942],
    ticks: [2.3025850929941, 2.3025850929942],
  });
});
