// The EMA of weights and BN buffers against torch's AveragedModel with
// use_buffers=True and the reference's decay, including the warmup reset,
// and the decay adjustment of train.py
// (tests/reference/make_recipe_expected.py). tfjs CPU backend.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  ExponentialMovingAverage,
  effectiveEmaDecay,
  isEmaUpdateStep,
} from '../../src/train/ema';
import { expectClose } from '../reference/compare';
import expected from '../reference/recipe.json';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type State = Record<string, number[]>;

function toTensors(state: State): Map<string, tf.Tensor> {
  return new Map(Object.entries(state).map(([k, v]) => [k, tf.tensor(v)]));
}

describe('effective EMA decay is train.py adjustment', () => {
  test.each(expected.emaDecay.map((c) => [c.effectiveDecay, c] as const))(
    '%f',
    (_, c) => {
      expect(effectiveEmaDecay(c)).toBeCloseTo(c.effectiveDecay, 12);
    },
  );
});

test('EMA matches AveragedModel over updates with warmup resets', () => {
  const { decay, states, averages, nAveraged, resetAfter } = expected.ema;
  const ema = new ExponentialMovingAverage(decay);
  let count = 0;
  states.forEach((state, update) => {
    const values = toTensors(state as State);
    ema.update(values);
    if (resetAfter.includes(update)) ema.reset();
    tf.dispose([...values.values()]);
    if (update === 1) count = tf.memory().numTensors;
    if (update > 1) expect(tf.memory().numTensors).toBe(count);
    expect(ema.numAveraged).toBe(nAveraged[update]);
    const want = averages[update] as State;
    expect([...ema.values.keys()].sort()).toEqual(Object.keys(want).sort());
    for (const [name, avg] of ema.values) {
      expectClose(Array.from(avg.dataSync()), want[name]!, 1e-6);
    }
  });
  // The later updates averaged, so they differ from the last model state.
  const last = states[states.length - 1] as State;
  const w = Array.from(ema.values.get('0.weight')!.dataSync());
  expect(w).not.toEqual(last['0.weight']);
  ema.dispose();
});

test('afterStep updates every modelEmaSteps-th step and resets in warmup', () => {
  const ema = new ExponentialMovingAverage(0.5);
  const p = { modelEmaSteps: 3, lrWarmupEpochs: 1 };
  const value = (v: number) => new Map([['w', tf.scalar(v)]]);
  const steps = [0, 1, 2, 3, 4];
  steps.forEach((s) =>
    ema.afterStep(value(10 + s), { epoch: 0, stepInEpoch: s }, p),
  );
  // Warmup: updates at steps 0 and 3, each a copy, then a reset.
  expect(ema.numAveraged).toBe(0);
  expect(ema.values.get('w')!.dataSync()[0]).toBe(13);
  ema.afterStep(value(20), { epoch: 1, stepInEpoch: 0 }, p);
  expect(ema.numAveraged).toBe(1);
  expect(ema.values.get('w')!.dataSync()[0]).toBe(20);
  ema.afterStep(value(30), { epoch: 1, stepInEpoch: 3 }, p);
  expect(ema.values.get('w')!.dataSync()[0]).toBe(25);
  expect(isEmaUpdateStep(6, 3)).toBe(true);
  expect(isEmaUpdateStep(7, 3)).toBe(false);
  ema.dispose();
});

test('an EMA rejects a decay outside [0, 1] and unknown names', () => {
  expect(() => new ExponentialMovingAverage(1.2)).toThrow(
    'EMA decay must be in [0, 1], got 1.2',
  );
  const ema = new ExponentialMovingAverage(0.9);
  const a = new Map([['a', tf.scalar(1)]]);
  ema.update(a);
  const b = new Map([['b', tf.scalar(1)]]);
  expect(() => ema.update(b)).toThrow('EMA has no average for "b"');
  tf.dispose([...a.values(), ...b.values()]);
  ema.dispose();
});
