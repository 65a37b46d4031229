// How numbers read on screen and in the epoch log. Pure.
import type { EpochMetrics } from '../train/protocol';

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60)
    return `${minutes} min ${String(s % 60).padStart(2, '0')} s`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** A fraction in [0, 1] as a percentage. */
export function formatPercent(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(1)}%` : '–';
}

/** Learning rates span decades, so they keep three significant digits. */
export function formatLr(lr: number): string {
  return Number.isFinite(lr) ? lr.toPrecision(3) : '–';
}

export function formatRate(imagesPerSecond: number): string {
  if (!Number.isFinite(imagesPerSecond) || imagesPerSecond <= 0) return '–';
  const digits = imagesPerSecond < 10 ? 1 : 0;
  return `${imagesPerSecond.toFixed(digits)} img/s`;
}

export function formatLoss(loss: number): string {
  return Number.isFinite(loss) ? loss.toFixed(4) : String(loss);
}

/** Training top-1 and top-5, where the epoch has them (newer runs). */
function trainAccuracy(m: EpochMetrics): string[] {
  if (m.trainTop1 === undefined || m.trainTop5 === undefined) return [];
  return [
    `train top-1 ${formatPercent(m.trainTop1)}`,
    `top-5 ${formatPercent(m.trainTop5)}`,
  ];
}

/** One line of the epoch log; `seconds` counts from the start of the run. */
export function epochLine(metrics: EpochMetrics, numEpochs: number): string {
  return [
    `epoch ${metrics.epoch}/${numEpochs}`,
    `loss ${formatLoss(metrics.trainLoss)}`,
    ...trainAccuracy(metrics),
    `val top-1 ${formatPercent(metrics.valTop1)}`,
    `top-5 ${formatPercent(metrics.valTop5)}`,
    ...(metrics.valTop1Ema === undefined
      ? []
      : [`EMA top-1 ${formatPercent(metrics.valTop1Ema)}`]),
    `lr ${formatLr(metrics.lr)}`,
    formatRate(metrics.imagesPerSecond),
    `at ${formatDuration(metrics.seconds)}`,
  ].join('  ');
}
