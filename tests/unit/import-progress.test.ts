// Import progress: the rate over a sliding window, the time left at that
// rate, and the throttle, on a clock the test moves.
import { expect, test } from 'vitest';
import { ProgressMeter } from '../../src/data/import/progress';
import type { ImportProgress } from '../../src/data/import/types';

function meter(total: number, done: number) {
  let now = 0;
  const sent: ImportProgress[] = [];
  const m = new ProgressMeter(
    total,
    done,
    (p) => sent.push(p),
    () => now,
  );
  return { m, sent, at: (ms: number) => (now = ms) };
}

test('reports the rate of the last seconds and the time left at it', () => {
  const { m, sent, at } = meter(100, 10);
  expect(sent).toEqual([
    {
      phase: 'importing',
      imagesDone: 10,
      imagesTotal: 100,
      imagesPerSecond: 0,
      secondsLeft: null,
    },
  ]);
  at(1000);
  m.update(20);
  expect(sent.at(-1)).toMatchObject({ imagesPerSecond: 10, secondsLeft: 8 });
  // A stall shows once the burst has left the 10 s window.
  at(30_000);
  m.update(20);
  at(31_000);
  m.update(21);
  expect(sent.at(-1)!.imagesPerSecond).toBeCloseTo(1 / 1, 5);
  expect(sent.at(-1)!.secondsLeft).toBeCloseTo(79, 5);
});

test('sends at most one event per 250 ms, and always the last', () => {
  const { m, sent, at } = meter(10, 0);
  for (let i = 1; i <= 9; i++) {
    at(i * 50);
    m.update(i);
  }
  expect(sent.map((p) => p.imagesDone)).toEqual([0, 5]);
  m.done(10);
  expect(sent.at(-1)).toMatchObject({
    phase: 'done',
    imagesDone: 10,
    secondsLeft: 0,
  });
});
