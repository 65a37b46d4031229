import { expect, test } from 'vitest';
import {
  atRate,
  lastEpochSeconds,
  queueTimeLeft,
  runTimeLeft,
  sinceStart,
} from '../../src/ui/time-left';

test('a task at a rate has its share done and the rest over the rate', () => {
  expect(atRate(30, 120, 10)).toEqual({ fraction: 0.25, secondsLeft: 9 });
  expect(atRate(30, 120, 0).secondsLeft).toBeNaN();
  expect(atRate(120, 120, 0)).toEqual({ fraction: 1, secondsLeft: 0 });
  expect(atRate(0, 0, 5)).toEqual({ fraction: 0, secondsLeft: 0 });
});

test('time left since a restart ignores the units done before it', () => {
  const started = { at: 0, done: 2000 };
  expect(sinceStart(3000, 7000, started, 2000).secondsLeft).toBe(8);
  expect(sinceStart(2000, 7000, started, 0).secondsLeft).toBeNaN();
  expect(sinceStart(7000, 7000, started, 5000).secondsLeft).toBe(0);
});

test('before an epoch has finished, the run counts its steps only', () => {
  // 30 steps of epoch 2 and 40 of epoch 3 at half a second each.
  const { epoch, run } = runTimeLeft({
    epoch: 2,
    step: 10,
    stepsPerEpoch: 40,
    numEpochs: 3,
    secondsPerStep: 0.5,
    lastEpochSeconds: null,
  });
  expect(epoch).toEqual({ fraction: 0.25, secondsLeft: 15 });
  expect(run.fraction).toBeCloseTo(50 / 120, 12);
  expect(run.secondsLeft).toBe(35);
});

test('the last whole epoch adds its evaluation to every epoch left', () => {
  // The last epoch took 26 s: 20 s of steps at today's speed, 6 s beyond.
  const { epoch, run } = runTimeLeft({
    epoch: 3,
    step: 0,
    stepsPerEpoch: 40,
    numEpochs: 4,
    secondsPerStep: 0.5,
    lastEpochSeconds: 26,
  });
  expect(epoch.secondsLeft).toBe(26);
  expect(run.secondsLeft).toBe(52);
  expect(run.fraction).toBe(0.5);
});

test('no speed yet means no time left, not zero', () => {
  const { epoch, run } = runTimeLeft({
    epoch: 1,
    step: 0,
    stepsPerEpoch: 10,
    numEpochs: 2,
    secondsPerStep: NaN,
    lastEpochSeconds: null,
  });
  expect(epoch.secondsLeft).toBeNaN();
  expect(run.secondsLeft).toBeNaN();
});

test('the last epoch time needs two epochs, the first compiles shaders', () => {
  expect(lastEpochSeconds([])).toBeNull();
  expect(lastEpochSeconds([{ seconds: 90 }])).toBeNull();
  expect(lastEpochSeconds([{ seconds: 90 }, { seconds: 130 }])).toBe(40);
});

test('a queue counts the task under way and those after it alike', () => {
  // Run 2 of 4 is a quarter along with 90 s left: 120 s each.
  const current = { fraction: 0.25, secondsLeft: 90 };
  const left = queueTimeLeft(1, 4, current);
  expect(left.fraction).toBeCloseTo(1.25 / 4, 12);
  expect(left.secondsLeft).toBe(90 + 2 * 120);
  expect(queueTimeLeft(0, 3, null)).toEqual({
    fraction: 0,
    secondsLeft: NaN,
  });
  expect(queueTimeLeft(2, 3, current).secondsLeft).toBe(90);
});
