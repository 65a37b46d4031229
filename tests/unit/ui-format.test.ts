import { expect, test } from 'vitest';
import { epochLine, formatDuration } from '../../src/ui/format';

test('durations read in the largest sensible units', () => {
  expect(formatDuration(42.4)).toBe('42 s');
  expect(formatDuration(125)).toBe('2 min 05 s');
  expect(formatDuration(3 * 3600 + 7 * 60)).toBe('3 h 07 min');
  expect(formatDuration(NaN)).toBe('–');
});

test('an epoch line holds loss, top-1, top-5, lr and speed', () => {
  const line = epochLine(
    {
      epoch: 1,
      trainLoss: 0.5,
      valTop1: 0.8125,
      valTop5: 0.99,
      lr: 0.01,
      imagesPerSecond: 123.4,
      seconds: 61,
    },
    3,
  );
  expect(line).toBe(
    'epoch 1/3  loss 0.5000  val top-1 81.3%  top-5 99.0%  lr 0.0100  ' +
      '123 img/s  at 1 min 01 s',
  );
});

test('an epoch line puts training accuracy before validation', () => {
  const line = epochLine(
    {
      epoch: 2,
      trainLoss: 0.5,
      trainTop1: 0.6,
      trainTop5: 0.925,
      valTop1: 0.8125,
      valTop5: 0.99,
      lr: 0.01,
      imagesPerSecond: 123.4,
      seconds: 61,
    },
    3,
  );
  expect(line).toContain(
    'loss 0.5000  train top-1 60.0%  top-5 92.5%  val top-1 81.3%  top-5 99.0%',
  );
});

test("with an EMA the epoch line adds the average's top-1", () => {
  const metrics = {
    epoch: 2,
    trainLoss: 0.5,
    valTop1: 0.8125,
    valTop5: 0.99,
    valTop1Ema: 0.85,
    valTop5Ema: 0.995,
    lr: 0.01,
    imagesPerSecond: 123.4,
    seconds: 61,
  };
  expect(epochLine(metrics, 3)).toContain(
    'top-5 99.0%  EMA top-1 85.0%  lr 0.0100',
  );
});
