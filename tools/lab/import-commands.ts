// The import and bench-import commands, written against the Lab interface.
// Both drive the app's import panel as a user does: fill the form, hand
// the source to its folder or file input, read the plan, press Start.
import type {
  DecodeReport,
  ImportPlanSummary,
  ImportProgress,
  ImportReport,
} from '../../src/data/import/types';
import type { ImportForm } from '../../src/ui/import-form';
import type { Command } from './args';
import type { Io } from './commands';
import type { ImportFlags } from './flags';
import {
  formatBenchImport,
  formatImportDone,
  formatImportProgress,
  formatPlan,
  imagesPerSecond,
  TARGET_RATIO,
  type BenchImportReport,
} from './import-output';
import { SAMPLE_MS, type MemorySampler } from './memory';
import type { ImportLab, Lab } from './page-api';

export type ImportCommand = Extract<Command, { kind: 'import' }>;
export type BenchImportCommand = Extract<Command, { kind: 'bench-import' }>;

/** A progress line on stdout at most this often; the status line between. */
const PROGRESS_LINE_MS = 5_000;

/** An import that ended before its last image; main exits with code 1. */
export class ImportStoppedError extends Error {
  override readonly name = 'ImportStoppedError';
}

function formFields(options: ImportFlags, name: string): Partial<ImportForm> {
  return {
    name,
    imageSize: String(options.imageSize),
    fit: options.fit,
    valFraction: String(options.valFraction),
    seed: String(options.seed),
  };
}

function progressPrinter(io: Io): (progress: ImportProgress) => void {
  let lastLine = -Infinity;
  return (progress) => {
    if (progress.phase !== 'importing' && progress.phase !== 'done') return;
    const line = formatImportProgress(progress);
    const now = io.now();
    if (now - lastLine >= PROGRESS_LINE_MS || progress.phase === 'done') {
      lastLine = now;
      io.status(null);
      io.out(line);
    } else {
      io.status(line);
    }
  };
}

/** Fills the form, picks the source and waits for the plan. */
async function planSource(
  lab: Lab & ImportLab,
  path: string,
  name: string,
  options: ImportFlags,
): Promise<ImportPlanSummary> {
  // The demo is stored on first start; waiting for it keeps its writes
  // out of the import's time and memory.
  await lab.ensureDemo();
  await lab.setImportForm(formFields(options, name));
  await lab.pickSource(path);
  return lab.importPlan();
}

async function importWithProgress(
  lab: ImportLab,
  io: Io,
): Promise<ImportReport> {
  const unsubscribe = lab.onImportProgress(progressPrinter(io));
  try {
    return await lab.startImport();
  } finally {
    unsubscribe();
    io.status(null);
  }
}

export async function runImport(
  lab: Lab & ImportLab,
  command: ImportCommand,
  io: Io,
): Promise<ImportReport> {
  const plan = await planSource(
    lab,
    command.path,
    command.name,
    command.options,
  );
  for (const line of formatPlan(plan)) io.out(line);
  const report = await importWithProgress(lab, io);
  for (const line of formatImportDone(report)) io.out(line);
  if (command.jsonPath !== null) {
    const { description, planned, cropped, valFrom, notes } = plan;
    const written = await io.writeJson(command.jsonPath, {
      ...report,
      source: command.path,
      plan: { description, planned, cropped, valFrom, notes },
    });
    io.out(`report written to ${written}`);
  }
  if (!report.complete) {
    throw new ImportStoppedError(
      `the import stopped before its last image ` +
        `(${report.stopped?.reason ?? 'unknown'}); importing the same ` +
        'source again resumes it',
    );
  }
  return report;
}

const decodeRate = (r: DecodeReport) =>
  imagesPerSecond(r.images, r.wallSeconds);

/**
 * Decodes the source alone, imports it, and decodes it alone again, in
 * one browser, sampling the browser's memory throughout. The faster
 * decode-only pass is the baseline, so warm caches cannot flatter the
 * import's ratio.
 */
export async function runBenchImport(
  lab: Lab & ImportLab,
  command: BenchImportCommand,
  source: string,
  memory: MemorySampler,
  io: Io,
): Promise<BenchImportReport> {
  const name = `bench-import-${command.synthetic ?? 'source'}`;
  const plan = await planSource(lab, source, name, command.options);
  for (const line of formatPlan(plan)) io.out(line);

  const beforeBytes = await memory.enter('before');
  await memory.enter('decode');
  io.out('decoding, cropping and resizing only...');
  const first = await lab.decodeImport();
  await memory.enter('import');
  const imported = await importWithProgress(lab, io);
  await memory.enter('decode');
  io.out('decoding only, again...');
  const second = await lab.decodeImport();
  await memory.stop();
  if (!imported.complete) {
    throw new ImportStoppedError(
      `the bench's import stopped: ${imported.stopped?.message ?? ''}`,
    );
  }

  const decodeRuns = [first, second];
  const best = Math.max(...decodeRuns.map(decodeRate));
  const stored = imported.imported.train + imported.imported.val;
  const importRate = imagesPerSecond(stored, imported.wallSeconds);
  const { skipped, ...rest } = imported;
  const report: BenchImportReport = {
    source,
    synthetic: command.synthetic,
    options: {
      imageSize: command.options.imageSize,
      fit: command.options.fit,
    },
    numImages: plan.planned.train + plan.planned.val,
    decodeRuns,
    decodeImagesPerSecond: best,
    importImagesPerSecond: importRate,
    ratio: best > 0 ? importRate / best : 0,
    meetsTarget: best > 0 && importRate / best >= TARGET_RATIO,
    import: { ...rest, numSkipped: skipped.length },
    memory: {
      method:
        memory.failure ??
        `RSS summed over Chromium's processes, sampled with ps every ` +
          `${SAMPLE_MS} ms`,
      sampleMs: SAMPLE_MS,
      beforeBytes,
      decodePeakBytes: memory.peak('decode'),
      importPeakBytes: memory.peak('import'),
      peakMemoryBytes: Math.max(...memory.peaks.values()),
      processes: memory.maxProcesses,
      byProcessKind: Object.fromEntries(memory.kindPeaks),
      samples: memory.samples,
    },
  };
  for (const line of formatBenchImport(report)) io.out(line);
  if (command.jsonPath !== null) {
    io.out(`report written to ${await io.writeJson(command.jsonPath, report)}`);
  }
  return report;
}
