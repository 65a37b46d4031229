// The train and bench commands, written against the Lab interface rather
// than a browser, so Node tests can drive them with a fake app.
import { unappliedSettings } from '../../src/recipe/applied';
import type {
  BackendInfo,
  BenchReport,
  CheckpointInfo,
  TrainerEvent,
  TrainReport,
} from '../../src/train/protocol';
import type { Command } from './args';
import { DEMO_DATASET, kebabCase } from './flags';
import {
  estimateSecondsLeft,
  formatBackend,
  formatBench,
  formatCheckpoint,
  formatDataset,
  formatEpoch,
  formatStep,
  formatTrainDone,
  withWallSeconds,
} from './output';
import type { Lab } from './page-api';

export interface Io {
  /** A line of the run's record, on stdout. */
  out(line: string): void;
  /** A note about the CLI itself, on stderr. */
  err(line: string): void;
  /** Replaces the transient status line (a terminal only); null clears. */
  status(line: string | null): void;
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Writes JSON to a path; resolves with the path as written. */
  writeJson(path: string, value: unknown): Promise<string>;
  /** Writes text to a path; resolves with the path as written. */
  writeText(path: string, text: string): Promise<string>;
}

export type TrainCommand = Extract<Command, { kind: 'train' }>;
export type BenchCommand = Extract<Command, { kind: 'bench' }>;

/** Turns trainer events into the progress lines, one per epoch. */
export class TrainProgress {
  private backendShown = false;
  private readonly epochEnds: number[] = [];

  constructor(
    private numEpochs: number,
    private startedAt: number,
    private readonly io: Io,
  ) {}

  handle(event: TrainerEvent): void {
    if (event.type === 'backend') this.showBackend(event.info);
    else if (event.type === 'resumed') this.showResumed(event);
    else if (event.type === 'checkpoint') {
      this.io.status(null);
      this.io.out(formatCheckpoint(event.checkpoint));
    } else if (event.type === 'step')
      this.io.status(formatStep(event.progress));
    else if (event.type === 'epoch') this.showEpoch(event.metrics);
    else if (event.type === 'notice') this.io.out(`note: ${event.message}`);
  }

  /**
   * Prints what the events did not: the app may settle train() before its
   * last events are delivered, or deliver none at all.
   */
  finish(report: TrainReport): void {
    this.showBackend({
      backend: report.backend,
      adapter: report.adapter,
      kernels: report.kernels,
      tfjsVersion: report.tfjsVersion,
      fallbackReasons: [],
      maxStorageBufferBindingSize: null,
    });
    for (const metrics of report.epochs.slice(this.epochEnds.length)) {
      this.showEpoch(metrics);
    }
    this.io.status(null);
  }

  private showResumed(event: Extract<TrainerEvent, { type: 'resumed' }>) {
    this.numEpochs = event.recipe.epochs;
    this.io.out(
      `resuming run ${event.runId} (${event.recipe.model} on ` +
        `${event.dataset}) after epoch ${event.epochs.length} of ` +
        `${event.recipe.epochs}`,
    );
    // Restored epochs show the time they ended at in their own session;
    // the clock then runs on from the last of them.
    for (const metrics of event.epochs)
      this.showEpoch(metrics, metrics.seconds);
    const before = event.epochs.at(-1)?.seconds ?? 0;
    this.startedAt = this.io.now() - before * 1000;
  }

  private showBackend(info: BackendInfo): void {
    if (this.backendShown) return;
    this.backendShown = true;
    this.io.status(null);
    this.io.out(formatBackend(info));
  }

  private showEpoch(
    metrics: TrainReport['epochs'][number],
    elapsed = (this.io.now() - this.startedAt) / 1000,
  ): void {
    this.epochEnds.push(elapsed);
    const left = estimateSecondsLeft(this.epochEnds, this.numEpochs);
    this.io.status(null);
    this.io.out(formatEpoch(metrics, this.numEpochs, elapsed, left));
  }
}

/** The page was closed on purpose after a checkpoint (--kill-after-epoch). */
export class KilledAfterCheckpoint extends Error {
  constructor(readonly checkpoint: CheckpointInfo) {
    super(
      `closed the page after epoch ${checkpoint.epoch} of ` +
        `${checkpoint.numEpochs} was checkpointed, as --kill-after-epoch ` +
        `asked; run ${checkpoint.runId} can be resumed`,
    );
    this.name = 'KilledAfterCheckpoint';
  }
}

/**
 * Watches for the checkpoint of epoch `epoch` and then calls `kill`, which
 * ends the page as abruptly as a closed tab; the run's call then fails,
 * and `outcome` names that failure a KilledAfterCheckpoint.
 */
function killSwitch(epoch: number | null, kill: () => Promise<void>) {
  let killed: CheckpointInfo | null = null;
  return {
    handle(event: TrainerEvent) {
      if (event.type !== 'checkpoint' || killed || epoch === null) return;
      if (event.checkpoint.epoch !== epoch) return;
      killed = event.checkpoint;
      void kill();
    },
    /** The error to report for the run's failure. */
    outcome(error: unknown): unknown {
      return killed ? new KilledAfterCheckpoint(killed) : error;
    },
  };
}

export async function runTrain(
  lab: Lab,
  command: TrainCommand,
  io: Io,
  kill: () => Promise<void> = async () => {},
): Promise<TrainReport> {
  const resuming = command.resume !== null;
  const ignored = unappliedSettings(command.recipe, (k) => `--${kebabCase(k)}`);
  if (ignored.length > 0 && !resuming) {
    io.err(`lab: not applied by the training loop yet: ${ignored.join(', ')}`);
  }
  if (command.dataset === DEMO_DATASET && !resuming) {
    io.out(formatDataset(await lab.ensureDemo()));
  }
  const startedAt = io.now();
  const progress = new TrainProgress(command.recipe.epochs, startedAt, io);
  const killer = killSwitch(command.killAfterEpoch, kill);
  const unsubscribe = lab.onEvent((event) => {
    progress.handle(event);
    killer.handle(event);
  });
  let report: TrainReport;
  try {
    report = await (command.resume !== null
      ? lab.resumeRun(command.resume)
      : lab.train({ dataset: command.dataset, recipe: command.recipe }));
  } catch (error) {
    throw killer.outcome(error);
  } finally {
    unsubscribe();
    io.status(null);
  }

  report = withWallSeconds(report, (io.now() - startedAt) / 1000);
  progress.finish(report);
  io.out(formatTrainDone(report));
  if (command.jsonPath !== null) {
    io.out(`report written to ${await io.writeJson(command.jsonPath, report)}`);
  }
  return report;
}

export async function runBench(
  lab: Lab,
  command: BenchCommand,
  io: Io,
): Promise<BenchReport> {
  if (command.options.dataset === DEMO_DATASET) {
    io.out(formatDataset(await lab.ensureDemo()));
  }
  let backendShown = false;
  const unsubscribe = lab.onEvent((event) => {
    if (event.type !== 'backend' || backendShown) return;
    backendShown = true;
    io.out(formatBackend(event.info));
  });
  let report: BenchReport;
  try {
    report = await lab.bench(command.options);
  } finally {
    unsubscribe();
  }

  for (const line of formatBench(report)) io.out(line);
  if (command.jsonPath !== null) {
    io.out(`report written to ${await io.writeJson(command.jsonPath, report)}`);
  }
  return report;
}
