import {
  formatBytes,
  formatDuration,
  formatPercent,
  formatRate,
} from '../format';
import type { RunState } from '../run-events';
import { useLab } from '../store';
import { trainingTimeLeft } from '../time-left';
import { TimeLeftBar } from './TimeLeftBar';

/** Where a busy run is: epoch, step, speed, tensors, GPU memory. */
function liveParts(run: RunState): string[] {
  const { progress, recipe, epoch } = run;
  const epochs = recipe?.epochs ?? '?';
  if (run.phase === 'eval') return [`evaluating epoch ${epoch}/${epochs}`];
  if (!progress || progress.epoch !== epoch) {
    // Steps report in windows; the first can take long on a cold GPU.
    return epoch === null
      ? []
      : [`epoch ${epoch}/${epochs}`, 'waiting for the first steps'];
  }
  const parts = [
    `epoch ${progress.epoch}/${epochs}`,
    `step ${progress.step}/${progress.stepsPerEpoch}`,
    formatRate(progress.imagesPerSecond),
    `${progress.numTensors.toLocaleString('en-US')} tensors`,
  ];
  // Absent where the backend does not count it, rather than a false 0.
  if (progress.gpuBytes !== undefined) {
    parts.push(`GPU memory ${formatBytes(progress.gpuBytes)}`);
  }
  return parts;
}

function summary(run: RunState): string {
  const { report, status } = run;
  if (status === 'failed') return 'The run failed; see the error above.';
  if (run.kind === 'bench' && run.benchReport) {
    const b = run.benchReport;
    return (
      `Benchmark done: ${formatRate(b.labImagesPerSecond)} ` +
      `(bare ${formatRate(b.bareImagesPerSecond)}).`
    );
  }
  if (!report) return 'Finished.';
  const how = report.stopped
    ? 'Stopped'
    : report.stoppedEarly
      ? 'Stopped early (no better top-1 for `patience` epochs)'
      : 'Finished';
  const best =
    report.epochs.length > 0
      ? `: best top-1 ${formatPercent(report.bestValTop1)} at epoch ${report.bestEpoch}`
      : '';
  return `${how}${best}, in ${formatDuration(report.wallSeconds)}.`;
}

const LABELS: Record<string, string> = {
  starting: 'Starting (compiling shaders takes a while on first use)',
  running: 'Training',
  paused: 'Paused',
  stopping: 'Stopping after the current step',
};

/** One line on what the run is doing now, and its bars while it trains. */
export function StatusLine() {
  const run = useLab((s) => s.run);
  const bars = trainingTimeLeft(run);
  let text: string;
  if (run.status === 'idle') {
    text = 'No run yet. Train runs the recipe on the left.';
  } else if (run.status === 'finished' || run.status === 'failed') {
    text = summary(run);
  } else {
    text = [LABELS[run.status] ?? run.status, ...liveParts(run)].join(' · ');
  }
  // Not announced: it changes every few steps, which would drown a screen
  // reader; the epoch log and the error box carry what matters.
  return (
    <>
      <p className="status-line" role="status" aria-live="off">
        {text}
      </p>
      {bars && (
        <div className="run-bars" data-testid="run-bars">
          <TimeLeftBar label={`Epoch ${run.epoch}`} at={bars.epoch} />
          <TimeLeftBar label="Run" at={bars.run} />
        </div>
      )}
      {run.notices.map((notice) => (
        <p key={notice} className="notice" data-testid="run-notice">
          {notice}
        </p>
      ))}
    </>
  );
}
