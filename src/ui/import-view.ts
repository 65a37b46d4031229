// Words and numbers the import panel and the dataset view show, as pure
// functions of plans, reports and manifests.
import type {
  ImportPlanSummary,
  ImportProgress,
  ImportReport,
} from '../data/import/types';
import type { DatasetManifest } from '../data/schema';
import { formatBytes } from './format';

const count = (n: number) => n.toLocaleString('en-US');

export function plannedTotal(plan: Pick<ImportPlanSummary, 'planned'>): number {
  return plan.planned.train + plan.planned.val;
}

/** "1,234 of 8,144 images, 57 img/s"; the bar beside it has the time left. */
export function progressLine(progress: ImportProgress): string {
  const { imagesDone, imagesTotal, imagesPerSecond } = progress;
  if (progress.phase === 'listing') return 'Listing the files…';
  if (progress.phase === 'planning') return 'Reading the annotations…';
  const parts = [`${count(imagesDone)} of ${count(imagesTotal)} images`];
  if (imagesPerSecond > 0) {
    const digits = imagesPerSecond < 10 ? 1 : 0;
    parts.push(`${imagesPerSecond.toFixed(digits)} img/s`);
  }
  return parts.join(', ');
}

/**
 * Bytes the rest of a stopped import needs: pixels of every image not yet
 * stored, plus a 16-bit label stored twice (shard and label index).
 */
export function bytesStillNeeded(
  report: ImportReport,
  planned: Record<'train' | 'val', number>,
  imageSize: number,
): number {
  const left =
    planned.train + planned.val - report.imported.train - report.imported.val;
  return Math.max(0, left) * (imageSize * imageSize * 3 + 4);
}

/** One sentence on how an import ended. */
export function reportHeadline(report: ImportReport): string {
  const stored = report.imported.train + report.imported.val;
  const what =
    `${count(report.imported.train)} training and ` +
    `${count(report.imported.val)} validation images of ` +
    `${count(report.classes)} classes (${formatBytes(report.storedBytes)})`;
  if (report.complete) {
    const how = report.resumed ? 'Resumed and finished' : 'Imported';
    return `${how} "${report.dataset}": ${what}.`;
  }
  const why =
    report.stopped?.reason === 'cancelled'
      ? 'Cancelled'
      : report.stopped?.reason === 'quota'
        ? 'Stopped: the browser refused more storage'
        : 'Stopped by an error';
  return (
    `${why} after ${count(stored)} images; "${report.dataset}" keeps ` +
    `${what} and can be resumed by picking the same source again.`
  );
}

/** Stored datasets an import stopped short of the end. */
export function incompleteImports(
  datasets: readonly DatasetManifest[],
): DatasetManifest[] {
  return datasets.filter((d) => !d.complete && d.importRecord);
}

export function storedImages(manifest: DatasetManifest): number {
  return manifest.splits.train.numImages + manifest.splits.val.numImages;
}

/** "“cars” stopped at 1,200 of 16,185 images (quota)". */
export function resumeOffer(manifest: DatasetManifest): string {
  const record = manifest.importRecord;
  const planned = record ? record.planned.train + record.planned.val : NaN;
  const of = Number.isFinite(planned) ? ` of ${count(planned)}` : '';
  const why = record?.stopped ? ` (${record.stopped.reason})` : '';
  return (
    `"${manifest.name}" stopped at ${count(storedImages(manifest))}${of} ` +
    `images${why}. Pick the same source again to resume it.`
  );
}

/** Class ids and counts of a split, most images first, ties by name. */
export function classCountRows(
  manifest: DatasetManifest,
  split: 'train' | 'val',
): { classId: number; name: string; count: number }[] {
  const counts = manifest.splits[split].classCounts;
  return manifest.classNames
    .map((name, classId) => ({ classId, name, count: counts[classId] ?? 0 }))
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}

/** Bars of the per-class chart: train and val stacked, most images first. */
export function classChartRows(manifest: DatasetManifest): {
  classId: number;
  name: string;
  train: number;
  val: number;
}[] {
  const { train, val } = manifest.splits;
  return manifest.classNames
    .map((name, classId) => ({
      classId,
      name,
      train: train.classCounts[classId] ?? 0,
      val: val.classCounts[classId] ?? 0,
    }))
    .sort(
      (a, b) =>
        b.train + b.val - (a.train + a.val) || a.name.localeCompare(b.name),
    );
}

/** "12 to 68 images per class (median 41)"; "" with no classes. */
export function classSpread(counts: readonly number[]): string {
  if (counts.length === 0) return '';
  const sorted = [...counts].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return (
    `${count(sorted[0]!)} to ${count(sorted[sorted.length - 1]!)} ` +
    `images per class (median ${count(median)})`
  );
}

/** "1 file skipped", "12 files skipped". */
export function skippedTitle(numSkipped: number): string {
  return `${count(numSkipped)} ${numSkipped === 1 ? 'file' : 'files'} skipped`;
}
