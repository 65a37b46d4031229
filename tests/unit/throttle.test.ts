import { expect, test } from 'vitest';
import { createThrottle } from '../../src/ui/throttle';

function setup() {
  let clock = 0;
  const applied: number[] = [];
  const scheduled: (() => void)[] = [];
  const throttle = createThrottle<number>((v) => applied.push(v), {
    intervalMs: 100,
    now: () => clock,
    schedule: (run) => scheduled.push(run),
  });
  const advance = (ms: number) => (clock += ms);
  return { throttle, applied, scheduled, advance };
}

test('the first value passes at once', () => {
  const { throttle, applied } = setup();
  throttle.push(1);
  expect(applied).toEqual([1]);
});

test('values inside the interval wait, and only the newest is applied', () => {
  const { throttle, applied, scheduled } = setup();
  throttle.push(1);
  throttle.push(2);
  throttle.push(3);
  expect(applied).toEqual([1]);
  expect(scheduled).toHaveLength(1);
  scheduled[0]!();
  expect(applied).toEqual([1, 3]);
});

test('a value after the interval passes at once', () => {
  const { throttle, applied, advance } = setup();
  throttle.push(1);
  advance(100);
  throttle.push(2);
  expect(applied).toEqual([1, 2]);
});

test('flush hands on a waiting value, and nothing twice', () => {
  const { throttle, applied, scheduled } = setup();
  throttle.push(1);
  throttle.push(2);
  throttle.flush();
  scheduled[0]!();
  throttle.flush();
  expect(applied).toEqual([1, 2]);
});
