// The CLI's text lines, as pure functions of the app's events and reports.
// Accuracies arrive as fractions and are shown as percentages.
import type { DatasetManifest } from '../../src/data/schema';
import type {
  BackendInfo,
  BenchOptions,
  BenchReport,
  CheckpointInfo,
  EpochMetrics,
  StepProgress,
  TrainReport,
} from '../../src/train/protocol';

/** 42 -> "0:42", 3725 -> "1:02:05". */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}

function formatRate(imagesPerSecond: number): string {
  // Below 1 img/s (a full-size network on a software adapter), three
  // significant digits: one decimal would print 0.0.
  if (imagesPerSecond > 0 && imagesPerSecond < 1) {
    return `${imagesPerSecond.toPrecision(3)} img/s`;
  }
  const digits = imagesPerSecond >= 100 ? 0 : 1;
  return `${imagesPerSecond.toFixed(digits)} img/s`;
}

function formatNumber(value: number): string {
  return String(Number(value.toPrecision(3)));
}

export function formatBackend(info: BackendInfo): string {
  const parts = [
    `backend ${info.backend}`,
    `adapter ${info.adapter || 'unknown'}`,
    `kernels ${info.kernels}`,
    `tfjs ${info.tfjsVersion}`,
  ];
  const line = parts.join(' | ');
  if (info.fallbackReasons.length === 0) return line;
  return `${line} (fell back: ${info.fallbackReasons.join('; ')})`;
}

export function formatDataset(manifest: DatasetManifest): string {
  const { train, val } = manifest.splits;
  const shape = `${manifest.height}x${manifest.width}x${manifest.channels}`;
  return (
    `dataset ${manifest.name}: ${manifest.classNames.length} classes, ` +
    `${train.numImages} train / ${val.numImages} val images of ${shape}`
  );
}

export function formatEpoch(
  metrics: EpochMetrics,
  numEpochs: number,
  elapsedSeconds: number,
  secondsLeft: number | null,
): string {
  const parts = [
    `epoch ${metrics.epoch}/${numEpochs}`,
    `loss ${metrics.trainLoss.toFixed(4)}`,
    ...(metrics.trainTop1 === undefined || metrics.trainTop5 === undefined
      ? []
      : [
          `train top-1 ${formatPercent(metrics.trainTop1)}`,
          `top-5 ${formatPercent(metrics.trainTop5)}`,
        ]),
    `val top-1 ${formatPercent(metrics.valTop1)}`,
    `top-5 ${formatPercent(metrics.valTop5)}`,
    ...(metrics.valTop1Ema === undefined
      ? []
      : [`ema top-1 ${formatPercent(metrics.valTop1Ema)}`]),
    `lr ${formatNumber(metrics.lr)}`,
    formatRate(metrics.imagesPerSecond),
    `elapsed ${formatDuration(elapsedSeconds)}`,
  ];
  if (secondsLeft !== null) parts.push(`left ~${formatDuration(secondsLeft)}`);
  return parts.join('  ');
}

/**
 * Time left after `epochsDone` of `numEpochs`, from the wall time at which
 * each epoch ended. The last epoch's length is the guess: the first one
 * also pays for shader compilation, so a mean over all would run high.
 * With early stopping the run may end sooner. Null when nothing is left
 * or nothing is known yet.
 */
export function estimateSecondsLeft(
  epochEnds: readonly number[],
  numEpochs: number,
): number | null {
  const done = epochEnds.length;
  if (done === 0 || done >= numEpochs) return null;
  const last = (epochEnds[done - 1] as number) - (epochEnds[done - 2] ?? 0);
  return Math.max(0, numEpochs - done) * last;
}

export function formatStep(progress: StepProgress): string {
  return (
    `epoch ${progress.epoch} step ${progress.step}/` +
    `${progress.stepsPerEpoch}  loss ${progress.loss.toFixed(4)}  ` +
    formatRate(progress.imagesPerSecond)
  );
}

