// Turns raw run metrics into what the charts draw. Pure, so Node tests
// check the smoothing and the downsampling without a browser.
import type { EpochMetrics } from '../train/protocol';
import type { LossPoint, StepRatePoint } from './run-events';

/** Points a chart draws at most; more only costs time, not detail. */
export const MAX_DRAWN_POINTS = 2_000;

export interface LossRow {
  step: number;
  loss: number;
  smoothed: number;
}

export interface AccuracyRow {
  epoch: number;
  top1: number;
  top5: number;
  /** Top-1 of the weights' EMA, in runs with modelEma. */
  top1Ema?: number;
  /** Training top-1 and top-5; absent in runs recorded before them. */
  trainTop1?: number;
  trainTop5?: number;
}

/**
 * Exponential moving average with bias correction: without the correction
 * the first values lean towards zero, because the average starts at zero
 * (the same correction Adam applies to its moment estimates).
 */
export function smoothEma(
  values: readonly number[],
  smoothing: number,
): number[] {
  const out: number[] = [];
  let average = 0;
  let weight = 0;
  for (const value of values) {
    average = smoothing * average + (1 - smoothing) * value;
    weight = smoothing * weight + (1 - smoothing);
    out.push(weight > 0 ? average / weight : value);
  }
  return out;
}

/**
 * Keeps at most `max` items, evenly spaced, always with the first and the
 * last, so the newest value is on screen while a run goes on.
 */
export function downsample<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return items.slice();
  if (max < 2) return items.slice(-max);
  const stride = (items.length - 1) / (max - 1);
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(items[Math.round(i * stride)]!);
  return out;
}

/** Smooths the whole run first, then thins, so thinning never adds noise. */
export function lossRows(
  points: readonly LossPoint[],
  smoothing: number,
  max = MAX_DRAWN_POINTS,
): LossRow[] {
  const smoothed = smoothEma(
    points.map((p) => p.loss),
    smoothing,
  );
  const rows = points.map((p, i) => ({
    step: p.step,
    loss: p.loss,
    smoothed: smoothed[i]!,
  }));
  return downsample(rows, max);
}

/** Accuracy per epoch in percent, for an axis people read at a glance. */
export function accuracyRows(epochs: readonly EpochMetrics[]): AccuracyRow[] {
  return epochs.map((e) => ({
    epoch: e.epoch,
    top1: e.valTop1 * 100,
    top5: e.valTop5 * 100,
    ...(e.valTop1Ema !== undefined && { top1Ema: e.valTop1Ema * 100 }),
    ...(e.trainTop1 !== undefined && { trainTop1: e.trainTop1 * 100 }),
    ...(e.trainTop5 !== undefined && { trainTop5: e.trainTop5 * 100 }),
  }));
}

export interface StepRateRow {
  step: number;
  lr: number;
  imagesPerSecond: number;
}

export interface EpochSpeedRow {
  /** The global step the epoch ended at, to share the step charts' axis. */
  step: number;
  epoch: number;
  imagesPerSecond: number;
}

/** The LR and the speed of each loss read, thinned to what a chart draws. */
export function stepRateRows(
  points: readonly StepRatePoint[],
  max = MAX_DRAWN_POINTS,
): StepRateRow[] {
  return downsample(points, max).map((p) => ({
    step: p.step,
    lr: p.lr,
    imagesPerSecond: p.imagesPerSecond,
  }));
}

/**
 * Each epoch's mean speed, placed at the step the epoch ended at; none
 * until the steps per epoch are known (from the run's first step report).
 */
export function epochSpeedRows(
  epochs: readonly EpochMetrics[],
  stepsPerEpoch: number | null,
): EpochSpeedRow[] {
  if (stepsPerEpoch === null || !(stepsPerEpoch > 0)) return [];
  return epochs
    .filter((e) => Number.isFinite(e.imagesPerSecond))
    .map((e) => ({
      step: e.epoch * stepsPerEpoch,
      epoch: e.epoch,
      imagesPerSecond: e.imagesPerSecond,
    }));
}
