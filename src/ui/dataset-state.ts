// What the app knows about the demo dataset while it is imported, and how
// an import's progress and failures change it. Pure.
import type { DatasetManifest } from '../data/schema';
import { sinceStart } from './time-left';
import type { AppError } from './run-events';

export interface DatasetState {
  name: string;
  status: 'idle' | 'importing' | 'ready' | 'failed';
  manifest: DatasetManifest | null;
  imagesDone: number;
  imagesTotal: number;
  /** Time and count at the first progress report of this import attempt. */
  importStart: { at: number; done: number } | null;
  /** Estimated at the last progress report; NaN until one is possible. */
  secondsLeft: number;
}

export interface ImportProgressEvent {
  imagesDone: number;
  imagesTotal: number;
}

/** Storage as the browser reports it after a refused write. */
export interface StorageReport {
  usageBytes?: number;
  quotaBytes?: number;
  /** The dataset's manifest as far as it was stored. */
  manifest?: DatasetManifest;
}

export function idleDataset(name: string): DatasetState {
  return {
    name,
    status: 'idle',
    manifest: null,
    imagesDone: 0,
    imagesTotal: 0,
    importStart: null,
    secondsLeft: NaN,
  };
}

export function startImport(dataset: DatasetState): DatasetState {
  return {
    ...dataset,
    status: 'importing',
    importStart: null,
    secondsLeft: NaN,
  };
}

export function withProgress(
  dataset: DatasetState,
  { imagesDone, imagesTotal }: ImportProgressEvent,
  now: number,
): DatasetState {
  // The first report of an attempt is the baseline: a resumed import starts
  // with the images an earlier attempt stored, which took no time now.
  const importStart = dataset.importStart ?? { at: now, done: imagesDone };
  return {
    ...dataset,
    imagesDone,
    imagesTotal,
    importStart,
    secondsLeft: sinceStart(imagesDone, imagesTotal, importStart, now)
      .secondsLeft,
  };
}

export function withManifest(
  dataset: DatasetState,
  manifest: DatasetManifest,
): DatasetState {
  const { train, val } = manifest.splits;
  const total = train.numImages + val.numImages;
  return {
    ...dataset,
    status: 'ready',
    manifest,
    imagesDone: total,
    imagesTotal: total,
    secondsLeft: 0,
  };
}

/**
 * Adds what the error box needs after a full disk: the storage in use, and
 * an estimate of the bytes the rest of the import needs.
 */
export function describeQuota(
  error: AppError,
  dataset: DatasetState,
  report: StorageReport | null,
): AppError {
  const out = { ...error };
  if (report?.usageBytes !== undefined && report.quotaBytes !== undefined) {
    out.storage = {
      usageBytes: report.usageBytes,
      quotaBytes: report.quotaBytes,
    };
  }
  const m = report?.manifest;
  const left = dataset.imagesTotal - dataset.imagesDone;
  if (m && left > 0) {
    // Pixels plus a 16-bit label stored twice (shard and label index).
    out.neededBytes = left * (m.height * m.width * m.channels + 4);
  }
  return out;
}
