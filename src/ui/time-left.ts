// How far a long task is and how long it has left, from what it measured:
// the training run (its epoch and the whole run), an import, the ladder.
// Pure, so Node tests check the sums; components/TimeLeftBar.tsx draws
// what these return.
import type { RunState } from './run-events';

/** Where a task is: the share done, in [0, 1], and the seconds left. */
export interface TimeLeft {
  fraction: number;
  /** NaN until there is a speed to go by; 0 once done. */
  secondsLeft: number;
}

/** `done` of `total` as a share in [0, 1]; 0 while the total is unknown. */
export function share(done: number, total: number): number {
  return total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
}

/** `done` of `total` units, the rest at `unitsPerSecond`. */
export function atRate(
  done: number,
  total: number,
  unitsPerSecond: number,
): TimeLeft {
  const left = Math.max(0, total - done);
  const secondsLeft =
    left === 0 ? 0 : unitsPerSecond > 0 ? left / unitsPerSecond : NaN;
  return { fraction: share(done, total), secondsLeft };
}

/**
 * `done` of `total` units at the speed since `started`: a resumed task's
 * units done before it (re)started took no time now and do not count.
 */
export function sinceStart(
  done: number,
  total: number,
  started: { at: number; done: number },
  now: number,
): TimeLeft {
  const seconds = (now - started.at) / 1000;
  const rate = seconds > 0 ? (done - started.done) / seconds : 0;
  return atRate(done, total, rate);
}

export interface RunAt {
  /** The epoch under way (from 1) and the steps done in it. */
  epoch: number;
  step: number;
  stepsPerEpoch: number;
  numEpochs: number;
  /** Measured over the last steps. */
  secondsPerStep: number;
  /**
   * Wall time of the last whole epoch, training and evaluation; null
   * before one has finished in this session.
   */
  lastEpochSeconds: number | null;
}

/**
 * The epoch and the run under way. An epoch's evaluation is taken as what
 * the last whole epoch took beyond its steps at today's speed; before one
 * has finished it is not known and the estimate leaves it out (so it is
 * low by that much).
 */
export function runTimeLeft(at: RunAt): { epoch: TimeLeft; run: TimeLeft } {
  const { epoch, step, stepsPerEpoch, numEpochs, secondsPerStep } = at;
  const trainSeconds = stepsPerEpoch * secondsPerStep;
  const evalSeconds =
    at.lastEpochSeconds === null
      ? 0
      : Math.max(0, at.lastEpochSeconds - trainSeconds);
  const epochSeconds = trainSeconds + evalSeconds;
  const stepsLeft = Math.max(0, stepsPerEpoch - step);
  const epochLeft =
    secondsPerStep > 0 ? stepsLeft * secondsPerStep + evalSeconds : NaN;
  const epochsAfter = Math.max(0, numEpochs - epoch);
  const stepsDone = (epoch - 1) * stepsPerEpoch + step;
  return {
    epoch: { fraction: share(step, stepsPerEpoch), secondsLeft: epochLeft },
    run: {
      fraction: share(stepsDone, numEpochs * stepsPerEpoch),
      secondsLeft: epochLeft + epochsAfter * epochSeconds,
    },
  };
}

/**
 * Wall time of the last whole epoch from the epochs' times since the
 * run's start; null before two have finished, since the first one also
 * compiles every shader and would overstate the rest.
 */
export function lastEpochSeconds(
  epochs: readonly { seconds: number }[],
): number | null {
  const last = epochs.at(-1);
  const before = epochs.at(-2);
  return last && before ? last.seconds - before.seconds : null;
}

/** The epoch's and the run's time left while a run trains, else null. */
export function trainingTimeLeft(run: RunState) {
  const { progress, recipe } = run;
  if (run.status !== 'running' || !progress || !recipe) return null;
  if (progress.epoch !== run.epoch) return null;
  return runTimeLeft({
    epoch: progress.epoch,
    step: progress.step,
    stepsPerEpoch: progress.stepsPerEpoch,
    numEpochs: recipe.epochs,
    secondsPerStep:
      progress.imagesPerSecond > 0
        ? recipe.batchSize / progress.imagesPerSecond
        : NaN,
    lastEpochSeconds: lastEpochSeconds(run.epochs),
  });
}

/**
 * A queue of like tasks (the ladder's runs, which share their size): the
 * one under way at `index` is `current` along, and each one after it is
 * taken to last what the one under way will in all, at its speed now.
 */
export function queueTimeLeft(
  index: number,
  total: number,
  current: TimeLeft | null,
): TimeLeft {
  const along = current?.fraction ?? 0;
  const fraction = share(index + along, total);
  const after = Math.max(0, total - index - 1);
  if (!current || after === 0) {
    return { fraction, secondsLeft: current?.secondsLeft ?? NaN };
  }
  const each = along < 1 ? current.secondsLeft / (1 - along) : NaN;
  return { fraction, secondsLeft: current.secondsLeft + after * each };
}
