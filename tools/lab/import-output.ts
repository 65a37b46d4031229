// The text lines of `lab import` and `lab bench-import`, as pure functions
// of the app's plans, progress and reports.
import type {
  DecodeReport,
  ImportPlanSummary,
  ImportProgress,
  ImportReport,
} from '../../src/data/import/types';
import { formatDuration } from './output';

/** Skipped files listed on the terminal; the JSON report has them all. */
export const SKIPPED_SHOWN = 10;

/** The ratio of import to decode-only rates the bench holds imports to. */
export const TARGET_RATIO = 0.7;

const count = (n: number) => n.toLocaleString('en-US');
const rate = (r: number) => `${r.toFixed(r >= 100 ? 0 : 1)} img/s`;

export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export function formatPlan(plan: ImportPlanSummary): string[] {
  const { train, val } = plan.planned;
  const lines = [
    `recognised ${plan.layout}: ${plan.description}`,
    `  ${count(plan.classNames.length)} classes; planned ` +
      `${count(train)} train / ${count(val)} val images ` +
      (plan.valFrom === 'hold-out'
        ? '(val held out of train)'
        : '(val is the test split)'),
    plan.cropped
      ? '  images are cropped to their bounding boxes'
      : '  no boxes in this source: images are imported uncropped',
    ...plan.notes.map((note) => `  note: ${note}`),
  ];
  if (plan.skipped.length > 0) {
    lines.push(`  ${count(plan.skipped.length)} problems found in planning`);
  }
  if (plan.existing) {
    lines.push(
      plan.existing.complete
        ? `  already imported as "${plan.existing.name}"`
        : `  resumes the incomplete "${plan.existing.name}"`,
    );
  }
  return lines;
}

export function formatImportProgress(progress: ImportProgress): string {
  const { imagesDone, imagesTotal, imagesPerSecond, secondsLeft } = progress;
  const percent = imagesTotal > 0 ? (100 * imagesDone) / imagesTotal : 0;
  const parts = [
    `import ${count(imagesDone)}/${count(imagesTotal)} images ` +
      `(${percent.toFixed(1)}%)`,
  ];
  if (imagesPerSecond > 0) parts.push(rate(imagesPerSecond));
  if (secondsLeft !== null && Number.isFinite(secondsLeft)) {
    parts.push(`left ~${formatDuration(secondsLeft)}`);
  }
  return parts.join('  ');
}

export function formatImportDone(report: ImportReport): string[] {
  const { train, val } = report.imported;
  const what =
    `${count(train)} train / ${count(val)} val images of ` +
    `${count(report.classes)} classes, ${formatBytes(report.storedBytes)} ` +
    `stored, ${count(report.skipped.length)} skipped, ` +
    `wall ${formatDuration(report.wallSeconds)}`;
  const head = report.complete
    ? `${report.resumed ? 'resumed and imported' : 'imported'} ` +
      `"${report.dataset}": ${what}`
    : `stopped (${report.stopped?.reason ?? 'unknown'}): "${report.dataset}" ` +
      `keeps ${what}; ${report.stopped?.message ?? ''}`;
  const shown = report.skipped
    .slice(0, SKIPPED_SHOWN)
    .map((s) => `  skipped ${s.file}: ${s.reason}`);
  const more = report.skipped.length - shown.length;
  if (more > 0) shown.push(`  ... and ${count(more)} more in the JSON report`);
  return [head, ...shown];
}

export interface BenchImportReport {
  source: string;
  /** Images generated for the bench; null when PATH was given. */
  synthetic: number | null;
  options: { imageSize: number; fit: string };
  /** Images the plan holds, which both passes decode. */
  numImages: number;
  /** Decode-only passes, before and after the import. */
  decodeRuns: DecodeReport[];
  /** The faster decode-only pass. */
  decodeImagesPerSecond: number;
  importImagesPerSecond: number;
  /** importImagesPerSecond / decodeImagesPerSecond. */
  ratio: number;
  meetsTarget: boolean;
  import: Omit<ImportReport, 'skipped'> & { numSkipped: number };
  memory: {
    method: string;
    sampleMs: number;
    beforeBytes: number;
    decodePeakBytes: number;
    importPeakBytes: number;
    /** The highest sample over the whole bench. */
    peakMemoryBytes: number;
    processes: number;
    /** Per phase, the peak of each kind of Chromium process. */
    byProcessKind: Record<string, Record<string, number>>;
    /** Every sample: [seconds, phase, bytes]. */
    samples: [number, string, number][];
  };
}

export function imagesPerSecond(images: number, seconds: number): number {
  return seconds > 0 ? images / seconds : 0;
}

export function formatBenchImport(report: BenchImportReport): string[] {
  const m = report.memory;
  const runs = report.decodeRuns
    .map((r) => rate(imagesPerSecond(r.images, r.wallSeconds)))
    .join(', ');
  const verdict = report.meetsTarget ? 'meets' : 'MISSES';
  return [
    `bench-import on ${count(report.numImages)} images ` +
      `(${report.synthetic === null ? report.source : 'synthetic devkit'}), ` +
      `${report.options.imageSize} px, ${report.options.fit}`,
    `  decode only  ${rate(report.decodeImagesPerSecond)}  (passes: ${runs})`,
    `  import       ${rate(report.importImagesPerSecond)}  ` +
      `import/decode ${report.ratio.toFixed(2)} (${verdict} the target ` +
      `>= ${TARGET_RATIO})`,
    `  memory       peak ${formatBytes(m.peakMemoryBytes)} (before ` +
      `${formatBytes(m.beforeBytes)}, decoding ` +
      `${formatBytes(m.decodePeakBytes)}, importing ` +
      `${formatBytes(m.importPeakBytes)}): ${m.method}`,
  ];
}