/** One line per checkpoint: which epoch, how big, what it cost. */
export function formatCheckpoint(c: CheckpointInfo): string {
  const mib = (c.bytes / 2 ** 20).toFixed(1);
  const ms = (s: number) => `${(s * 1000).toFixed(0)} ms`;
  return (
    `checkpoint: run ${c.runId} after epoch ${c.epoch}/${c.numEpochs}, ` +
    `${mib} MiB (read back ${ms(c.readSeconds)}, stored ` +
    `${ms(c.writeSeconds)})`
  );
}

export function formatTrainDone(report: TrainReport): string {
  const how = report.stopped
    ? `stopped on request after ${report.epochs.length} epochs`
    : report.stoppedEarly
      ? `stopped early after epoch ${report.epochs.length} ` +
        `(patience ${report.recipe.patience})`
      : 'done';
  return (
    `${how}: best val top-1 ${formatPercent(report.bestValTop1)} ` +
    `at epoch ${report.bestEpoch}/${report.recipe.epochs}, ` +
    `${report.model} on ${report.dataset} ` +
    `(${report.numTrainImages} train / ${report.numValImages} val images), ` +
    `wall ${formatDuration(report.wallSeconds)}, run ${report.runId}`
  );
}

/** The rounds of a bench, named only when not the default two. */
function rounds(options: BenchOptions): string {
  const n = options.rounds ?? 2;
  return n === 2 ? '' : `, best of ${n} round${n === 1 ? '' : 's'}`;
}

export function formatBench(report: BenchReport): string[] {
  const o = report.options;
  const growth = report.numTensorsAfterLaterStep - report.numTensorsAfterStep2;
  const leak = growth > 0 ? ` (grew by ${growth}: a leak)` : '';
  return [
    `bench ${o.model} width ${o.width}, ${o.imageSize} px, batch ` +
      `${o.batchSize}: ${o.steps} timed steps after ${o.warmupSteps} ` +
      `warm-up${rounds(o)}, on ${report.backend} (${report.adapter || 'unknown'})`,
    `  bare model  ${formatRate(report.bareImagesPerSecond)}`,
    `  lab         ${formatRate(report.labImagesPerSecond)}  ` +
      `lab/bare ${report.overheadRatio.toFixed(2)}`,
    `  readbacks   ${formatNumber(report.readbacksPerStep)} per step, ` +
      `loss read every ${report.lossReadEvery} steps; ` +
      `${report.passEndReadbacks} at the end of the pass`,
    `  tensors     ${report.numTensorsAfterStep2} after step 2, ` +
      `${report.numTensorsAfterLaterStep} after step ${report.laterStep}${leak}`,
    ...formatProfile(report),
  ];
}

/** Where one bare step's kernel time goes, slowest kernels first. */
function formatProfile(report: BenchReport): string[] {
  const total = report.profile.reduce((sum, k) => sum + k.ms, 0);
  if (total === 0) {
    return [`  kernels     ${report.kernelsPerStep} per step (no GPU timings)`];
  }
  const top = report.profile
    .slice(0, 8)
    .map(
      (k) =>
        `    ${k.name.padEnd(24)} ${k.ms.toFixed(1).padStart(8)} ms ` +
        `${((100 * k.ms) / total).toFixed(0).padStart(3)}%  ${k.calls} calls`,
    );
  return [
    `  kernels     ${report.kernelsPerStep} per step, ` +
      `${total.toFixed(0)} ms of GPU time in one profiled step (${report.kernels}):`,
    ...top,
  ];
}

/** The app's report, with the CLI's wall time if the app gave none. */
export function withWallSeconds(
  report: TrainReport,
  wallSeconds: number,
): TrainReport {
  const given = report.wallSeconds;
  if (typeof given === 'number' && Number.isFinite(given)) return report;
  return { ...report, wallSeconds };
}
